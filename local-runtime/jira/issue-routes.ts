// GET /rest/api/3/issue/{idOrKey} and its paged changelog. An issue the caller may not browse is
// answered exactly like a missing one (404), as Jira does, so its existence does not leak.
import { jsonResponse } from '../kernel/http.js';
import { expandList, histories, renderIssue, selectFields } from './issue-view.js';
import { intParam, jiraError, type JiraRequest } from './jira-request.js';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const CHANGELOG_PAGE_MAX = 100;

export function getIssue(request: JiraRequest): Response {
  const issue = request.store.visibleIssue(request.caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const selection = selectFields(request.query.getAll('fields'), '*all');
  const expand = expandList(request.query.getAll('expand'));
  return jsonResponse(200, renderIssue(issue, request.store.baseUrl, selection, expand));
}

export function getChangelog(request: JiraRequest): Response {
  const issue = request.store.visibleIssue(request.caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const startAt = intParam(request.query.get('startAt'), 'startAt', 0);
  const requested = intParam(request.query.get('maxResults'), 'maxResults', CHANGELOG_PAGE_MAX);
  // A page of 0 would never reach the end; Jira answers at least one entry.
  const maxResults = Math.max(1, Math.min(requested, CHANGELOG_PAGE_MAX));
  const all = histories(issue);
  const values = all.slice(startAt, startAt + maxResults);
  const isLast = startAt + values.length >= all.length;
  const self = `${request.store.baseUrl}/rest/api/3/issue/${issue.id}/changelog?maxResults=${maxResults}&startAt=${startAt}`;
  return jsonResponse(200, {
    self,
    ...(isLast
      ? {}
      : {
          nextPage: `${request.store.baseUrl}/rest/api/3/issue/${issue.id}/changelog?maxResults=${maxResults}&startAt=${startAt + values.length}`,
        }),
    maxResults,
    startAt,
    total: all.length,
    isLast,
    values,
  });
}
