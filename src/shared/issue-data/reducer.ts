// The pure heart of this app's writer: applies one command to an issue's state. No I/O, no clock,
// no randomness, so the consumer, the simulation's model and the tests all agree on what a command
// does.
import type { ApplyContext, ApplyResult } from '../writer';
import type { Command } from './commands';
import {
  deletedIssueState,
  MAX_CHECKLIST_ITEMS,
  MAX_EXTERNAL_EVENTS,
  newer,
  type ChecklistEntry,
  type IssueState,
  type Register,
  type Stamp,
} from './issue-state';

export const ISSUE_DELETED = 'issue was deleted';

/**
 * Applies `cmd` to `state`. Returns the new state, or a reason the command is refused for good.
 * Fields are stamped with the command's time and id, so concurrent edits resolve the same way in
 * any arrival order.
 */
export function applyIssueCommand(
  state: IssueState,
  cmd: Command,
  context: ApplyContext,
): ApplyResult<IssueState> {
  // First, so the reason names the real cause. Refusing is safe whatever the arrival order: a
  // command applied before the delete is wiped by it, one arriving after is refused, and both
  // orders leave the same state (the tombstone).
  if (state.deletedAt !== undefined) return refuse(ISSUE_DELETED);
  const stamp: Stamp = { at: context.issuedAt, id: context.commandId };
  switch (cmd.type) {
    case 'checklist.add': {
      const entry = state.checklist[cmd.payload.itemId];
      if (entry?.removed) return refuse(`checklist item '${cmd.payload.itemId}' was removed`);
      if (entry?.added) return refuse(`checklist item '${cmd.payload.itemId}' already exists`);
      const visible = Object.values(state.checklist).filter((e) => e.added && !e.removed).length;
      if (visible >= MAX_CHECKLIST_ITEMS)
        return refuse(`the checklist is full (${MAX_CHECKLIST_ITEMS} items)`);
      return withEntry(state, cmd.payload.itemId, (e) => ({
        ...e,
        added: true,
        text: lww(e.text, cmd.payload.text, stamp),
        rank: cmd.payload.rank === undefined ? e.rank : lww(e.rank, cmd.payload.rank, stamp),
      }));
    }
    case 'checklist.rename':
      return editEntry(state, cmd.payload.itemId, (e) => ({
        ...e,
        text: lww(e.text, cmd.payload.text, stamp),
      }));
    case 'checklist.check':
      return editEntry(state, cmd.payload.itemId, (e) => ({
        ...e,
        checked: lww(e.checked, cmd.payload.checked, stamp),
      }));
    case 'checklist.reorder':
      return editEntry(state, cmd.payload.itemId, (e) => ({
        ...e,
        rank: lww(e.rank, cmd.payload.rank, stamp),
      }));
    case 'checklist.remove':
      // A tombstone, so an edit or a re-add delivered late cannot bring the item back.
      return withEntry(state, cmd.payload.itemId, (e) => ({ ...e, removed: true }));
    case 'activity.record': {
      const counts = { ...state.activity.counts };
      counts[cmd.payload.kind] += 1;
      return ok({ ...state, activity: { ...state.activity, counts } });
    }
    case 'activity.transition': {
      const { from, to, at } = cmd.payload;
      const lastTransition = lww(
        state.activity.lastTransition,
        { from, to, at },
        { at, id: context.commandId },
      );
      return ok({ ...state, activity: { ...state.activity, lastTransition } });
    }
    case 'activity.external': {
      const event = cmd.payload;
      if (state.activity.external.some((e) => e.eventId === event.eventId)) {
        return ok(state); // the same external event sent twice (a webhook retry): keep one
      }
      // Newest first by (at, eventId); keeping the top N of a set does not depend on arrival order.
      const external = [...state.activity.external, event]
        .sort((a, b) => b.at - a.at || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0))
        .slice(0, MAX_EXTERNAL_EVENTS);
      return ok({ ...state, activity: { ...state.activity, external } });
    }
    case 'issue.delete':
      return ok(deletedIssueState(cmd.payload.at));
    case 'report.metrics': {
      const { reportKind, ...result } = cmd.payload;
      const reportStamp = { at: result.computedAt, id: context.commandId };
      return ok({
        ...state,
        reports: { ...state.reports, [reportKind]: lww(state.reports[reportKind], result, reportStamp) },
      });
    }
  }
}

function ok(state: IssueState): ApplyResult<IssueState> {
  return { ok: true, state };
}

function refuse(reason: string): ApplyResult<IssueState> {
  return { ok: false, reason };
}

function lww<T>(current: Register<T> | undefined, value: T, stamp: Stamp): Register<T> {
  return current && !newer(stamp, current.stamp) ? current : { value, stamp };
}

function withEntry(
  state: IssueState,
  itemId: string,
  change: (entry: ChecklistEntry) => ChecklistEntry,
): ApplyResult<IssueState> {
  const entry = state.checklist[itemId] ?? { added: false, removed: false };
  return ok({ ...state, checklist: { ...state.checklist, [itemId]: change(entry) } });
}

/** Edits may arrive before the item's add (delivery is unordered); they wait on the entry. */
function editEntry(
  state: IssueState,
  itemId: string,
  change: (entry: ChecklistEntry) => ChecklistEntry,
): ApplyResult<IssueState> {
  if (state.checklist[itemId]?.removed) return refuse(`checklist item '${itemId}' was removed`);
  return withEntry(state, itemId, change);
}
