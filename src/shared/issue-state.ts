// The data the app keeps per Jira issue.

export interface Register<T> {
  value: T;
  stamp: { at: number; id: string };
}

export interface ChecklistEntry {
  added: boolean;
  text?: Register<string>;
}

export interface IssueState {
  checklist: Record<string, ChecklistEntry>;
}

export function emptyIssueState(): IssueState {
  return { checklist: {} };
}
