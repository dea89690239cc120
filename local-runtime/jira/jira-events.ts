// The product events the local Jira sends when it changes, as Jira sends them to Forge apps
// (docs: events-reference/jira): `avi:jira:updated:issue` with the changelog of a transition,
// `avi:jira:commented:issue` when a comment is created or edited, `avi:jira:deleted:comment`.
// The runtime delivers them to the app's triggers (functions/product-events.ts).
import type { JiraChange, JiraStore } from './jira-store.js';

export interface JiraProductEvent {
  eventType: string;
  payload: {
    issue: Record<string, unknown>;
    atlassianId: string;
    [field: string]: unknown;
  };
}

export function productEventOf(change: JiraChange, store: JiraStore): JiraProductEvent {
  const issue = { id: change.issue.id, key: change.issue.key };
  const atlassianId = change.actorId;
  const associatedUsers = [{ accountId: change.actorId }];
  if (change.kind === 'issue-updated') {
    return {
      eventType: 'avi:jira:updated:issue',
      payload: {
        issue,
        atlassianId,
        associatedUsers,
        changelog: { id: change.history.id, items: change.history.items },
      },
    };
  }
  const comment = store.commentView(change.issue, change.comment);
  return {
    eventType: change.kind === 'comment-written' ? 'avi:jira:commented:issue' : 'avi:jira:deleted:comment',
    payload: {
      issue,
      atlassianId,
      ...(change.kind === 'comment-written' ? { associatedUsers } : {}),
      comment,
    },
  };
}
