// Jira product events (issue created, updated, commented, deleted) become writer commands. The
// trigger only validates, maps and enqueues; the consumer does the work.
import { issueWriter } from '../shared/issue-data/issue-writer';
import { describeIssues } from '../shared/writer';
import { appAccountId } from './app-account';
import { commandsForJiraEvent, jiraIssueEvent } from './jira-event';

export async function handler(event: unknown): Promise<void> {
  const parsed = jiraIssueEvent.safeParse(event);
  if (!parsed.success) {
    // Only the validation problems: the payload may hold user data and must not reach the logs.
    console.warn(`Ignored an unreadable Jira event: ${describeIssues(parsed.error.issues)}`);
    return;
  }
  const jiraEvent = parsed.data;
  if (jiraEvent.atlassianId !== undefined && jiraEvent.atlassianId === (await appAccountId())) {
    console.log(`Ignored ${jiraEvent.eventType} for issue ${jiraEvent.issue.id}: the app caused it`);
    return;
  }
  const commands = commandsForJiraEvent(jiraEvent, Date.now()).map(({ commandId, command }) =>
    issueWriter.command(jiraEvent.issue.id, command, { source: 'jira-webhook', commandId }),
  );
  // An EnqueueError propagates: the invocation fails visibly, and because the ids are derived from
  // the event, a redelivery re-enqueues safely.
  const { commandIds } = await issueWriter.enqueue(commands);
  console.log(`${jiraEvent.eventType} for issue ${jiraEvent.issue.id}: enqueued ${commandIds.join(', ')}`);
}
