// Every wait before trying again, in one place: exponential backoff with full jitter (a uniform
// delay between a floor and a ceiling that doubles per attempt), so competing writers spread out
// instead of retrying in step. The schedules are tabled in docs/writer/backoff.md.

export interface BackoffPolicy {
  /** The shortest wait. */
  minMs: number;
  /** The ceiling of the first retry's window; it doubles per attempt... */
  baseMs: number;
  /** ...up to this. */
  capMs: number;
}

export const BACKOFF = {
  /** `enqueue`, after a push failed with a 5xx or a partial success. */
  push: { minMs: 100, baseMs: 200, capMs: 5_000 },
  /** `enqueue`, after Forge's 429 (500 events a minute per installation). */
  pushRateLimited: { minMs: 500, baseMs: 1_000, capMs: 10_000 },
  /** The consumer, between re-reads after a failed version condition, inside one invocation. */
  conflict: { minMs: 10, baseMs: 50, capMs: 1_000 },
  /** The consumer's `retryAfter` when it hands an event back to the queue. Forge caps it at 900 s. */
  redelivery: { minMs: 1_000, baseMs: 2_000, capMs: 900_000 },
  /** A report job's page or scan handed back to the queue (Jira or storage trouble). */
  reportRedelivery: { minMs: 1_000, baseMs: 5_000, capMs: 900_000 },
} as const satisfies Record<string, BackoffPolicy>;

/** The wait before retry `attempt` (0 = the first retry): uniform in [min, min(cap, base * 2^attempt)]. */
export function backoffMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.max(policy.minMs, Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt)));
  return policy.minMs + random() * (ceiling - policy.minMs);
}

/** The same, in whole seconds, as Forge's `retryAfter` takes it (at least 1). */
export function backoffSeconds(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return Math.max(1, Math.ceil(backoffMs(policy, attempt, random) / 1000));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
