// POST /rest/api/3/search/approximate-count: how many issues a (bounded) JQL query matches, as
// the enhanced search would page them. Jira calls it approximate because its index lags writes;
// the local Jira's count is exact. Issues the caller may not browse are not counted.
import { jsonResponse } from '../kernel/http.js';
import { bodyRecord, JiraHttpError, type JiraRequest } from './jira-request.js';
import { compileJql } from './jql-compiler.js';

export function approximateCount(request: JiraRequest): Response {
  const body = bodyRecord(request);
  const jql = body['jql'];
  if (jql !== undefined && typeof jql !== 'string') throw new JiraHttpError(400, `'jql' must be a string.`);
  const compiled = compileJql(jql ?? '', request.store, request.caller, request.now);
  if (!compiled.bounded) {
    throw new JiraHttpError(
      400,
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  const count = request.store.issues.filter(
    (issue) => request.store.canSee(request.caller, issue) && compiled.matches(issue),
  ).length;
  return jsonResponse(200, { count });
}
