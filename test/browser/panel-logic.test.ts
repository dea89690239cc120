// The panel's pure logic, without a browser: status polling backoff and ranks for moves.
import { describe, expect, it } from 'vitest';
import type { ChecklistItem } from '../../src/shared/resolver-api.js';
import { rankBetween, rankForMove, rankForNewItem } from '../../ui/issue-panel/src/ranks.js';
import { MAX_DELAY_MS, pollUntilSettled } from '../../ui/issue-panel/src/status-poller.js';

describe('status polling', () => {
  it('backs off from 250 ms, doubling to 4 s, until the command settles', async () => {
    const delays: number[] = [];
    let polls = 0;
    const outcome = await pollUntilSettled(
      'c1',
      async (ids) => {
        polls++;
        const status = polls < 8 ? ('pending' as const) : ('applied' as const);
        return { ok: true, value: { statuses: ids.map((commandId) => ({ commandId, status })) } };
      },
      async (ms) => {
        delays.push(ms);
      },
    );
    expect(outcome).toEqual({ kind: 'settled', status: { commandId: 'c1', status: 'applied' } });
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000, 4000]);
    expect(Math.max(...delays)).toBe(MAX_DELAY_MS);
  });

  it('gives up after three failed polls in a row', async () => {
    const outcome = await pollUntilSettled(
      'c1',
      async () => ({ ok: false, error: { code: 'unavailable', message: 'down' } }),
      async () => undefined,
    );
    expect(outcome).toEqual({ kind: 'error', message: 'down' });
  });
});

describe('ranks', () => {
  const items: ChecklistItem[] = [1, 2, 3].map((rank) => ({
    itemId: `i${rank}`,
    text: '',
    checked: false,
    rank,
    revisions: { text: null, checked: null, rank: null },
  }));
  it('moves an item between its new neighbours', () => {
    expect(rankForMove(items, 2, -1)).toBe(1.5);
    expect(rankForMove(items, 1, -1)).toBe(0);
    expect(rankForMove(items, 0, 1)).toBe(2.5);
    expect(rankForMove(items, 1, 1)).toBe(4);
    expect(rankForMove(items, 0, -1)).toBeUndefined();
    expect(rankForMove(items, 2, 1)).toBeUndefined();
    expect(rankBetween(undefined, undefined)).toBe(0);
    expect(rankForNewItem(items)).toBe(4);
  });
});
