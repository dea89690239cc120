// GET /rest/api/3/myself and GET /rest/api/3/mypermissions, answered for the caller: a user holds
// what the fixture grants; the app holds everything. Global permissions (ADMINISTER) do not depend on
// the issue or project asked about, as in Jira.
import { jsonResponse } from '../kernel/http.js';
import {
  GLOBAL_PERMISSIONS,
  PROJECT_PERMISSIONS,
  type JiraGlobalPermission,
  type JiraPermission,
} from './fixture.js';
import { jiraError, type JiraRequest } from './jira-request.js';

export function myself(request: JiraRequest): Response {
  const { caller, store } = request;
  if (caller.kind === 'app') {
    return jsonResponse(200, {
      self: `${store.baseUrl}/rest/api/3/user?accountId=${store.appAccountId}`,
      accountId: store.appAccountId,
      accountType: 'app',
      displayName: 'Local Forge app',
      active: true,
    });
  }
  const user = store.user(caller.accountId)!;
  return jsonResponse(200, {
    self: `${store.baseUrl}/rest/api/3/user?accountId=${user.accountId}`,
    accountId: user.accountId,
    accountType: 'atlassian',
    ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}),
    displayName: user.displayName,
    active: true,
    timeZone: 'UTC',
    locale: 'en_US',
  });
}

export function myPermissions(request: JiraRequest): Response {
  const { caller, store, query } = request;
  const requested = (query.get('permissions') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (requested.length === 0) return jiraError(400, 'The permissions query parameter is required.');
  const known: readonly string[] = [...PROJECT_PERMISSIONS, ...GLOBAL_PERMISSIONS];
  const unknown = requested.filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    return jiraError(
      400,
      `Unrecognized permission key(s) in the local Jira: ${unknown.join(', ')}. Known: ${known.join(', ')}.`,
    );
  }

  // The project the answer is about: from the issue or project named, else any project.
  let projectKeys: string[];
  const issueRef = query.get('issueId') ?? query.get('issueKey');
  const projectRef = query.get('projectKey') ?? query.get('projectId');
  if (issueRef) {
    const issue = store.visibleIssue(caller, issueRef);
    if (!issue) return jiraError(404, 'Issue does not exist or you do not have permission to see it.');
    projectKeys = [issue.fields.project.key];
  } else if (projectRef) {
    const project = store.project(projectRef);
    if (!project || !store.has(caller, project.key, 'BROWSE_PROJECTS')) {
      return jiraError(404, `No project could be found with key or id '${projectRef}'.`);
    }
    projectKeys = [project.key];
  } else {
    // Without a context Jira answers whether the caller holds the permission in at least one project.
    projectKeys = [...store.projects.map((p) => p.key), '*'];
  }

  const permissions: Record<string, unknown> = {};
  for (const [index, key] of requested.entries()) {
    if ((GLOBAL_PERMISSIONS as readonly string[]).includes(key)) {
      const globalKey = key as JiraGlobalPermission;
      permissions[key] = {
        id: String(GLOBAL_PERMISSIONS.indexOf(globalKey)),
        key,
        name: 'Administer Jira',
        type: 'GLOBAL',
        description: `Local Jira global permission ${key} (#${index + 1} asked for).`,
        havePermission: store.hasGlobal(caller, globalKey),
      };
      continue;
    }
    const projectKey = key as JiraPermission;
    permissions[key] = {
      id: String(10 + PROJECT_PERMISSIONS.indexOf(projectKey)),
      key,
      name: key
        .toLowerCase()
        .split('_')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join(' '),
      type: 'PROJECT',
      description: `Local Jira permission ${key} (#${index + 1} asked for).`,
      havePermission: projectKeys.some((p) => store.has(caller, p, projectKey)),
    };
  }
  return jsonResponse(200, { permissions });
}
