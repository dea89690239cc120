// What one consumer invocation means for its event: done, a retry the consumer asked for, or a
// failure the platform retries on its own.
import type { InvokeOutcome } from '../functions/function-runner.js';

/** `@forge/events` `retryOptions.js`: the defaults of `new InvocationError()`. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
export const DEFAULT_RETRY_REASON = 'FUNCTION_RETRY_REQUEST';
/** Forge clamps `retryAfter` to 1..900 s. */
export const MAX_RETRY_AFTER_SECONDS = 900;
/** Forge: `retryData` at most 4 KB. */
export const MAX_RETRY_DATA_BYTES = 4 * 1024;

/**
 * UNCONFIRMED on Forge (the docs say only "retried with backoff"): the local runtime retries a
 * thrown error or a crash with reason FUNCTION_PLATFORM_UNKNOWN_ERROR and a timeout with
 * FUNCTION_TIME_OUT, and counts these retries in `retryCount` like requested ones, so a consumer
 * that keeps failing sees its attempts add up.
 */
export const PLATFORM_FAILURE_REASONS = {
  threw: 'FUNCTION_PLATFORM_UNKNOWN_ERROR',
  crashed: 'FUNCTION_PLATFORM_UNKNOWN_ERROR',
  timedOut: 'FUNCTION_TIME_OUT',
} as const;

export type AttemptOutcome =
  | { kind: 'success' }
  | {
      kind: 'retryRequested';
      retryAfterMs: number;
      retryReason: string;
      retryData: unknown;
      retryDataBytes: number;
    }
  | { kind: 'failed'; retryReason: string; detail: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function classifyOutcome(outcome: InvokeOutcome): AttemptOutcome {
  switch (outcome.status) {
    case 'returned':
      return classifyReturn(outcome.value);
    case 'threw':
      return {
        kind: 'failed',
        retryReason: PLATFORM_FAILURE_REASONS.threw,
        detail: describeError(outcome.error),
      };
    case 'crashed':
      return {
        kind: 'failed',
        retryReason: PLATFORM_FAILURE_REASONS.crashed,
        detail: `crashed after ${outcome.afterStorageCalls} storage call(s)`,
      };
    case 'timedOut':
      return { kind: 'failed', retryReason: PLATFORM_FAILURE_REASONS.timedOut, detail: 'timed out' };
  }
}

/** A returned `InvocationError` (the plain `{ _retry: true, retryOptions }`) asks for a retry. */
function classifyReturn(value: unknown): AttemptOutcome {
  if (!isRecord(value) || value._retry !== true) return { kind: 'success' };
  const options = isRecord(value.retryOptions) ? value.retryOptions : {};
  const after =
    typeof options.retryAfter === 'number' && Number.isFinite(options.retryAfter)
      ? options.retryAfter
      : DEFAULT_RETRY_AFTER_SECONDS;
  const clamped = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(DEFAULT_RETRY_AFTER_SECONDS, after));
  // retryData crosses the wire as JSON, so it comes back as JSON would bring it.
  const json = options.retryData === undefined ? undefined : JSON.stringify(options.retryData);
  return {
    kind: 'retryRequested',
    retryAfterMs: Math.round(clamped * 1000),
    retryReason: typeof options.retryReason === 'string' ? options.retryReason : DEFAULT_RETRY_REASON,
    retryData: json === undefined ? undefined : (JSON.parse(json) as unknown),
    retryDataBytes: json === undefined ? 0 : Buffer.byteLength(json),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
