// The envelope a command travels in: who, what, for which issue, and the id that makes applying it
// idempotent. Envelopes carry a schema version so events in flight survive a redeploy.
import { z } from 'zod';
import { command } from './commands.js';

export const ENVELOPE_SCHEMA_VERSION = 1;

export const issueId = z.string().regex(/^[0-9]{1,18}$/, 'an issue id is the numeric Jira id');

export const commandSource = z.enum(['ui', 'jira-webhook', 'external-webhook', 'report-job', 'replay']);

export const envelope = z.intersection(
  z.object({
    schemaVersion: z.literal(ENVELOPE_SCHEMA_VERSION),
    commandId: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[a-zA-Z0-9:._-]+$/),
    issueId,
    issuedAt: z.number().int().nonnegative(),
    source: commandSource,
  }),
  command,
);

export type CommandEnvelope = z.infer<typeof envelope>;
export type CommandSource = z.infer<typeof commandSource>;
