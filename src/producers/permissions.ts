// Who may do what, asked of Jira as the CALLING user (`asUser()`), never decided from the payload.
// Reads need BROWSE_PROJECTS on the issue, edits EDIT_ISSUES, report and secret admin the global
// ADMINISTER permission.
import api, { route } from '@forge/api';
import { fail, type ResolverError } from '../shared/resolver-api';

export interface IssueAccess {
  browse: boolean;
  edit: boolean;
}

/** Thrown when Jira itself could not answer; the resolver reports it as `unavailable`. */
export class PermissionCheckError extends Error {
  override readonly name = 'PermissionCheckError';
}

interface MyPermissions {
  permissions?: Record<string, { havePermission?: boolean } | undefined>;
}

/** The calling user's permissions on one issue, in one Jira request. */
export async function issueAccess(issueId: string): Promise<IssueAccess> {
  const response = await api
    .asUser()
    .requestJira(route`/rest/api/3/mypermissions?issueId=${issueId}&permissions=BROWSE_PROJECTS,EDIT_ISSUES`);
  // Jira answers 404 for an issue the user may not see: for us that is simply no access.
  if (response.status === 404 || response.status === 401 || response.status === 403)
    return { browse: false, edit: false };
  const body = await readPermissions(response);
  const browse = body.permissions?.['BROWSE_PROJECTS']?.havePermission === true;
  return { browse, edit: browse && body.permissions?.['EDIT_ISSUES']?.havePermission === true };
}

/** Whether the calling user is a Jira administrator (global ADMINISTER). */
export async function isJiraAdmin(): Promise<boolean> {
  const response = await api.asUser().requestJira(route`/rest/api/3/mypermissions?permissions=ADMINISTER`);
  if (response.status === 401 || response.status === 403) return false;
  const body = await readPermissions(response);
  return body.permissions?.['ADMINISTER']?.havePermission === true;
}

async function readPermissions(response: {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}): Promise<MyPermissions> {
  if (!response.ok) throw new PermissionCheckError(`Jira answered ${response.status} to a permission check`);
  return (await response.json()) as MyPermissions;
}

export const FORBIDDEN = {
  browse: (): { ok: false; error: ResolverError } =>
    fail('forbidden', 'You do not have permission to see this issue.'),
  edit: (): { ok: false; error: ResolverError } =>
    fail('forbidden', 'You do not have permission to edit this issue.'),
  admin: (): { ok: false; error: ResolverError } =>
    fail('forbidden', 'Only Jira administrators can do this.'),
};
