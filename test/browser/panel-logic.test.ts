// The panel's pure logic, without a browser: status polling backoff, ranks for moves, and edits in
// flight laid over the view.
import { describe, expect, it } from 'vitest';
import type { ChecklistItem } from '../../src/shared/resolver-api.js';
import { rankBetween, rankForMove, rankForNewItem } from '../../ui/issue-panel/src/ranks.js';
import { MAX_DELAY_MS, pollUntilSettled } from '../../ui/issue-panel/src/status-poller.js';
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
