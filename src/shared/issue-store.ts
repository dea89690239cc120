// Reads and commits an issue's state. The version is the compare-and-set token every commit checks.
import { FilterConditions, Filter, kvs } from '@forge/kvs';
import { emptyIssueState, type IssueState } from './issue-state.js';

export const ISSUE_STATE_ENTITY = 'issue-state';

export interface IssueRecord {
  issueId: string;
  /** 0 means the issue has no record yet. */
  version: number;
  updatedAt: number;
  state: IssueState;
}

interface StoredIssueRecord {
  issueId: string;
  version: number;
  updatedAt: number;
  state: IssueState;
}

export async function loadIssue(issueId: string): Promise<IssueRecord> {
  const stored = await kvs.entity<StoredIssueRecord>(ISSUE_STATE_ENTITY).get(issueId);
  if (!stored) return { issueId, version: 0, updatedAt: 0, state: emptyIssueState() };
  return stored;
}

/** Commits `next` only if the stored version is still `loaded.version`; throws a conflict otherwise. */
export async function commitIssue(loaded: IssueRecord, state: IssueState, now: number): Promise<number> {
  const version = loaded.version + 1;
  const value: StoredIssueRecord = { issueId: loaded.issueId, version, updatedAt: now, state };
  const conditions =
    loaded.version === 0
      ? new Filter<StoredIssueRecord>().and('version', FilterConditions.notExists())
      : new Filter<StoredIssueRecord>().and('version', FilterConditions.equalTo(loaded.version));
  await kvs.transact().set(loaded.issueId, value, { entityName: ISSUE_STATE_ENTITY, conditions }).execute();
  return version;
}
