// Statuses: GET /rest/api/3/status (every status), /rest/api/3/statuses/search (paged, filtered by
// name, category or project) and /rest/api/3/project/{projectIdOrKey}/statuses (per issue type).
import { jsonResponse } from '../kernel/http.js';
import type { JiraStatus } from './fixture.js';
import { intParam, jiraError, type JiraRequest } from './jira-request.js';
import { STATUS_CATEGORIES } from './jira-workflow.js';

const SEARCH_DEFAULT_PAGE = 200;

export function listStatuses(request: JiraRequest): Response {
  return jsonResponse(
    200,
    request.store.workflow.statuses.map((s) => request.store.statusView(s)),
  );
}

export function searchStatuses(request: JiraRequest): Response {
  const { store, query } = request;
  const startAt = intParam(query.get('startAt'), 'startAt', 0);
  const maxResults = Math.max(1, intParam(query.get('maxResults'), 'maxResults', SEARCH_DEFAULT_PAGE));
  const text = query.get('searchString')?.toLowerCase();
  const category = query.get('statusCategory')?.toUpperCase();
  const projectId = query.get('projectId');
  let statuses: readonly JiraStatus[] = store.workflow.statuses;
  if (projectId) {
    const project = store.project(projectId);
    if (!project) return jiraError(404, `No project could be found with id '${projectId}'.`);
    statuses = usedIn(request, project.key);
  }
  const matching = statuses.filter(
    (s) =>
      (!text || s.name.toLowerCase().includes(text)) &&
      (!category || STATUS_CATEGORIES[s.category].searchName === category),
  );
  const values = matching.slice(startAt, startAt + maxResults);
  return jsonResponse(200, {
    self: `${store.baseUrl}/rest/api/3/statuses/search?startAt=${startAt}&maxResults=${maxResults}`,
    maxResults,
    startAt,
    total: matching.length,
    isLast: startAt + values.length >= matching.length,
    values: values.map((s) => ({
      id: s.id,
      name: s.name,
      statusCategory: STATUS_CATEGORIES[s.category].searchName,
      scope: { type: 'GLOBAL' },
      description: s.description ?? '',
    })),
  });
}

export function projectStatuses(request: JiraRequest): Response {
  const { store, caller } = request;
  const ref = request.params[0]!;
  const project = store.project(ref);
  if (!project || !store.has(caller, project.key, 'BROWSE_PROJECTS')) {
    return jiraError(404, `No project could be found with key '${ref}'.`);
  }
  const statuses = usedIn(request, project.key).map((s) => store.statusView(s));
  const types = new Map<string, Record<string, unknown>>();
  for (const issue of store.issues.filter((i) => i.fields.project.key === project.key)) {
    const type = issue.fields['issuetype'] as { id?: unknown; name?: unknown; subtask?: unknown } | undefined;
    const name = typeof type?.name === 'string' ? type.name : 'Task';
    if (types.has(name)) continue;
    const id = typeof type?.id === 'string' ? type.id : String(10000 + types.size);
    types.set(name, {
      self: `${store.baseUrl}/rest/api/3/issuetype/${id}`,
      id,
      name,
      subtask: type?.subtask === true,
      statuses,
    });
  }
  return jsonResponse(200, [...types.values()]);
}

/** The statuses of a project: those its workflow uses and those its issues are in. */
function usedIn(request: JiraRequest, projectKey: string): JiraStatus[] {
  const { workflow, issues } = request.store;
  const ids = new Set(workflow.statusesIn(projectKey).map((s) => s.id));
  for (const issue of issues.filter((i) => i.fields.project.key === projectKey)) {
    ids.add(workflow.statusOf(issue).id);
  }
  return workflow.statuses.filter((s) => ids.has(s.id));
}
