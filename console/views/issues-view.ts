// Per-issue state with version and recent receipts. An issue appears once anything is stored for
// it: its state, a receipt (a command refused or dead-lettered before any was applied) or a letter.
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  issueWriter,
  type IssueReceipt,
  type IssueRecord,
} from '../../src/shared/issue-data/issue-writer.js';
import type { IssueRow, IssuesView, ReceiptRow } from '../console-types.js';
import { storedDeadLetters } from './dead-letters-view.js';
import { summarizeIssue } from './issue-summary.js';
import { queuedCommandsByIssue } from './queues-view.js';

export const DEFAULT_ISSUES = 50;
export const MAX_ISSUES = 500;
const RECEIPTS_PER_ISSUE = 10;

interface IssueIndex {
  records: Map<string, IssueRecord>;
  receipts: Map<string, IssueReceipt[]>;
  lastSeen: Map<string, number>;
}

function indexIssues(rt: LocalForgeRuntime): IssueIndex {
  const records = new Map<string, IssueRecord>();
  const receipts = new Map<string, IssueReceipt[]>();
  const lastSeen = new Map<string, number>();
  const seen = (issueId: string, at: number) =>
    lastSeen.set(issueId, Math.max(lastSeen.get(issueId) ?? 0, at));
  for (const { value } of rt.storage.listEntity(issueWriter.entities.state)) {
    const record = value as IssueRecord;
    if (typeof record?.issueId !== 'string') continue;
    records.set(record.issueId, record);
    seen(record.issueId, record.updatedAt ?? 0);
  }
  for (const { value } of rt.storage.listEntity(issueWriter.entities.receipt)) {
    const receipt = value as IssueReceipt;
    if (typeof receipt?.issueId !== 'string' || receipt.issueId === '') continue;
    const list = receipts.get(receipt.issueId) ?? [];
    list.push(receipt);
    receipts.set(receipt.issueId, list);
    seen(receipt.issueId, receipt.settledAt ?? 0);
  }
  for (const letter of storedDeadLetters(rt)) if (letter.issueId) seen(letter.issueId, letter.createdAt ?? 0);
  return { records, receipts, lastSeen };
}

function receiptRow(r: IssueReceipt): ReceiptRow {
  return {
    commandId: r.commandId,
    status: r.status,
    version: r.version,
    reason: r.reason ?? '',
    settledAt: r.settledAt,
  };
}

function issueRow(
  rt: LocalForgeRuntime,
  index: IssueIndex,
  queued: Map<string, number>,
  issueId: string,
): IssueRow {
  const record = index.records.get(issueId);
  const jira = rt.jira.inspect.issue(issueId);
  const title = jira?.fields.summary;
  return {
    issueId,
    ...(jira ? { issueKey: jira.key } : {}),
    ...(title ? { title } : {}),
    version: record?.version ?? 0,
    ...(record ? { updatedAt: record.updatedAt, summary: summarizeIssue(record.state) } : {}),
    queuedCommands: queued.get(issueId) ?? 0,
    receipts: (index.receipts.get(issueId) ?? [])
      .sort((a, b) => b.settledAt - a.settledAt || b.version - a.version)
      .slice(0, RECEIPTS_PER_ISSUE)
      .map(receiptRow),
  };
}

export function issuesView(rt: LocalForgeRuntime, limit = DEFAULT_ISSUES): IssuesView {
  const index = indexIssues(rt);
  const queued = queuedCommandsByIssue(rt);
  const ids = [...index.lastSeen.entries()]
    .sort(([a, at], [b, bt]) => bt - at || (a < b ? -1 : 1))
    .map(([id]) => id);
  return { total: ids.length, issues: ids.slice(0, limit).map((id) => issueRow(rt, index, queued, id)) };
}

/** One issue, or undefined when nothing is stored for it. */
export function issueView(rt: LocalForgeRuntime, issueId: string): IssueRow | undefined {
  const index = indexIssues(rt);
  if (!index.lastSeen.has(issueId)) return undefined;
  return issueRow(rt, index, queuedCommandsByIssue(rt), issueId);
}
