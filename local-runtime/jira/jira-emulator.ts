// The local Jira: serves the REST paths a Forge app calls through `requestJira` (every transport
// of `@forge/api` ends in `fetch` here), from a fixture, for the app (every permission) or a user
// (the fixture's per-project permissions). Each request is metered as `jira.requests` and takes
// `latency.jira`. In order: the user's own answers (custom-answers.ts), the emulated v3 and agile
// routes, their v2 aliases (rest-v2.ts), else a 501 saying how to add an answer.
import { jsonResponse, parseJsonBody } from '../kernel/http.js';
import { sampleDelay } from '../kernel/latency.js';
import type { ServiceContext } from '../kernel/service-context.js';
import { myPermissions, myself } from './account-routes.js';
import {
  getBoard,
  getSprint,
  listBoardIssues,
  listBoards,
  listBoardSprints,
  listSprintIssues,
} from './agile-routes.js';
import { addComment, deleteComment, getComment, listComments, updateComment } from './comment-routes.js';
import { approximateCount } from './count-routes.js';
import { CustomAnswers, type JiraRoute } from './custom-answers.js';
import {
  EMPTY_FIXTURE,
  loadJiraFixture,
  type JiraFixture,
  type JiraIssue,
  type JiraUser,
} from './fixture.js';
import { getChangelog, getIssue } from './issue-routes.js';
import { productEventOf, type JiraProductEvent } from './jira-events.js';
import { jiraError, JiraHttpError, type JiraRequest } from './jira-request.js';
import { JiraStore, type JiraCaller } from './jira-store.js';
import { JqlError } from './jql-parser.js';
import { checkPermissions } from './permission-check-routes.js';
import { bodyToV3, responseToV2, v3PathOf } from './rest-v2.js';
import { legacySearch, searchJql } from './search-routes.js';
import { listStatuses, projectStatuses, searchStatuses } from './status-routes.js';
import { doTransition, getTransitions } from './transition-routes.js';

export type { JiraFixture, JiraIssue, JiraUser } from './fixture.js';
export type { JiraCaller } from './jira-store.js';
export type { JiraRoute, JiraRouteAnswer, JiraRouteRequest } from './custom-answers.js';
export type { JiraProductEvent } from './jira-events.js';

/** The runtime's `jira` option: a fixture (a file path or the object), or the fixture with handlers. */
export type JiraOption = string | JiraFixture | JiraOptions;

export interface JiraOptions {
  /** A path to a JSON fixture or the fixture itself; the app's `fixtures/jira.json` when absent. */
  fixture?: string | JiraFixture;
  /** Your answers for endpoints the local Jira lacks, consulted before its own routes. */
  routes?: readonly JiraRoute[];
}

/** Where the user learns how to answer an endpoint the local Jira lacks. */
export const ADD_A_JIRA_ANSWER = 'docs/local-runtime.md#add-a-jira-answer';

/** Unmetered reads for tests, product events and the console. */
export interface JiraInspector {
  issue(idOrKey: string): JiraIssue | undefined;
  issues(): readonly JiraIssue[];
  users(): JiraUser[];
}

export interface JiraEmulator {
  /** Serves one `requestJira` call. */
  fetch(path: string, init: RequestInit | undefined, caller: JiraCaller): Promise<Response>;
  /** The account `asApp()` calls act as (product events from it are the app's own). */
  readonly appAccountId: string;
  readonly baseUrl: string;
  readonly inspect: JiraInspector;
  /** Where the product events of Jira's own changes go (the runtime delivers them to triggers). */
  onProductEvent(listener: (event: JiraProductEvent) => Promise<unknown>): void;
  /** Product events sent but not yet delivered. */
  pendingEvents(): number;
}

type Route = { method: string[]; pattern: RegExp; handle: (request: JiraRequest) => Response };

const SEGMENT = '([^/]+)';
const ISSUE = `^/rest/api/3/issue/${SEGMENT}`;
const AGILE = '^/rest/agile/1.0';
const ROUTES: Route[] = [
  { method: ['GET'], pattern: new RegExp(`${ISSUE}$`), handle: getIssue },
  { method: ['GET'], pattern: new RegExp(`${ISSUE}/changelog$`), handle: getChangelog },
  { method: ['GET'], pattern: new RegExp(`${ISSUE}/transitions$`), handle: getTransitions },
  { method: ['POST'], pattern: new RegExp(`${ISSUE}/transitions$`), handle: doTransition },
  { method: ['GET'], pattern: new RegExp(`${ISSUE}/comment$`), handle: listComments },
  { method: ['POST'], pattern: new RegExp(`${ISSUE}/comment$`), handle: addComment },
  { method: ['GET'], pattern: new RegExp(`${ISSUE}/comment/${SEGMENT}$`), handle: getComment },
  { method: ['PUT'], pattern: new RegExp(`${ISSUE}/comment/${SEGMENT}$`), handle: updateComment },
  { method: ['DELETE'], pattern: new RegExp(`${ISSUE}/comment/${SEGMENT}$`), handle: deleteComment },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/status$/, handle: listStatuses },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/statuses\/search$/, handle: searchStatuses },
  {
    method: ['GET'],
    pattern: new RegExp(`^/rest/api/3/project/${SEGMENT}/statuses$`),
    handle: projectStatuses,
  },
  { method: ['POST'], pattern: /^\/rest\/api\/3\/permissions\/check$/, handle: checkPermissions },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/board$`), handle: listBoards },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/board/(\\d+)$`), handle: getBoard },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/board/(\\d+)/sprint$`), handle: listBoardSprints },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/board/(\\d+)/issue$`), handle: listBoardIssues },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/sprint/(\\d+)$`), handle: getSprint },
  { method: ['GET'], pattern: new RegExp(`${AGILE}/sprint/(\\d+)/issue$`), handle: listSprintIssues },
  { method: ['GET', 'POST'], pattern: /^\/rest\/api\/3\/search\/jql$/, handle: searchJql },
  { method: ['GET', 'POST'], pattern: /^\/rest\/api\/3\/search$/, handle: legacySearch },
  { method: ['POST'], pattern: /^\/rest\/api\/3\/search\/approximate-count$/, handle: approximateCount },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/mypermissions$/, handle: myPermissions },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/myself$/, handle: myself },
];

/** `defaultFixture` is used when the option names no fixture (the app's `fixtures/jira.json`). */
export function createJira(
  ctx: ServiceContext,
  option: JiraOption | undefined,
  defaultFixture: string | JiraFixture = EMPTY_FIXTURE,
): JiraEmulator {
  const { fixture, routes } = readOption(option, defaultFixture);
  const store = new JiraStore(loadJiraFixture(fixture));
  const answers = new CustomAnswers(routes, store.answers);
  const random = ctx.random.fork('jira');
  let deliver: (event: JiraProductEvent) => Promise<unknown> = async () => undefined;
  let pending = 0;

  // Jira sends its events after the change, not within the request: each is delivered on the
  // runtime clock, after the answer, and counted until its triggers have run.
  store.onChange = (change) => {
    const event = productEventOf(change, store);
    pending++;
    ctx.clock.setTimer(0, () => {
      void deliver(event)
        .catch((error: unknown) =>
          ctx.log(
            `[jira] ${event.eventType} could not be delivered: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => pending--);
    });
  };

  async function fetch(path: string, init: RequestInit | undefined, caller: JiraCaller): Promise<Response> {
    ctx.counters.add('jira.requests');
    const delay = sampleDelay(ctx.latency.jira, random);
    if (delay > 0) await ctx.clock.sleep(delay);
    const method = (init?.method ?? 'GET').toUpperCase();
    const response = await serve(method, path, init, caller);
    ctx.trace.record('jira', { method, path, caller: caller.kind, status: response.status });
    return response;
  }

  async function serve(
    method: string,
    path: string,
    init: RequestInit | undefined,
    caller: JiraCaller,
  ): Promise<Response> {
    if (caller.kind === 'user' && !store.user(caller.accountId)) {
      return jiraError(
        401,
        `The local Jira has no user '${caller.accountId}': add it to the Jira fixture's users.`,
      );
    }
    const url = new URL(path, store.baseUrl);
    const pathname = url.pathname.replace(/\/+$/, '');
    const rawBody = typeof init?.body === 'string' && init.body.trim() !== '' ? init.body : undefined;
    const body = parseJsonBody(init);

    const custom = await answers.answer({
      method,
      path: pathname,
      query: url.searchParams,
      body: body ?? rawBody,
      caller,
    });
    if (custom) return custom;

    const v3Path = v3PathOf(pathname);
    const routePath = v3Path ?? pathname;
    const matched = ROUTES.filter((r) => r.pattern.test(routePath));
    const route = matched.find((r) => r.method.includes(method));
    if (!route) {
      return matched.length > 0
        ? jiraError(405, `${method} is not allowed on ${pathname}.`)
        : notEmulated(method, pathname);
    }
    if (body === undefined && rawBody !== undefined) {
      return jiraError(400, 'The request body is not valid JSON.');
    }
    try {
      const params = route.pattern.exec(routePath)!.slice(1).map(decodeURIComponent);
      const response = route.handle({
        method,
        params,
        query: url.searchParams,
        body: v3Path ? bodyToV3(body, store.richTextFields) : body,
        caller,
        store,
        now: ctx.clock.now(),
      });
      return v3Path ? await responseToV2(response) : response;
    } catch (error) {
      if (error instanceof JqlError || error instanceof JiraHttpError) {
        return jiraError(error instanceof JiraHttpError ? error.status : 400, error.message);
      }
      if (error instanceof URIError) return jiraError(400, `The path ${pathname} is not validly encoded.`);
      throw error;
    }
  }

  return {
    fetch,
    appAccountId: store.appAccountId,
    baseUrl: store.baseUrl,
    inspect: {
      issue: (idOrKey) => store.issue(idOrKey),
      issues: () => store.issues,
      users: () => store.allUsers(),
    },
    onProductEvent(listener) {
      deliver = listener;
    },
    pendingEvents: () => pending,
  };
}

function readOption(
  option: JiraOption | undefined,
  defaultFixture: string | JiraFixture,
): { fixture: string | JiraFixture; routes: readonly JiraRoute[] } {
  if (option === undefined) return { fixture: defaultFixture, routes: [] };
  if (typeof option === 'string') return { fixture: option, routes: [] };
  if ('fixture' in option || 'routes' in option) {
    const { fixture, routes } = option as JiraOptions;
    for (const route of routes ?? []) {
      if (typeof route.handle !== 'function' || typeof route.path !== 'string') {
        throw new Error(`Each of the runtime's jira.routes needs a 'path' and a 'handle' function`);
      }
    }
    return { fixture: fixture ?? defaultFixture, routes: routes ?? [] };
  }
  return { fixture: option as JiraFixture, routes: [] };
}

/** 501: what the local Jira lacks, and how to answer it yourself. */
function notEmulated(method: string, pathname: string): Response {
  return jsonResponse(501, {
    errorMessages: [
      `The local Jira does not emulate ${method} ${pathname}. Add an answer for it: an entry ` +
        `{"method": "${method}", "path": "${pathname}", "status": 200, "body": ...} in the Jira fixture's ` +
        `"answers", or a handler in createRuntime({ jira: { fixture, routes: [{ method: '${method}', ` +
        `path: '${pathname}', handle: (request) => ({ status: 200, body: ... }) }] } }). ` +
        `See ${ADD_A_JIRA_ANSWER}.`,
    ],
    errors: {},
    method,
    path: pathname,
  });
}
