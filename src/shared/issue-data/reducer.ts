// The pure heart of this app's writer: applies one command to an issue's state. No I/O, no clock,
// no randomness, so the consumer, the simulation's model and the tests all agree on what a command
// does.
import type { ApplyContext, ApplyResult } from '../writer';
import type { Command } from './commands';
import { createHash } from 'node:crypto';
import {
  deletedIssueState,
  isVisible,
  MAX_CHECKLIST_ITEMS,
  MAX_EXTERNAL_EVENTS,
  MAX_ITEM_TEXT,
  MAX_REPORT_KINDS,
  MAX_REPORT_STATUSES,
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
 * any arrival order. Checklist edits name an item that exists: an edit of an unknown or removed
 * item is refused (the panel only edits what it shows), so nothing invisible is ever stored.
 */
export function applyIssueCommand(
  stored: IssueState,
  cmd: Command,
  context: ApplyContext,
): ApplyResult<IssueState> {
  // First, so the reason names the real cause. Refusing is safe whatever the arrival order: a
  // command applied before the delete is wiped by it, one arriving after is refused, and both
  // orders leave the same state (the tombstone).
  if (stored.deletedAt !== undefined) return refuse(ISSUE_DELETED);
  const state = withoutLeftovers(stored);
  const stamp: Stamp = { at: context.issuedAt, id: stampId(context.commandId) };
  switch (cmd.type) {
    case 'checklist.add': {
      const { itemId, text, rank } = cmd.payload;
      if (state.checklist[itemId]) return refuse(`checklist item '${itemId}' already exists`);
      const tooLong = textTooLong(text);
      if (tooLong) return refuse(tooLong);
      if (Object.keys(state.checklist).length >= MAX_CHECKLIST_ITEMS)
        return refuse(`the checklist is full (${MAX_CHECKLIST_ITEMS} items)`);
      const entry: ChecklistEntry = {
        text: { value: text, stamp },
        ...(rank === undefined ? {} : { rank: { value: rank, stamp } }),
      };
      return ok({ ...state, checklist: { ...state.checklist, [itemId]: entry } });
    }
    case 'checklist.rename': {
      const tooLong = textTooLong(cmd.payload.text);
      if (tooLong) return refuse(tooLong);
      return editEntry(state, cmd.payload.itemId, (e) => ({
        ...e,
        text: lww(e.text, cmd.payload.text, stamp),
      }));
    }
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
    case 'checklist.remove': {
      const { itemId } = cmd.payload;
      if (!state.checklist[itemId]) return refuse(noSuchItem(itemId));
      // Deleted outright: a later edit of it names an item that does not exist and is refused.
      const { [itemId]: _removed, ...checklist } = state.checklist;
      return ok({ ...state, checklist });
    }
    case 'activity.record': {
      const counts = { ...state.activity.counts };
      counts[cmd.payload.kind] += 1;
      return ok({ ...state, activity: { ...state.activity, counts } });
    }
    case 'activity.transition': {
      const { from, to, at } = cmd.payload;
      const lastTransition = lww(state.activity.lastTransition, { from, to, at }, { at, id: stamp.id });
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
      const statuses = Object.keys(result.timeInStatusMs).length;
      if (statuses > MAX_REPORT_STATUSES)
        return refuse(`the report has ${statuses} statuses; an issue keeps at most ${MAX_REPORT_STATUSES}`);
      if (!state.reports[reportKind] && Object.keys(state.reports).length >= MAX_REPORT_KINDS)
        return refuse(`an issue keeps the results of at most ${MAX_REPORT_KINDS} report kinds`);
      const reportStamp = { at: result.computedAt, id: stamp.id };
      return ok({
        ...state,
        reports: { ...state.reports, [reportKind]: lww(state.reports[reportKind], result, reportStamp) },
      });
    }
  }
}

/**
 * A stamp's tie-breaker: 64 bits of a hash of the command id, not the id itself (up to 100
 * characters), so the three stamps of every item stay small. Two commands issued in the same
 * millisecond are still ordered the same way everywhere.
 */
function stampId(commandId: string): string {
  return createHash('sha256').update(commandId).digest('hex').slice(0, 16);
}

function textTooLong(text: string): string | undefined {
  return text.length > MAX_ITEM_TEXT
    ? `the item text is ${text.length} characters; the limit is ${MAX_ITEM_TEXT}`
    : undefined;
}

function noSuchItem(itemId: string): string {
  return `checklist item '${itemId}' does not exist`;
}

/** What earlier releases stored and nothing needs any more: tombstones and never-added entries. */
function withoutLeftovers(state: IssueState): IssueState {
  const entries = Object.entries(state.checklist);
  if (entries.every(([, e]) => e.added === undefined && e.removed === undefined)) return state;
  const checklist: Record<string, ChecklistEntry> = {};
  for (const [itemId, { added: _added, removed: _removed, ...entry }] of entries) {
    if (isVisible({ added: _added, removed: _removed })) checklist[itemId] = entry;
  }
  return { ...state, checklist };
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

function editEntry(
  state: IssueState,
  itemId: string,
  change: (entry: ChecklistEntry) => ChecklistEntry,
): ApplyResult<IssueState> {
  const entry = state.checklist[itemId];
  if (!entry) return refuse(noSuchItem(itemId));
  return ok({ ...state, checklist: { ...state.checklist, [itemId]: change(entry) } });
}
