// GET and POST /rest/api/3/issue/{idOrKey}/transitions: the transitions open to the issue, and
// moving it along one. A move changes the status, records a changelog entry and sends
// `avi:jira:updated:issue` with that changelog (jira-store.ts). A caller without
// TRANSITION_ISSUES sees no transitions, as in Jira.
import { jsonResponse } from '../kernel/http.js';
import { bodyRecord, jiraError, JiraHttpError, type JiraRequest } from './jira-request.js';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

export function getTransitions(request: JiraRequest): Response {
  const { store, caller } = request;
  const issue = store.visibleIssue(caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const allowed = store.has(caller, issue.fields.project.key, 'TRANSITION_ISSUES');
  const wanted = request.query.get('transitionId');
  const transitions = (allowed ? store.workflow.available(issue) : [])
    .filter(({ transition }) => wanted === null || transition.id === wanted)
    .map(({ transition, to }) => ({
      id: transition.id,
      name: transition.name,
      to: store.statusView(to),
      hasScreen: false,
      isGlobal: store.workflow.isGlobal(transition),
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      isLooped: false,
    }));
  return jsonResponse(200, { expand: 'transitions', transitions });
}

export function doTransition(request: JiraRequest): Response {
  const { store, caller } = request;
  const issue = store.visibleIssue(caller, request.params[0]!);
  if (!issue) return jiraError(404, NOT_FOUND);
  const body = bodyRecord(request);
  const ref = body['transition'] as { id?: unknown } | undefined;
  const id = typeof ref?.id === 'string' || typeof ref?.id === 'number' ? String(ref.id) : undefined;
  if (!id) throw new JiraHttpError(400, `'transition' with an 'id' is required.`);
  if (!store.has(caller, issue.fields.project.key, 'TRANSITION_ISSUES')) {
    return jiraError(403, 'You do not have permission to transition this issue.');
  }
  const open = store.workflow.available(issue).find(({ transition }) => transition.id === id);
  if (!open) {
    return jsonResponse(400, {
      errorMessages: [
        `Transition id '${id}' is not valid for this issue (it is in '${issue.fields.status.name}').`,
      ],
      errors: {},
    });
  }
  const fields = body['fields'];
  if (fields !== undefined && (typeof fields !== 'object' || fields === null || Array.isArray(fields))) {
    throw new JiraHttpError(400, `'fields' must be an object.`);
  }
  if (body['update'] !== undefined) {
    throw new JiraHttpError(
      400,
      `The local Jira does not apply 'update' during a transition; set 'fields', or add the comment with POST /rest/api/3/issue/{issueIdOrKey}/comment.`,
    );
  }
  store.transition(
    issue,
    open.transition,
    caller,
    request.now,
    fields as Record<string, unknown> | undefined,
  );
  return new Response(null, { status: 204 });
}
