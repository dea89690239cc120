// Waits for a submitted command to settle by polling its receipt with backoff: quick at first,
// because the writer usually settles within a second, then slower so a busy queue is not hammered.
import type { CommandStatusView, ResolverResult } from '../../../src/shared/resolver-api.js';

export const FIRST_DELAY_MS = 250;
export const MAX_DELAY_MS = 4000;
/** After this long the panel stops watching; the command stays queued and will still apply. */
export const GIVE_UP_AFTER_MS = 120_000;

export type FetchStatuses = (
  commandIds: string[],
) => Promise<ResolverResult<{ statuses: CommandStatusView[] }>>;

export type PollOutcome =
  | { kind: 'settled'; status: CommandStatusView }
  | { kind: 'still-pending' }
  | { kind: 'error'; message: string };

export async function pollUntilSettled(
  commandId: string,
  fetchStatuses: FetchStatuses,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<PollOutcome> {
  let delay = FIRST_DELAY_MS;
  let waited = 0;
  let failures = 0;
  while (waited < GIVE_UP_AFTER_MS) {
    await sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    const result = await fetchStatuses([commandId]);
    if (!result.ok) {
      // A failed poll is retried with the same backoff; a few in a row means something is wrong.
      if (++failures >= 3) return { kind: 'error', message: result.error.message };
      continue;
    }
    failures = 0;
    const status = result.value.statuses.find((s) => s.commandId === commandId);
    if (status && status.status !== 'pending') return { kind: 'settled', status };
  }
  return { kind: 'still-pending' };
}
