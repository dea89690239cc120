// Comments: GET/POST /rest/api/3/issue/{idOrKey}/comment and GET/PUT/DELETE .../comment/{id}.
// Bodies are ADF (REST v2 strings are converted before they get here: rest-v2.ts). Adding needs
// ADD_COMMENTS; editing and deleting need the _ALL_ permission, or the _OWN_ one on your comment.
// Writing a comment sends `avi:jira:commented:issue`, deleting one `avi:jira:deleted:comment`.
import { jsonResponse } from '../kernel/http.js';
import { isAdfDocument, type AdfDocument } from './adf.js';
import type { JiraIssue, JiraPermission } from './fixture.js';
import { bodyRecord, intParam, jiraError, JiraHttpError, type JiraRequest } from './jira-request.js';
import type { JiraComment } from './jira-store.js';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';
const COMMENT_PAGE_MAX = 100;

export function listComments(request: JiraRequest): Response {
  const { store, caller } = request;
  const issue = store.visibleIssue(caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const startAt = intParam(request.query.get('startAt'), 'startAt', 0);
  const maxResults = Math.min(
    intParam(request.query.get('maxResults'), 'maxResults', COMMENT_PAGE_MAX),
    COMMENT_PAGE_MAX,
  );
  const orderBy = request.query.get('orderBy') ?? 'created';
  const all = [...store.commentsOf(issue)];
  if (orderBy === '-created') all.reverse();
  else if (orderBy !== 'created' && orderBy !== '+created') {
    throw new JiraHttpError(400, `'orderBy' must be created, +created or -created.`);
  }
  return jsonResponse(200, {
    startAt,
    maxResults,
    total: all.length,
    comments: all.slice(startAt, startAt + maxResults).map((c) => store.commentView(issue, c)),
  });
}

export function addComment(request: JiraRequest): Response {
  const { store, caller } = request;
  const issue = store.visibleIssue(caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const body = commentBody(request);
  if (!store.has(caller, issue.fields.project.key, 'ADD_COMMENTS')) {
    return jiraError(403, 'You do not have the permission to comment on this issue.');
  }
  const comment = store.addComment(issue, caller, body, request.now);
  return jsonResponse(201, store.commentView(issue, comment));
}

export function getComment(request: JiraRequest): Response {
  const found = findComment(request);
  if (found instanceof Response) return found;
  return jsonResponse(200, request.store.commentView(found.issue, found.comment));
}

export function updateComment(request: JiraRequest): Response {
  const found = findComment(request);
  if (found instanceof Response) return found;
  const body = commentBody(request);
  if (!mayChange(request, found.issue, found.comment, 'EDIT_ALL_COMMENTS', 'EDIT_OWN_COMMENTS')) {
    return jiraError(403, 'You do not have the permission to edit this comment.');
  }
  request.store.updateComment(found.issue, found.comment, request.caller, body, request.now);
  return jsonResponse(200, request.store.commentView(found.issue, found.comment));
}

export function deleteComment(request: JiraRequest): Response {
  const found = findComment(request);
  if (found instanceof Response) return found;
  if (!mayChange(request, found.issue, found.comment, 'DELETE_ALL_COMMENTS', 'DELETE_OWN_COMMENTS')) {
    return jiraError(403, 'You do not have the permission to delete this comment.');
  }
  request.store.deleteComment(found.issue, found.comment, request.caller);
  return new Response(null, { status: 204 });
}

function findComment(request: JiraRequest): { issue: JiraIssue; comment: JiraComment } | Response {
  const issue = request.store.visibleIssue(request.caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const comment = request.store.comment(issue, request.params[1]!);
  if (!comment) return jiraError(404, `Can not find a comment for the id: ${request.params[1]}.`);
  return { issue, comment };
}

function mayChange(
  request: JiraRequest,
  issue: JiraIssue,
  comment: JiraComment,
  all: JiraPermission,
  own: JiraPermission,
): boolean {
  const { store, caller } = request;
  const project = issue.fields.project.key;
  return (
    store.has(caller, project, all) ||
    (comment.authorId === store.actorId(caller) && store.has(caller, project, own))
  );
}

function commentBody(request: JiraRequest): AdfDocument {
  const body = bodyRecord(request)['body'];
  if (isAdfDocument(body)) return body;
  throw new JiraHttpError(
    400,
    typeof body === 'string'
      ? `Comment body must be an Atlassian Document Format document in REST v3; send a string to /rest/api/2/... instead.`
      : `'body' is required: an Atlassian Document Format document ({"type":"doc","version":1,"content":[...]}).`,
  );
}
