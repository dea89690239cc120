// When the consumer cannot settle everything now, it asks the queue to redeliver later (returning
// an InvocationError keeps the event, costs no push, and carries `retryData`), or, before Forge's
// retention window would drop the event, it dead-letters what is left.
import { z } from 'zod';
import { BACKOFF, backoffSeconds as backoff } from '../backoff';

/** Forge clamps `retryAfter` to 1..900 seconds. */
export const MAX_RETRY_AFTER_SECONDS = 900;
/** Forge keeps an event for 24 h; without a retry context we assume the whole window. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** Dead-letter with this much of the window left, so writing the dead letter itself can be retried. */
export const DEAD_LETTER_MARGIN_MS = 2 * 60 * 60 * 1000;
/** Even inside the window, a command that failed this often goes to the dead letters. */
export const MAX_ATTEMPTS = 40;
/** Forge allows 4 KB of retryData; settled ids are carried only while they fit. */
const RETRY_DATA_BUDGET_BYTES = 3500;

const retryData = z.object({
  attempt: z.number().int().nonnegative(),
  settled: z.array(z.string()).optional(),
  malformedRecorded: z.boolean().optional(),
  /** Why the last delivery did not settle, for the dead letter if it comes to that. */
  reason: z.string().max(300).optional(),
});
export type RetryData = z.infer<typeof retryData>;

export interface RetryContext {
  retryCount?: number;
  retryData?: unknown;
  retentionWindow?: { startTime?: unknown; remainingTimeMs?: number };
}

export interface RetryState extends RetryData {
  remainingMs: number;
}

/**
 * What earlier deliveries left. The attempt is the larger of the one the consumer recorded and
 * Forge's retryCount: after a crash or a time-out, Forge hands back the previous retryData while
 * retryCount has grown.
 */
export function readRetryState(context: RetryContext | undefined): RetryState {
  const parsed = retryData.safeParse(context?.retryData);
  const counted = typeof context?.retryCount === 'number' ? context.retryCount : 0;
  const data = parsed.success ? parsed.data : { attempt: 0 };
  return {
    ...data,
    attempt: Math.max(data.attempt, counted),
    remainingMs: context?.retentionWindow?.remainingTimeMs ?? RETENTION_MS,
  };
}

/** Seconds before redelivery `attempt` (1 = the first): full jitter, 1 s up to 2 * 2^attempt s, at most 900 s. */
export function backoffSeconds(attempt: number, random: () => number = Math.random): number {
  return Math.min(MAX_RETRY_AFTER_SECONDS, backoff(BACKOFF.redelivery, attempt, random));
}

export function mustDeadLetter(attempt: number, remainingMs: number, retryAfterSeconds: number): boolean {
  return attempt >= MAX_ATTEMPTS || remainingMs - retryAfterSeconds * 1000 < DEAD_LETTER_MARGIN_MS;
}

/** Forge's limit is on bytes: an id with non-ASCII characters takes more than its length. */
const encodedBytes = (data: RetryData) => Buffer.byteLength(JSON.stringify(data));

export function encodeRetryData(data: RetryData): RetryData {
  const settled = [...(data.settled ?? [])];
  while (settled.length > 0 && encodedBytes({ ...data, settled }) > RETRY_DATA_BUDGET_BYTES) settled.pop();
  return { ...data, settled };
}
