// The app's own Jira account, to recognise events the app itself caused. Forge's `ignoreSelf`
// filter already holds those back; this is the second line, so a misconfigured manifest cannot
// make the app react to its own writes. Looked up once per warm container, not per event.
import api, { route } from '@forge/api';

let cached: string | undefined;

/** The app's account id, or undefined when Jira could not say (the caller then relies on ignoreSelf). */
export async function appAccountId(): Promise<string | undefined> {
  if (cached !== undefined) return cached;
  try {
    const response = await api.asApp().requestJira(route`/rest/api/3/myself`);
    if (!response.ok) return undefined;
    const body = (await response.json()) as { accountId?: unknown };
    if (typeof body.accountId === 'string' && body.accountId !== '') cached = body.accountId;
  } catch {
    // A failed look-up must not stop the event: ignoreSelf is the primary guard.
  }
  return cached;
}
