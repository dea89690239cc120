// Resolves an issue key to its id (the writer's partition) with one small Jira request as the app.
import api, { route } from '@forge/api';

/** The issue's id, or undefined when Jira has no such issue. Other failures throw. */
export async function issueIdForKey(issueKey: string): Promise<string | undefined> {
  const response = await api.asApp().requestJira(route`/rest/api/3/issue/${issueKey}?fields=id`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`Jira answered ${response.status} for an issue look-up`);
  const body = (await response.json()) as { id?: unknown };
  if (typeof body.id !== 'string') throw new Error('Jira answered an issue look-up without an id');
  return body.id;
}
