// How long the platform waits before it tries an event again on its own: after a concurrency
// hold-back, and after a consumer that threw, crashed or timed out.
import type { SeededRandom } from '../kernel/random.js';

/**
 * UNCONFIRMED on Forge: Atlassian documents only "exponential backoff of up to 15 minutes" for
 * events over their concurrency limit (a community test with `limit: 1` saw 4 to 16 s gaps), and
 * "retried with backoff" for thrown errors. These numbers are the local runtime's explicit choice:
 * 4 s, doubling per consecutive attempt, capped at 15 min, each delay jittered by ±25 % from the
 * seeded stream so events held back together spread out (and may overtake each other).
 */
export const PLATFORM_RETRY_BACKOFF = {
  initialMs: 4_000,
  factor: 2,
  maxMs: 15 * 60_000,
  jitter: 0.25,
} as const;

export type BackoffPolicy = { [K in keyof typeof PLATFORM_RETRY_BACKOFF]: number };

/** The delay before the platform's own attempt number `attempt` (0 for the first). */
export function backoffDelay(
  attempt: number,
  random: SeededRandom,
  policy: BackoffPolicy = PLATFORM_RETRY_BACKOFF,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  const jittered = base * (1 - policy.jitter + 2 * policy.jitter * random.next());
  return Math.round(Math.min(policy.maxMs, jittered));
}
