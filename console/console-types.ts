// The JSON the console API answers with, shared by the server (console-state.ts) and the page
// (page/console-page.ts), so the two cannot drift apart.
import type { ReportJobView } from '../src/producers/reports/report-jobs.js';

export type QueueEventState = 'scheduled' | 'held-back' | 'retrying' | 'in-flight';

export interface QueueEventRow {
  eventId: string;
  jobId: string;
  queueName: string;
  state: QueueEventState;
  dueAt: number;
  retryCount: number;
  issueIds: string[];
  commandTypes: string[];
  commands: number;
  replay: boolean;
  duplicate: boolean;
}

export interface DroppedEventRow {
  eventId: string;
  queueName: string;
  issueIds: string[];
  commands: number;
  retryCount: number;
  reason: string;
  droppedAt: number;
}

export interface QueuesView {
  /** `pending` is scheduled plus held back (waiting for a concurrency slot). */
  counts: { pending: number; heldBack: number; retrying: number; inFlight: number; dropped: number };
  /** The first events not yet finished, soonest due first. */
  events: QueueEventRow[];
  /** The most recently dropped events, newest first. */
  dropped: DroppedEventRow[];
}

export interface DeadLetterRow {
  deadLetterId: string;
  issueId: string;
  issueKey?: string;
  status: 'open' | 'replayed' | 'discarded' | 'malformed';
  reason: string;
  attempts: number;
  createdAt: number;
  /** The command's type; absent for a malformed event. */
  commandType?: string;
  source?: string;
  /** The start of a malformed event's raw body. */
  raw?: string;
}

export interface DeadLettersView {
  counts: { open: number; malformed: number; replayed: number; discarded: number };
  open: DeadLetterRow[];
  malformed: DeadLetterRow[];
  /** The most recently replayed, newest first. */
  replayed: DeadLetterRow[];
  /** The most recently discarded (given up on for good), newest first. */
  discarded: DeadLetterRow[];
}

export interface ReceiptRow {
  commandId: string;
  status: string;
  version: number;
  reason: string;
  settledAt: number;
}

export interface IssueSummary {
  checklist: {
    total: number;
    done: number;
    items: Array<{ itemId: string; text: string; checked: boolean }>;
  };
  activity: {
    created: number;
    updated: number;
    commented: number;
    lastTransition?: { from: string; to: string; at: number };
    external: Array<{ kind: string; environment: string; status: string; at: number }>;
  };
  reports: Array<{ kind: string; runId: string; computedAt: number; transitions: number; statuses: number }>;
  deletedAt?: number;
}

export interface IssueRow {
  issueId: string;
  /** From the local Jira, when it knows the issue. */
  issueKey?: string;
  title?: string;
  /** 0 when the issue has receipts or dead letters but no stored state yet. */
  version: number;
  updatedAt?: number;
  summary?: IssueSummary;
  /** Commands for this issue still in the queue. */
  queuedCommands: number;
  /** The most recent receipts, newest first. */
  receipts: ReceiptRow[];
}

export interface IssuesView {
  total: number;
  /** Most recently changed first. */
  issues: IssueRow[];
}

/** The app's own view of a job (as `getReport` answers it), plus why a failed job failed. */
export type ReportJobRow = ReportJobView;

export interface ReportsView {
  /** False until the app declares the report entities in manifest.yml. */
  available: boolean;
  jobs: ReportJobRow[];
}

export interface UsageGroup {
  title: string;
  counters: Array<{ name: string; value: number }>;
}

export interface UsageView {
  groups: UsageGroup[];
}

export interface ConsoleSnapshot {
  generatedAt: number;
  appId: string;
  /** The runtime's clock: `virtual` in tests, where its time runs ahead of the wall clock. */
  clock: 'real' | 'virtual';
  now: number;
  queues: QueuesView;
  deadLetters: DeadLettersView;
  issues: IssuesView;
  reports: ReportsView;
  usage: UsageView;
}

export interface ReplayResult {
  replayed: string[];
  events: number;
  pushes: number;
  /** Open letters left for another request (a request replays at most 100). */
  remaining: number;
}

export interface ConsoleError {
  error: { status: number; message: string };
}
