// The data the app keeps per Jira issue, shaped so that commands commute: every field a command
// sets is a last-writer-wins register stamped with (time, command id), counters only add, and a
// removed checklist item leaves a tombstone so a late-arriving edit cannot bring it back.
import type { ActivityKind } from './commands';

/** Orders concurrent writes: later `at` wins, ties broken by command id. */
export interface Stamp {
  at: number;
  id: string;
}

export interface Register<T> {
  value: T;
  stamp: Stamp;
}

export interface ChecklistEntry {
  /** Set once its `checklist.add` is applied; edits may arrive first and wait here unseen. */
  added: boolean;
  removed: boolean;
  text?: Register<string>;
  checked?: Register<boolean>;
  rank?: Register<number>;
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

export const MAX_CHECKLIST_ITEMS = 200;
export const MAX_EXTERNAL_EVENTS = 20;

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

/** The checklist as people see it: added, not removed, ordered by rank then id. */
export function checklistView(state: IssueState): ChecklistItemView[] {
  return Object.entries(state.checklist)
    .filter(([, e]) => e.added && !e.removed)
    .sort(
      ([ia, a], [ib, b]) => (a.rank?.value ?? 0) - (b.rank?.value ?? 0) || (ia < ib ? -1 : ia > ib ? 1 : 0),
    )
    .map(([itemId, e]) => ({ itemId, text: e.text?.value ?? '', checked: e.checked?.value ?? false }));
}
