// The envelope a command travels in: which issue, when, from where, and the id that makes applying
// it idempotent. Envelopes carry a schema version: events pushed by an older deployment can still
// be in the queue after a redeploy, so every version ever produced stays readable here.
import { z } from 'zod';
import { command } from './commands';

export const ENVELOPE_SCHEMA_VERSION = 2;

/** A JSON-encoded envelope larger than this is refused at enqueue. */
export const MAX_ENVELOPE_BYTES = 16 * 1024;

export const commandId = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[a-zA-Z0-9:._-]+$/, 'command ids use letters, digits and : . _ -');

export const issueId = z.string().regex(/^[0-9]{1,18}$/, 'an issue id is the numeric Jira id');

export const commandSource = z.enum(['ui', 'jira-webhook', 'external-webhook', 'report-job', 'replay']);

const envelopeFields = {
  /** The idempotency key: a command with an id already applied is never applied again. */
  commandId,
  /** The partition: every command belongs to exactly one Jira issue. */
  issueId,
  issuedAt: z.number().int().nonnegative(),
  source: commandSource,
};

/** Version 1, produced by the first release: no `expectedVersion`. */
const envelopeV1 = z.object({ schemaVersion: z.literal(1), ...envelopeFields }).and(command);

/** Version 2 adds `expectedVersion`: refuse the command unless the issue is still at that version. */
const envelopeV2 = z
  .object({
    schemaVersion: z.literal(ENVELOPE_SCHEMA_VERSION),
    ...envelopeFields,
    expectedVersion: z.number().int().nonnegative().optional(),
  })
  .and(command);

/** The current envelope: what producers build. */
export const envelope = envelopeV2;
export type CommandEnvelope = z.infer<typeof envelopeV2>;
export type CommandSource = z.infer<typeof commandSource>;

export type ParsedEnvelope = { ok: true; envelope: CommandEnvelope } | { ok: false; reason: string };

/** Reads an envelope of any schema version this app has produced, upgraded to the current one. */
export function parseEnvelope(raw: unknown): ParsedEnvelope {
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > ENVELOPE_SCHEMA_VERSION) {
    return {
      ok: false,
      reason: `envelope schema version ${version} is newer than this deployment understands`,
    };
  }
  const parsed = (version === 1 ? envelopeV1 : envelopeV2).safeParse(raw);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const value = parsed.data;
  return {
    ok: true,
    envelope: value.schemaVersion === 1 ? { ...value, schemaVersion: ENVELOPE_SCHEMA_VERSION } : value,
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
