// The envelope a command travels in: which partition, when, from where, and the id that makes
// applying it idempotent. Envelopes carry a schema version: events pushed by an older deployment
// can still be in the queue after a redeploy, so every version ever produced stays readable.
// zod only: the UI imports the command id schema from here.
import { z } from 'zod';
import type { AnyCommand } from './definition';
import { describeIssues } from './errors';

export const ENVELOPE_SCHEMA_VERSION = 2;

export const commandId = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[a-zA-Z0-9:._-]+$/, 'command ids use letters, digits and : . _ -');

export type EnvelopeBase = {
  schemaVersion: typeof ENVELOPE_SCHEMA_VERSION;
  /** The idempotency key: a command with an id already settled is never applied again. */
  commandId: string;
  /** When the producer built it, epoch ms. */
  issuedAt: number;
  source: string;
  /**
   * Refuse the command unless the partition is still at this version: a whole-partition
   * optimistic check, for callers that want one.
   */
  expectedVersion?: number;
};

/** `{ [Name]Id: string }`; nothing more for a writer whose partition name is not known (`string`). */
export type PartitionField<Name extends string> = string extends Name
  ? Record<string, unknown>
  : Record<`${Name}Id`, string>;

/**
 * A command of a writer whose partition is `Name`: `{ type, payload, [Name]Id, commandId, ... }`.
 * With `Name` unknown (`string`), any writer's envelope.
 */
export type Envelope<Cmd extends AnyCommand, Name extends string> = Cmd & EnvelopeBase & PartitionField<Name>;

/** Any writer's envelope, as the domain-free core handles it. */
export type AnyEnvelope = AnyCommand & EnvelopeBase & Record<string, unknown>;

export interface EnvelopeSchemas {
  /** What producers build (version 2). */
  current: z.ZodType<AnyEnvelope>;
  /** Every version this writer reads, upgraded to the current one. */
  parse(raw: unknown): ParsedEnvelope;
}

export type ParsedEnvelope =
  { ok: true; envelope: AnyEnvelope } | { ok: false; reason: string; issues: z.core.$ZodIssue[] };

export function envelopeSchemas(parts: {
  idField: string;
  idSchema: z.ZodType<string>;
  sources: z.ZodType<string>;
  commands: z.ZodType<AnyCommand>;
}): EnvelopeSchemas {
  const fields = {
    commandId,
    [parts.idField]: parts.idSchema,
    issuedAt: z.number().int().nonnegative(),
    source: z.union([parts.sources, z.literal('replay')]),
  };
  /** Version 1, produced by the first release: no `expectedVersion`. */
  const v1 = z.object({ schemaVersion: z.literal(1), ...fields }).and(parts.commands);
  const v2 = z
    .object({
      schemaVersion: z.literal(ENVELOPE_SCHEMA_VERSION),
      ...fields,
      expectedVersion: z.number().int().nonnegative().optional(),
    })
    .and(parts.commands) as unknown as z.ZodType<AnyEnvelope>;
  return {
    current: v2,
    parse(raw) {
      const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
      if (typeof version === 'number' && version > ENVELOPE_SCHEMA_VERSION) {
        const reason = `envelope schema version ${version} is newer than this deployment understands`;
        return { ok: false, reason, issues: [] };
      }
      const parsed = (version === 1 ? v1 : v2).safeParse(raw);
      if (!parsed.success)
        return { ok: false, reason: describeIssues(parsed.error.issues), issues: parsed.error.issues };
      const envelope = { ...(parsed.data as object), schemaVersion: ENVELOPE_SCHEMA_VERSION } as AnyEnvelope;
      return { ok: true, envelope };
    },
  };
}
