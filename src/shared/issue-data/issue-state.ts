// The data the app keeps per Jira issue, shaped so that commands commute: every field a command
// sets is a last-writer-wins register stamped with (time, command id), counters only add. It is
// bounded by design: every collection has a documented limit, a removed checklist item leaves
// nothing behind, and the limits together stay far inside Forge's 240 KiB per record
// (docs/writer.md, "Bounded state"; test/writer/state-bounds.test.ts fills them all).
import type { ActivityKind } from './commands';

/** Orders concurrent writes: later `at` wins, ties broken by `id`, a short hash of the command id. */
export interface Stamp {
  at: number;
  id: string;
  /**
   * Who set the field, on a person's checklist edit (see `storedEditor`), so that their own next
   * edit of it is never a conflict and a refusal can name who changed it. Never part of ordering.
   */
  by?: string;
}

export interface Register<T> {
  value: T;
  stamp: Stamp;
}

/** An item on the checklist. Only items that exist are stored: a removed item is deleted. */
export interface ChecklistEntry {
  text?: Register<string>;
  checked?: Register<boolean>;
  rank?: Register<number>;
  /**
   * Written by earlier releases: entries waiting for their add (`added: false`) and tombstones of
   * removed items (`removed: true`). Never written now; dropped from a record on its next write.
   */
  added?: boolean;
  removed?: boolean;
}

export interface ExternalEvent {
  eventId: string;
  kind: 'deployment' | 'build';
  environment: string;
  status: 'started' | 'succeeded' | 'failed' | 'rolled-back';
  at: number;
  url?: string;
}

export interface ReportResult {
  runId: string;
  computedAt: number;
  timeInStatusMs: Record<string, number>;
  transitions: number;
}

export interface IssueState {
  checklist: Record<string, ChecklistEntry>;
  activity: {
    counts: Record<ActivityKind, number>;
    lastTransition?: Register<{ from: string; to: string; at: number }>;
    /** The most recent external events, newest first, at most MAX_EXTERNAL_EVENTS. */
    external: ExternalEvent[];
  };
  reports: Record<string, Register<ReportResult>>;
  /**
   * Set by `issue.delete`: the issue is gone from Jira, its data cleared. A tombstone rather than
   * no record, so that late commands are refused instead of recreating data for a deleted issue.
   */
  deletedAt?: number;
}

/**
 * The documented limits of one issue's data. Filled to the last character with 3-byte UTF-8
 * text, they come to about 169 KB (test/writer/state-bounds.test.ts), under the writer's 200 KiB
 * guard and a third under Forge's 240 KiB per record.
 */
export const MAX_CHECKLIST_ITEMS = 100;
/** Characters of an item's text (Jira's own limit for an issue summary). */
export const MAX_ITEM_TEXT = 255;
export const MAX_EXTERNAL_EVENTS = 20;
/** Report kinds with a stored result per issue, and statuses per time-in-status result. */
export const MAX_REPORT_KINDS = 2;
export const MAX_REPORT_STATUSES = 40;
/**
 * Characters of an account id kept verbatim in a stamp: Atlassian's ids today are at most 43
 * (`557058:` and a UUID). A longer one (the API allows 128) is kept as a hash, so that three
 * stamps on each of 100 items stay inside the record's budget.
 */
export const MAX_STORED_EDITOR = 43;

/** Ends the reason of a person's edit refused because its field changed since they saw it. */
export const CHANGED_SINCE_LOADED = 'since you loaded it';

export function emptyIssueState(): IssueState {
  return {
    checklist: {},
    activity: { counts: { created: 0, updated: 0, commented: 0 }, external: [] },
    reports: {},
  };
}

/** The state `issue.delete` leaves: nothing but the tombstone. */
export function deletedIssueState(at: number): IssueState {
  return { ...emptyIssueState(), deletedAt: at };
}

export function newer(a: Stamp, b: Stamp | undefined): boolean {
  return !b || a.at > b.at || (a.at === b.at && a.id > b.id);
}

export interface ChecklistItemView {
  itemId: string;
  text: string;
  checked: boolean;
}

/** An entry people see: every stored one, except what earlier releases left behind. */
export function isVisible(entry: ChecklistEntry): boolean {
  return entry.added !== false && entry.removed !== true;
}

/** The checklist as people see it, ordered by rank then id. */
export function checklistView(state: IssueState): ChecklistItemView[] {
  return Object.entries(state.checklist)
    .filter(([, e]) => isVisible(e))
    .sort(
      ([ia, a], [ib, b]) => (a.rank?.value ?? 0) - (b.rank?.value ?? 0) || (ia < ib ? -1 : ia > ib ? 1 : 0),
    )
    .map(([itemId, e]) => ({ itemId, text: e.text?.value ?? '', checked: e.checked?.value ?? false }));
}
