// Jira Software's agile API, read-only: GET /rest/agile/1.0/board (filtered by project, type,
// name), /board/{id}, /board/{id}/sprint (by state), /board/{id}/issue, /sprint/{id} and
// /sprint/{id}/issue (each filtered by `jql`). Boards and sprints come from the fixture. A board
// is visible to whoever may browse its project.
import { jsonResponse } from '../kernel/http.js';
import type { JiraBoard, JiraIssue, JiraSprint } from './fixture.js';
import { expandList, renderIssue, selectFields } from './issue-view.js';
import { intParam, jiraError, type JiraRequest } from './jira-request.js';
import { compileJql } from './jql-compiler.js';

const PAGE_DEFAULT = 50;

export function listBoards(request: JiraRequest): Response {
  const { store, caller, query } = request;
  const projectRef = query.get('projectKeyOrId');
  const project = projectRef ? store.project(projectRef) : undefined;
  const type = query.get('type');
  const name = query.get('name')?.toLowerCase();
  const boards = store.boards.filter(
    (b) =>
      store.has(caller, b.projectKey, 'BROWSE_PROJECTS') &&
      (!projectRef || b.projectKey === project?.key) &&
      (!type || type.split(',').includes(b.type)) &&
      (!name || b.name.toLowerCase().includes(name)),
  );
  return jsonResponse(
    200,
    page(
      request,
      boards.map((b) => boardView(request, b)),
    ),
  );
}

export function getBoard(request: JiraRequest): Response {
  const board = visibleBoard(request);
  return board instanceof Response ? board : jsonResponse(200, boardView(request, board));
}

export function listBoardSprints(request: JiraRequest): Response {
  const board = visibleBoard(request);
  if (board instanceof Response) return board;
  if (board.type === 'kanban') return jiraError(400, 'The board does not support sprints');
  const states = request.query.get('state')?.split(',');
  const sprints = request.store.sprints.filter(
    (s) => s.boardId === board.id && (!states || states.includes(s.state)),
  );
  return jsonResponse(
    200,
    page(
      request,
      sprints.map((s) => sprintView(request, s)),
    ),
  );
}

export function listBoardIssues(request: JiraRequest): Response {
  const board = visibleBoard(request);
  if (board instanceof Response) return board;
  const onBoard = compileJql(
    board.jql ?? `project = "${board.projectKey}"`,
    request.store,
    request.caller,
    request.now,
  );
  return issuePage(
    request,
    request.store.issues.filter((i) => onBoard.matches(i)),
  );
}

export function getSprint(request: JiraRequest): Response {
  const sprint = visibleSprint(request);
  return sprint instanceof Response ? sprint : jsonResponse(200, sprintView(request, sprint));
}

export function listSprintIssues(request: JiraRequest): Response {
  const sprint = visibleSprint(request);
  if (sprint instanceof Response) return sprint;
  const keys = new Set(sprint.issues);
  return issuePage(
    request,
    request.store.issues.filter((i) => keys.has(i.key)),
  );
}

function visibleBoard(request: JiraRequest): JiraBoard | Response {
  const id = Number(request.params[0]);
  const board = request.store.boards.find((b) => b.id === id);
  if (!board || !request.store.has(request.caller, board.projectKey, 'BROWSE_PROJECTS')) {
    return jiraError(404, `Board does not exist or you do not have permission to see it.`);
  }
  return board;
}

function visibleSprint(request: JiraRequest): JiraSprint | Response {
  const id = Number(request.params[0]);
  const sprint = request.store.sprints.find((s) => s.id === id);
  const board = sprint && request.store.boards.find((b) => b.id === sprint.boardId);
  if (!sprint || !board || !request.store.has(request.caller, board.projectKey, 'BROWSE_PROJECTS')) {
    return jiraError(404, `Sprint does not exist or you do not have permission to see it.`);
  }
  return sprint;
}

function boardView(request: JiraRequest, board: JiraBoard): Record<string, unknown> {
  const project = request.store.project(board.projectKey);
  return {
    id: board.id,
    self: `${request.store.baseUrl}/rest/agile/1.0/board/${board.id}`,
    name: board.name,
    type: board.type,
    location: {
      projectId: project ? Number(project.id) : undefined,
      projectKey: board.projectKey,
      projectName: project?.name ?? board.projectKey,
      displayName: `${project?.name ?? board.projectKey} (${board.projectKey})`,
      projectTypeKey: 'software',
    },
  };
}

function sprintView(request: JiraRequest, sprint: JiraSprint): Record<string, unknown> {
  return {
    id: sprint.id,
    self: `${request.store.baseUrl}/rest/agile/1.0/sprint/${sprint.id}`,
    state: sprint.state,
    name: sprint.name,
    ...(sprint.startDate ? { startDate: sprint.startDate } : {}),
    ...(sprint.endDate ? { endDate: sprint.endDate } : {}),
    ...(sprint.completeDate ? { completeDate: sprint.completeDate } : {}),
    originBoardId: sprint.boardId,
    ...(sprint.goal !== undefined ? { goal: sprint.goal } : {}),
  };
}

/** The agile API's paging of boards and sprints: `values` with `isLast`. */
function page(request: JiraRequest, all: Array<Record<string, unknown>>): Record<string, unknown> {
  const startAt = intParam(request.query.get('startAt'), 'startAt', 0);
  const maxResults = Math.max(1, intParam(request.query.get('maxResults'), 'maxResults', PAGE_DEFAULT));
  const values = all.slice(startAt, startAt + maxResults);
  return { maxResults, startAt, total: all.length, isLast: startAt + values.length >= all.length, values };
}

/** Issues of a board or sprint the caller may browse, narrowed by `jql`, as the agile API pages them. */
function issuePage(request: JiraRequest, issues: JiraIssue[]): Response {
  const { store, caller, query } = request;
  const jql = query.get('jql');
  const narrowed = jql ? compileJql(jql, store, caller, request.now) : undefined;
  const visible = issues
    .filter((i) => store.canSee(caller, i) && (!narrowed || narrowed.matches(i)))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const startAt = intParam(query.get('startAt'), 'startAt', 0);
  const maxResults = Math.max(1, intParam(query.get('maxResults'), 'maxResults', PAGE_DEFAULT));
  const selection = selectFields(query.getAll('fields'), '*all');
  const expand = expandList(query.getAll('expand'));
  return jsonResponse(200, {
    expand: 'schema,names',
    startAt,
    maxResults,
    total: visible.length,
    issues: visible
      .slice(startAt, startAt + maxResults)
      .map((i) => renderIssue(i, store.baseUrl, selection, expand)),
  });
}
