// The pure heart of this app's writer: applies one command to an issue's state. No I/O, no clock,
// no randomness, so the consumer, the simulation's model and the tests all agree on what a command
// does.
import type { ApplyContext, ApplyResult } from '../writer';
import type { Command, Revision } from './commands';
import { createHash } from 'node:crypto';
import {
  CHANGED_SINCE_LOADED,
  deletedIssueState,
  isVisible,
  MAX_CHECKLIST_ITEMS,
  MAX_EXTERNAL_EVENTS,
  MAX_ITEM_TEXT,
  MAX_REPORT_KINDS,
  MAX_REPORT_STATUSES,
  MAX_STORED_EDITOR,
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
 * item is refused (the panel only edits what it shows), so nothing invisible is ever stored. A
 * person's edit made from a field's revision (`basedOn`) is refused only if someone else changed
 * that field since (`conflictOf`); that is the one place where arrival order decides.
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
      const stampBy = withEditor(stamp, cmd.payload.by);
      const entry: ChecklistEntry = {
        text: { value: text, stamp: stampBy },
        ...(rank === undefined ? {} : { rank: { value: rank, stamp: stampBy } }),
      };
      return ok({ ...state, checklist: { ...state.checklist, [itemId]: entry } });
    }
    case 'checklist.rename': {
      const tooLong = textTooLong(cmd.payload.text);
      if (tooLong) return refuse(tooLong);
      return editEntry(state, stamp, cmd.payload, 'text', cmd.payload.text, (e, s) => ({
        ...e,
        text: lww(e.text, cmd.payload.text, s),
      }));
    }
    case 'checklist.check':
      return editEntry(state, stamp, cmd.payload, 'checked', cmd.payload.checked, (e, s) => ({
        ...e,
        checked: lww(e.checked, cmd.payload.checked, s),
      }));
    case 'checklist.reorder':
      return editEntry(state, stamp, cmd.payload, 'rank', cmd.payload.rank, (e, s) => ({
        ...e,
        rank: lww(e.rank, cmd.payload.rank, s),
      }));
    case 'checklist.remove': {
      const { itemId } = cmd.payload;
      const entry = state.checklist[itemId];
      if (!entry) return refuse(noSuchItem(itemId));
      const conflict = conflictOf(entry, 'text', cmd.payload);
      if (conflict) return refuse(conflict);
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

type Field = 'text' | 'checked' | 'rank';
const FIELD_NAMES: Record<Field, string> = { text: 'text', checked: 'check mark', rank: 'position' };

/** A person's edit of one item: who made it and, optionally, the revision of the field it was made from. */
interface ItemEdit {
  itemId: string;
  by?: string | undefined;
  basedOn?: Revision | undefined;
}

function editEntry(
  state: IssueState,
  stamp: Stamp,
  edit: ItemEdit,
  field: Field,
  value: string | boolean | number,
  change: (entry: ChecklistEntry, stamp: Stamp) => ChecklistEntry,
): ApplyResult<IssueState> {
  const entry = state.checklist[edit.itemId];
  if (!entry) return refuse(noSuchItem(edit.itemId));
  const conflict = conflictOf(entry, field, edit, value);
  if (conflict) return refuse(conflict);
  return ok({
    ...state,
    checklist: { ...state.checklist, [edit.itemId]: change(entry, withEditor(stamp, edit.by)) },
  });
}

/**
 * Why a person's edit of `field` is refused, if it is: the field changed after the revision they
 * saw, and not by them. Only that field counts, so activity, reports and edits of other fields or
 * items never conflict with it. Without `basedOn` (webhooks, jobs, older releases) nothing is checked.
 */
function conflictOf(
  entry: ChecklistEntry,
  field: Field,
  edit: ItemEdit,
  value?: string | boolean | number,
): string | undefined {
  if (edit.basedOn === undefined) return undefined;
  const register = entry[field];
  // A field is never unset again, so no stamp means nothing has changed it.
  if (!register) return undefined;
  // Both wanted the same: nothing to resolve.
  if (value !== undefined && register.value === value) return undefined;
  const current = register.stamp;
  if (edit.basedOn !== null && !newer(current, edit.basedOn)) return undefined;
  // The person's own earlier edit (still settling when they made this one) is no conflict.
  if (edit.by !== undefined && current.by === storedEditor(edit.by)) return undefined;
  const label = entry.text?.value ?? edit.itemId;
  return `the ${FIELD_NAMES[field]} of '${label}' was changed by ${editorName(current.by)} ${CHANGED_SINCE_LOADED}`;
}

/** The account id as a stamp keeps it: verbatim, or a hash for one longer than ids are today. */
export function storedEditor(accountId: string): string {
  return accountId.length <= MAX_STORED_EDITOR
    ? accountId
    : `#${createHash('sha256').update(accountId).digest('hex').slice(0, 16)}`;
}

function editorName(by: string | undefined): string {
  if (by === undefined) return 'someone else';
  return by.startsWith('#') ? 'another user' : by;
}

function withEditor(stamp: Stamp, by: string | undefined): Stamp {
  return by === undefined ? stamp : { ...stamp, by: storedEditor(by) };
}
