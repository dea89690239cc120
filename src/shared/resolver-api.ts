// The contract between the issue panel and its resolvers: resolver names, payload schemas (zod, so
// the resolvers validate with them and the panel's types are inferred from them), response types,
// and the typed result every resolver returns. Imported by the front end too: zod and types only.
import { CHANGED_SINCE_LOADED, type ExternalEvent } from './issue-data/issue-state';
import type { ReportJobView } from './report-job-view';
import { z } from 'zod';
// Straight from the envelope module (zod only), not the writer's index, which reaches Forge storage.
import { commandId } from './writer/envelope';
import {
  checklistAdd,
  checklistCheck,
  checklistRemove,
  checklistRename,
  checklistReorder,
} from './issue-data/commands';

// ---- results ------------------------------------------------------------------------------------

export type ResolverErrorCode = 'forbidden' | 'invalid-input' | 'not-found' | 'unavailable';

export interface ResolverError {
  code: ResolverErrorCode;
  message: string;
}

/** Every resolver answers with this: a typed failure is a value, never a thrown error. */
export type ResolverResult<T> = { ok: true; value: T } | { ok: false; error: ResolverError };

export function ok<T>(value: T): ResolverResult<T> {
  return { ok: true, value };
}

export function fail(code: ResolverErrorCode, message: string): { ok: false; error: ResolverError } {
  return { ok: false, error: { code, message } };
}

// ---- payloads -----------------------------------------------------------------------------------

/** Fields a UI edit may carry besides its command. Unknown fields (an `issueId`!) are stripped. */
const editFields = {
  /**
   * A whole-issue check, for callers that want one: the edit is refused if anything at all changed
   * the issue after this version (activity, reports, any other edit). The panel does not send it;
   * it sends the revision of the edited field as the command's `basedOn` instead.
   */
  expectedVersion: z.number().int().nonnegative().optional(),
  /**
   * The client's idempotency key, so a retried request does not apply twice. The resolver prefixes
   * it with the issue (the answer names the full id), hence shorter than a command id.
   */
  commandId: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[a-zA-Z0-9._-]+$/, 'client command ids use letters, digits, dot, dash and underscore')
    .optional(),
};

/**
 * Only checklist commands come from people; activity and reports come from webhooks and jobs. Who
 * made the edit (`by`) is not the caller's to say: the resolver sets it from the Forge context.
 */
export const submitCommandPayload = z.discriminatedUnion('type', [
  checklistAdd.extend({ payload: checklistAdd.shape.payload.omit({ by: true }), ...editFields }),
  checklistRename.extend({ payload: checklistRename.shape.payload.omit({ by: true }), ...editFields }),
  checklistCheck.extend({ payload: checklistCheck.shape.payload.omit({ by: true }), ...editFields }),
  checklistRemove.extend({ payload: checklistRemove.shape.payload.omit({ by: true }), ...editFields }),
  checklistReorder.extend({ payload: checklistReorder.shape.payload.omit({ by: true }), ...editFields }),
]);

/** Forge's batch read holds 25 keys: one storage request answers one poll. */
export const MAX_POLLED_COMMANDS = 25;

export const getStatusesPayload = z.object({
  commandIds: z.array(commandId).max(MAX_POLLED_COMMANDS),
});

export const reportKind = z.literal('time-in-status');

export const startReportPayload = z.object({ kind: reportKind });
export const reportJobPayload = z.object({
  jobId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9._-]+$/, 'job ids use letters, digits, dot, dash and underscore'),
});
export const listReportsPayload = z.object({ limit: z.number().int().min(1).max(50).optional() });
/** Resolvers without input accept any payload (the bridge may send `{}` or nothing). */
const noPayload = z.unknown();

export const resolverPayloads = {
  getIssueState: noPayload,
  submitCommand: submitCommandPayload,
  getStatuses: getStatusesPayload,
  startReport: startReportPayload,
  cancelReport: reportJobPayload,
  getReport: reportJobPayload,
  listReports: listReportsPayload,
  rotateWebhookSecret: noPayload,
  getRealtimeToken: noPayload,
} as const;

export type ResolverName = keyof typeof resolverPayloads;
export type PayloadOf<N extends ResolverName> = z.input<(typeof resolverPayloads)[N]>;
export type SubmitCommandPayload = z.infer<typeof submitCommandPayload>;

// ---- responses ----------------------------------------------------------------------------------

/**
 * A field's revision: the stamp of its last change, and who made it when a person did (their
 * account id). An edit sends `{ at, id }` back as its `basedOn`.
 */
export interface FieldRevision {
  at: number;
  id: string;
  by?: string;
}

export interface ChecklistItem {
  itemId: string;
  text: string;
  checked: boolean;
  /** The item's position; the panel picks a rank between neighbours to move an item. */
  rank: number;
  /** Each field's revision, null for a field never set (an item never checked). */
  revisions: { text: FieldRevision | null; checked: FieldRevision | null; rank: FieldRevision | null };
}

export type ExternalEventView = ExternalEvent;

export interface ReportResultView {
  reportKind: string;
  runId: string;
  computedAt: number;
  timeInStatusMs: Record<string, number>;
  transitions: number;
}

export interface IssueStateView {
  issue: { id: string; key: string };
  /** The version the view shows (any change to the issue moves it). */
  version: number;
  updatedAt: number;
  checklist: ChecklistItem[];
  activity: {
    counts: { created: number; updated: number; commented: number };
    lastTransition?: { from: string; to: string; at: number };
    /** Newest first. */
    external: ExternalEventView[];
  };
  /** Newest first, one per report kind. */
  reports: ReportResultView[];
  /** What the calling user may do, so the panel only offers what will work. */
  viewer: { canEdit: boolean; canAdminister: boolean };
}

export type CommandStatusValue = 'pending' | 'applied' | 'rejected' | 'dead-lettered';

export interface CommandStatusView {
  commandId: string;
  status: CommandStatusValue;
  version?: number;
  reason?: string;
  settledAt?: number;
}

/**
 * A report job as the panel sees it: state and progress for anyone who may browse the issue;
 * `jql`, `requestedBy` and `error` only for Jira administrators.
 */
export type ReportJobSummary = Omit<ReportJobView, 'jql' | 'requestedBy' | 'error'> &
  Partial<Pick<ReportJobView, 'jql' | 'requestedBy' | 'error'>>;

export interface ResolverResponses {
  getIssueState: IssueStateView;
  submitCommand: { commandId: string };
  getStatuses: { statuses: CommandStatusView[] };
  startReport: { started: boolean; job: ReportJobSummary };
  cancelReport: { job: ReportJobSummary };
  getReport: { job: ReportJobSummary };
  listReports: { jobs: ReportJobSummary[] };
  rotateWebhookSecret: { secret: string };
  getRealtimeToken: RealtimeSubscription;
}

export type ResponseOf<N extends ResolverName> = ResolverResponses[N];

/** A receipt's reason for an edit refused because the issue changed after the view was loaded. */
export function isStaleViewReason(reason: string | undefined): boolean {
  return reason?.startsWith('stale view') ?? false;
}

/** A receipt's reason for an edit refused because someone else changed its field (`basedOn`). */
export function isConflictReason(reason: string | undefined): boolean {
  return reason?.endsWith(CHANGED_SINCE_LOADED) ?? false;
}

// ---- live updates (Forge Realtime) --------------------------------------------------------------

/**
 * The global Realtime channel of one issue's changes. Global because the consumer, an async
 * event, cannot publish to a context channel (docs/platform.md#realtime); secured by a token whose
 * claims name the issue, signed only for users who may see it.
 */
export function issueChannel(issueId: string): string {
  return `issue-changes-${issueId}`;
}

/** The claims bound into every token of an issue's channel; publisher and subscriber must match. */
export function issueChannelClaims(issueId: string): { issueId: string } {
  return { issueId };
}

/** What `getRealtimeToken` gives the panel: a subscribe-only token for its issue's channel. */
export interface RealtimeSubscription {
  channel: string;
  token: string;
  /** Epoch seconds, as Forge answers it. */
  expiresAt: number;
}

/**
 * One message on an issue's channel: the version the consumer committed and what changed. Ids and
 * command types only, never texts or who made them: the panel reloads the view to see the rest.
 */
export const issueChangeMessage = z.object({
  issueId: z.string(),
  version: z.number().int().nonnegative(),
  changes: z
    .array(z.object({ commandId: z.string(), type: z.string(), itemId: z.string().optional() }))
    .max(50),
});
export type IssueChangeMessage = z.infer<typeof issueChangeMessage>;
