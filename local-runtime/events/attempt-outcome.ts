// What one consumer invocation means for its event: done, a retry the consumer asked for, or a
// failure the platform retries on its own. Product-event triggers read a returned InvocationError
// the same way (`readRetryRequest`).
import type { InvokeOutcome } from '../functions/function-runner.js';

/** `@forge/events` `retryOptions.js`: the defaults of `new InvocationError()`. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
export const DEFAULT_RETRY_REASON = 'FUNCTION_RETRY_REQUEST';
/** Forge clamps `retryAfter` to 1..900 s. */
export const MAX_RETRY_AFTER_SECONDS = 900;
/** Forge: `retryData` at most 4 KB (docs: async-events-api, "RetryOptions reference"; product_events). */
export const MAX_RETRY_DATA_BYTES = 4 * 1024;

/**
 * Thrown errors, crashes and time-outs are app-level errors (docs: async-events-api, "App level
 * errors": "runtime error, function time out, function out of memory"): retried within the
 * retention window, raising `retryCount` (only "Platform-level errors do not increment this"), and
 * never extending the window. Their retry reason is UNCONFIRMED: the local runtime uses
 * FUNCTION_PLATFORM_UNKNOWN_ERROR for a thrown error or a crash and FUNCTION_TIME_OUT for a timeout.
 */
export const PLATFORM_FAILURE_REASONS = {
  threw: 'FUNCTION_PLATFORM_UNKNOWN_ERROR',
  crashed: 'FUNCTION_PLATFORM_UNKNOWN_ERROR',
  timedOut: 'FUNCTION_TIME_OUT',
} as const;

/**
 * The retry reason after a platform-level error (an internal server error or internal rate
 * limiting: docs, async-events-api "Platform level errors"). Such a retry does not raise
 * `retryCount`; the reason's name is Forge's "undefined error" one (docs: product_events).
 */
export const PLATFORM_ERROR_REASON = 'FUNCTION_PLATFORM_UNKNOWN_ERROR';

/** Why `retryData` was not passed on (see `acceptRetryData`). */
export type RetryDataRefusal = 'not-an-object' | 'over-4-kb';

/** What a returned `InvocationError` asks for. */
export interface RetryRequest {
  retryAfterMs: number;
  retryReason: string;
  /** What the retry will carry: `undefined` when none was given or it was refused. */
  retryData: unknown;
  retryDataBytes: number;
  retryDataRefused?: RetryDataRefusal;
}

export type AttemptOutcome =
  | { kind: 'success' }
  | ({ kind: 'retryRequested' } & RetryRequest)
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

function classifyReturn(value: unknown): AttemptOutcome {
  const request = readRetryRequest(value);
  return request ? { kind: 'retryRequested', ...request } : { kind: 'success' };
}

/**
 * A returned `InvocationError` (the plain `{ _retry: true, retryOptions }`) asks for a retry; any
 * other value does not (`undefined`). `retryAfter` is clamped to 1..900 s (docs: "Any `retryAfter`
 * values exceeding this limit are lowered to `900` seconds").
 */
export function readRetryRequest(value: unknown): RetryRequest | undefined {
  if (!isRecord(value) || value._retry !== true) return undefined;
  const options = isRecord(value.retryOptions) ? value.retryOptions : {};
  const after =
    typeof options.retryAfter === 'number' && Number.isFinite(options.retryAfter)
      ? options.retryAfter
      : DEFAULT_RETRY_AFTER_SECONDS;
  const clamped = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(DEFAULT_RETRY_AFTER_SECONDS, after));
  return {
    retryAfterMs: Math.round(clamped * 1000),
    retryReason: typeof options.retryReason === 'string' ? options.retryReason : DEFAULT_RETRY_REASON,
    ...acceptRetryData(options.retryData),
  };
}

/**
 * What becomes of the `retryData` of a retry request. Documented: at most 4 KB ("This will be
 * enforced from Nov 13, 2025"), and, for product events, "Because of the bug (ECO-734), `retryData`
 * should be of an object type, otherwise it is not sent on retry". What enforcement does is
 * UNCONFIRMED. The local choice, for both rules and for queue events and triggers alike: the retry
 * is still made as asked (its `retryAfter` and `retryReason` kept) but carries no `retryData`, as
 * the docs say of a non-object. This is the answer hardest on an app: it loses what it carried.
 * Callers count (`*.retryDataRefused`) and log each refusal.
 */
export function acceptRetryData(
  raw: unknown,
): Pick<RetryRequest, 'retryData' | 'retryDataBytes' | 'retryDataRefused'> {
  if (raw === undefined) return { retryData: undefined, retryDataBytes: 0 };
  // retryData crosses the wire as JSON, so it comes back as JSON would bring it.
  const json = JSON.stringify(raw) as string | undefined;
  const bytes = json === undefined ? 0 : Buffer.byteLength(json);
  const parsed = json === undefined ? undefined : (JSON.parse(json) as unknown);
  if (!isRecord(parsed) || Array.isArray(parsed))
    return { retryData: undefined, retryDataBytes: bytes, retryDataRefused: 'not-an-object' };
  if (bytes > MAX_RETRY_DATA_BYTES)
    return { retryData: undefined, retryDataBytes: bytes, retryDataRefused: 'over-4-kb' };
  return { retryData: parsed, retryDataBytes: bytes };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
