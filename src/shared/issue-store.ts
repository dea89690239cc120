// Reads issue records. One storage request however many issues: a single `get`, or a `batchGet`
// of up to 25 keys (Forge's batch limit) per request.
import { kvs } from '@forge/kvs';
import { emptyIssueState } from './issue-state';
import { ENTITY, type IssueRecord, type ReceiptRecord } from './storage-layout';

export const BATCH_LIMIT = 25;

export function emptyIssueRecord(issueId: string): IssueRecord {
  return { issueId, version: 0, updatedAt: 0, state: emptyIssueState() };
}

export async function loadIssue(issueId: string): Promise<IssueRecord> {
  return (await kvs.entity<IssueRecord>(ENTITY.issueState).get(issueId)) ?? emptyIssueRecord(issueId);
}

export interface Loaded {
  issues: Map<string, IssueRecord>;
  receipts: Map<string, ReceiptRecord>;
}

/** Loads issues (and, when asked, receipts) in as few storage requests as the batch limit allows. */
export async function loadIssuesAndReceipts(issueIds: string[], commandIds: string[] = []): Promise<Loaded> {
  const issues = new Map<string, IssueRecord>();
  const receipts = new Map<string, ReceiptRecord>();
  if (issueIds.length === 1 && commandIds.length === 0) {
    issues.set(issueIds[0]!, await loadIssue(issueIds[0]!));
    return { issues, receipts };
  }
  const keys = [
    ...issueIds.map((key) => ({ key, entityName: ENTITY.issueState })),
    ...commandIds.map((key) => ({ key, entityName: ENTITY.receipt })),
  ];
  for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
    const result = await kvs.batchGet<IssueRecord | ReceiptRecord>(keys.slice(i, i + BATCH_LIMIT));
    const failed = result.failedKeys.filter((f) => f.error.code !== 'KEY_NOT_FOUND');
    if (failed.length > 0)
      throw new Error(`batch read failed for ${failed.length} key(s): ${failed[0]!.error.message}`);
    for (const item of result.successfulKeys) {
      if (item.entityName === ENTITY.issueState) issues.set(item.key, item.value as IssueRecord);
      else receipts.set(item.key, item.value as ReceiptRecord);
    }
  }
  for (const id of issueIds) if (!issues.has(id)) issues.set(id, emptyIssueRecord(id));
  return { issues, receipts };
}
