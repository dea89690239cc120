// The panel's pure logic, without a browser: status polling backoff, ranks for moves, edits in
// flight laid over the view, and live updates with their polling fallback.
import { describe, expect, it } from 'vitest';
import type { ChecklistItem } from '../../src/shared/resolver-api.js';
import { rankBetween, rankForMove, rankForNewItem } from '../../ui/issue-panel/src/ranks.js';
import { MAX_DELAY_MS, pollUntilSettled } from '../../ui/issue-panel/src/status-poller.js';
import {
  LiveUpdates,
  POLL_FIRST_MS,
  QUIET_AFTER_MS,
  RESUBSCRIBE_FIRST_MS,
} from '../../ui/issue-panel/src/live-updates.js';
import {
  conflictOf,
  overlay,
  unseen,
  withBasis,
  withoutBasis,
  type TrackedEdit,
} from '../../ui/issue-panel/src/edits.js';

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

describe('edits in flight', () => {
  const stamp = (at: number, by?: string) => ({ at, id: `${at}`.padStart(16, '0'), ...(by ? { by } : {}) });
  const items: ChecklistItem[] = [
    {
      itemId: 'a',
      text: 'Write docs',
      checked: false,
      rank: 1,
      revisions: { text: stamp(1, 'ana'), checked: null, rank: stamp(1, 'ana') },
    },
    {
      itemId: 'b',
      text: 'Fix bug',
      checked: true,
      rank: 2,
      revisions: { text: stamp(2), checked: stamp(3, 'bo'), rank: stamp(2) },
    },
  ];
  const tracked = (edit: TrackedEdit['edit'], state: TrackedEdit['state'], appliedVersion?: number) => ({
    key: 0,
    edit,
    label: '',
    state,
    ...(appliedVersion === undefined ? {} : { appliedVersion }),
  });

  it('sends the revision of the edited field, without who set it, and none for an item not loaded yet', () => {
    expect(withBasis({ type: 'checklist.check', payload: { itemId: 'a', checked: true } }, items[0])).toEqual(
      {
        type: 'checklist.check',
        payload: { itemId: 'a', checked: true, basedOn: null },
      },
    );
    const rename = withBasis({ type: 'checklist.rename', payload: { itemId: 'b', text: 'x' } }, items[1]);
    expect(rename.payload).toEqual({ itemId: 'b', text: 'x', basedOn: { at: 2, id: stamp(2).id } });
    expect(withoutBasis(rename).payload).toEqual({ itemId: 'b', text: 'x' });
    expect(withBasis({ type: 'checklist.remove', payload: { itemId: 'b' } }, items[1]).payload).toEqual({
      itemId: 'b',
      basedOn: { at: 2, id: stamp(2).id },
    });
    expect(
      withBasis({ type: 'checklist.check', payload: { itemId: 'c', checked: true } }, undefined).payload,
    ).toEqual({ itemId: 'c', checked: true });
  });

  it('shows pending edits, and applied ones until the view has them, over the view', () => {
    const edits = [
      tracked({ type: 'checklist.check', payload: { itemId: 'a', checked: true } }, 'pending'),
      tracked({ type: 'checklist.rename', payload: { itemId: 'b', text: 'Fix the bug' } }, 'applied', 5),
      tracked({ type: 'checklist.add', payload: { itemId: 'c', text: 'New', rank: 0 } }, 'pending'),
      tracked({ type: 'checklist.remove', payload: { itemId: 'a' } }, 'rejected'),
    ];
    expect(unseen(edits, 4)).toHaveLength(3);
    expect(overlay(items, unseen(edits, 4)).map((i) => [i.itemId, i.text, i.checked])).toEqual([
      ['c', 'New', false],
      ['a', 'Write docs', true],
      ['b', 'Fix the bug', true],
    ]);
    // The view at version 5 has the rename: only the pending edits are laid over it.
    expect(unseen(edits, 5)).toHaveLength(2);
  });

  it('describes a conflict with both values and who changed the field', () => {
    const edit = { type: 'checklist.check' as const, payload: { itemId: 'b', checked: false } };
    expect(conflictOf(edit, 'the check mark … since you loaded it', items[1])).toEqual({
      reason: 'the check mark … since you loaded it',
      mine: 'not checked',
      theirs: 'checked',
      by: 'bo',
    });
    expect(conflictOf(edit, 'r', undefined).theirs).toBe('the item was removed');
  });
});

describe('live updates', () => {
  /** Timers run by hand: `fire(ms)` runs the first pending timer of that delay. */
  function harness(options: { subscribeFails?: () => boolean } = {}) {
    const timers: Array<{ fn: () => void; ms: number; live: boolean }> = [];
    const reloads: number[] = [];
    const modes: string[] = [];
    let version = 1;
    /** The version a reload finds. */
    let server = 1;
    let onEvent: ((payload: unknown, error?: Error) => void) | undefined;
    let subscribes = 0;
    const live = new LiveUpdates({
      getToken: async () => ({ channel: 'issue-changes-1', token: 't', expiresAt: 4_000_000_000 }),
      subscribe: async (_channel, callback) => {
        subscribes++;
        if (options.subscribeFails?.()) throw new Error('down');
        onEvent = callback;
        return { unsubscribe: async () => undefined };
      },
      reload: async () => {
        version = server;
        reloads.push(version);
        return version;
      },
      version: () => version,
      onMode: (m) => modes.push(m),
      setTimer: (fn, ms) => {
        const timer = { fn, ms, live: true };
        timers.push(timer);
        return timer;
      },
      clearTimer: (t) => ((t as { live: boolean }).live = false),
      now: () => 0,
    });
    const pending = () => timers.filter((t) => t.live).map((t) => t.ms);
    const fire = async (ms: number, which: 'first' | 'last' = 'first') => {
      const matching = timers.filter((t) => t.live && t.ms === ms);
      const timer = which === 'first' ? matching[0] : matching.at(-1);
      if (!timer) throw new Error(`no timer of ${ms} ms (pending: ${pending().join(', ')})`);
      timer.live = false;
      timer.fn();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    return {
      live,
      reloads,
      modes,
      pending,
      fire,
      setVersion: (v: number) => (server = v),
      emit: (payload: unknown, error?: Error) => onEvent?.(payload, error),
      subscribes: () => subscribes,
    };
  }

  it('is live without polling, and reloads only for a newer version', async () => {
    const h = harness();
    await h.live.start();
    expect(h.live.currentMode).toBe('live');
    expect(h.reloads).toEqual([]);
    h.emit(JSON.stringify({ issueId: '1', version: 1, changes: [] }));
    expect(h.reloads).toEqual([]);
    h.emit({ issueId: '1', version: 2, changes: [{ commandId: 'c', type: 'checklist.add', itemId: 'a' }] });
    expect(h.reloads).toHaveLength(1);
    h.emit('not a message');
    expect(h.reloads).toHaveLength(1);
    // Only the token renewal is pending: no poll.
    expect(h.pending()).toHaveLength(1);
  });

  it('polls with backoff when subscribing fails, and stops once a retry subscribes', async () => {
    let failing = true;
    const h = harness({ subscribeFails: () => failing });
    await h.live.start();
    expect(h.live.currentMode).toBe('polling');
    expect(h.pending().sort((a, b) => a - b)).toEqual([POLL_FIRST_MS, RESUBSCRIBE_FIRST_MS]);
    await h.fire(POLL_FIRST_MS); // poll 1: nothing new, next in 4 s
    expect(h.pending()).toContain(4000);
    await h.fire(4000);
    expect(h.pending()).toContain(8000);
    h.setVersion(2);
    await h.fire(8000); // a change: quick again
    expect(h.pending().filter((ms) => ms === POLL_FIRST_MS)).toHaveLength(2);
    expect(h.reloads).toEqual([1, 1, 2]);
    failing = false;
    await h.fire(RESUBSCRIBE_FIRST_MS);
    expect(h.live.currentMode).toBe('live');
    // The changes missed meanwhile are read once; then no poll is pending.
    expect(h.reloads).toEqual([1, 1, 2, 2]);
    expect(h.pending()).toHaveLength(1);
  });

  it('falls back when the stream breaks or goes quiet after an applied edit', async () => {
    const h = harness();
    await h.live.start();
    h.emit(undefined, new Error('Realtime connection closed'));
    expect(h.live.currentMode).toBe('polling');
    await h.fire(RESUBSCRIBE_FIRST_MS, 'last');
    expect(h.live.currentMode).toBe('live');
    h.live.expectVersion(5);
    await h.fire(QUIET_AFTER_MS);
    // Quiet: polling, and subscribed again at once.
    expect(h.subscribes()).toBe(3);
    expect(h.modes).toEqual(['live', 'polling', 'live', 'polling', 'live']);
    h.live.expectVersion(6);
    h.emit({ issueId: '1', version: 6, changes: [] });
    expect(h.pending()).not.toContain(QUIET_AFTER_MS);
  });
});
