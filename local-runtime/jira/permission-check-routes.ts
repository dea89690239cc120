// POST /rest/api/3/permissions/check (what `authorize()` of `@forge/api` calls): for each project
// permission asked about, the projects and issues (by id) the user holds it on; and the global
// permissions the user holds. As in Jira: ids that name nothing (or what the user may not browse)
// are left out; without `accountId` the caller is checked; checking someone else needs ADMINISTER
// (the app may check anyone). Answers agree with GET /rest/api/3/mypermissions (same store).
import { jsonResponse } from '../kernel/http.js';
import {
  GLOBAL_PERMISSIONS,
  PROJECT_PERMISSIONS,
  type JiraGlobalPermission,
  type JiraPermission,
} from './fixture.js';
import { bodyRecord, jiraError, JiraHttpError, type JiraRequest } from './jira-request.js';
import type { JiraCaller } from './jira-store.js';

/** Jira checks at most this many projects and issues in one call. */
const MAX_ENTITIES = 1000;

export function checkPermissions(request: JiraRequest): Response {
  const { store } = request;
  const body = bodyRecord(request);
  const accountId = body['accountId'];
  if (accountId !== undefined && typeof accountId !== 'string') {
    throw new JiraHttpError(400, `'accountId' must be a string.`);
  }
  let subject: JiraCaller = request.caller;
  if (accountId !== undefined && accountId !== store.actorId(request.caller)) {
    if (!store.hasGlobal(request.caller, 'ADMINISTER')) {
      return jiraError(403, 'Only Jira administrators can check the permissions of another user.');
    }
    if (!store.user(accountId)) return jiraError(400, `The local Jira has no user '${accountId}'.`);
    subject = { kind: 'user', accountId };
  }

  const globalAsked = stringList(body['globalPermissions'], 'globalPermissions');
  const unknownGlobal = globalAsked.filter((p) => !(GLOBAL_PERMISSIONS as readonly string[]).includes(p));
  if (unknownGlobal.length > 0) {
    return jiraError(
      400,
      `Unrecognized global permission key(s) in the local Jira: ${unknownGlobal.join(', ')}.`,
    );
  }
  const globalPermissions = globalAsked.filter((p) => store.hasGlobal(subject, p as JiraGlobalPermission));

  const asked = body['projectPermissions'] ?? [];
  if (!Array.isArray(asked)) throw new JiraHttpError(400, `'projectPermissions' must be an array.`);
  const projectPermissions = asked.flatMap((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new JiraHttpError(400, `'projectPermissions[${index}]' must be an object.`);
    }
    const { permissions, projects, issues } = entry as Record<string, unknown>;
    const keys = stringList(permissions, `projectPermissions[${index}].permissions`).filter(Boolean);
    const unknown = keys.filter((p) => !(PROJECT_PERMISSIONS as readonly string[]).includes(p));
    if (unknown.length > 0) {
      throw new JiraHttpError(
        400,
        `Unrecognized project permission key(s) in the local Jira: ${unknown.join(', ')}.`,
      );
    }
    const projectIds = idList(projects, `projectPermissions[${index}].projects`);
    const issueIds = idList(issues, `projectPermissions[${index}].issues`);
    return keys.map((key) => {
      const permission = key as JiraPermission;
      // With neither projects nor issues named, the answer lists every project the user holds it on.
      const projectsChecked =
        projectIds ?? (issueIds ? [] : store.projects.map((p) => Number(p.id)).filter(Number.isInteger));
      return {
        permission,
        projects: projectsChecked.filter((id) => {
          const project = store.project(String(id));
          return (
            project !== undefined &&
            store.has(subject, project.key, 'BROWSE_PROJECTS') &&
            store.has(subject, project.key, permission)
          );
        }),
        issues: (issueIds ?? []).filter((id) => {
          const issue = store.visibleIssue(subject, String(id));
          return issue !== undefined && store.has(subject, issue.fields.project.key, permission);
        }),
      };
    });
  });
  return jsonResponse(200, { globalPermissions, projectPermissions });
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new JiraHttpError(400, `'${name}' must be an array of strings.`);
  // Null entries are ignored, as in Jira.
  return value
    .filter((v) => v !== null)
    .map((v) => {
      if (typeof v !== 'string') throw new JiraHttpError(400, `'${name}' must be an array of strings.`);
      return v;
    });
}

/** Ids as numbers (Jira's int64); a numeric string is taken too, anything else ignored like an invalid id. */
function idList(value: unknown, name: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new JiraHttpError(400, `'${name}' must be an array of ids.`);
  if (value.length > MAX_ENTITIES)
    throw new JiraHttpError(400, `'${name}' may hold at most ${MAX_ENTITIES} ids.`);
  return value
    .map((v) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN))
    .filter(Number.isInteger);
}
