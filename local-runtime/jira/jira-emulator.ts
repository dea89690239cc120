// The local Jira: serves the REST paths a Forge app calls through `requestJira`, from a fixture,
// for the app (every permission) or a user (the fixture's per-project permissions). Each request
// is metered as `jira.requests` and takes `latency.jira`.
import { parseJsonBody } from '../kernel/http.js';
import { sampleDelay } from '../kernel/latency.js';
import type { ServiceContext } from '../kernel/service-context.js';
import { myPermissions, myself } from './account-routes.js';
import { approximateCount } from './count-routes.js';
import { loadJiraFixture, type JiraFixture, type JiraIssue, type JiraUser } from './fixture.js';
import { getChangelog, getIssue } from './issue-routes.js';
import { jiraError, JiraHttpError, type JiraRequest } from './jira-request.js';
import { JiraStore, type JiraCaller } from './jira-store.js';
import { JqlError } from './jql-parser.js';
import { legacySearch, searchJql } from './search-routes.js';

export type { JiraFixture, JiraIssue, JiraUser } from './fixture.js';
export type { JiraCaller } from './jira-store.js';

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
}

type Route = { method: string[]; pattern: RegExp; handle: (request: JiraRequest) => Response };

const SEGMENT = '([^/]+)';
const ROUTES: Route[] = [
  { method: ['GET'], pattern: new RegExp(`^/rest/api/3/issue/${SEGMENT}$`), handle: getIssue },
  { method: ['GET'], pattern: new RegExp(`^/rest/api/3/issue/${SEGMENT}/changelog$`), handle: getChangelog },
  { method: ['GET', 'POST'], pattern: /^\/rest\/api\/3\/search\/jql$/, handle: searchJql },
  { method: ['GET', 'POST'], pattern: /^\/rest\/api\/3\/search$/, handle: legacySearch },
  { method: ['POST'], pattern: /^\/rest\/api\/3\/search\/approximate-count$/, handle: approximateCount },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/mypermissions$/, handle: myPermissions },
  { method: ['GET'], pattern: /^\/rest\/api\/3\/myself$/, handle: myself },
];

export function createJira(ctx: ServiceContext, fixture: string | JiraFixture): JiraEmulator {
  const store = new JiraStore(loadJiraFixture(fixture));
  const random = ctx.random.fork('jira');

  async function fetch(path: string, init: RequestInit | undefined, caller: JiraCaller): Promise<Response> {
    ctx.counters.add('jira.requests');
    const delay = sampleDelay(ctx.latency.jira, random);
    if (delay > 0) await ctx.clock.sleep(delay);
    const method = (init?.method ?? 'GET').toUpperCase();
    const response = serve(method, path, init, caller);
    ctx.trace.record('jira', { method, path, caller: caller.kind, status: response.status });
    return response;
  }

  function serve(method: string, path: string, init: RequestInit | undefined, caller: JiraCaller): Response {
    if (caller.kind === 'user' && !store.user(caller.accountId)) {
      return jiraError(
        401,
        `The local Jira has no user '${caller.accountId}': add it to the Jira fixture's users.`,
      );
    }
    const url = new URL(path, store.baseUrl);
    const pathname = url.pathname.replace(/\/+$/, '');
    const matched = ROUTES.filter((r) => r.pattern.test(pathname));
    const route = matched.find((r) => r.method.includes(method));
    if (!route) {
      return matched.length > 0
        ? jiraError(405, `${method} is not allowed on ${pathname}.`)
        : jiraError(404, `The local Jira does not serve ${method} ${pathname}.`);
    }
    const body = parseJsonBody(init);
    if (body === undefined && typeof init?.body === 'string' && init.body.trim() !== '') {
      return jiraError(400, 'The request body is not valid JSON.');
    }
    try {
      const params = route.pattern.exec(pathname)!.slice(1).map(decodeURIComponent);
      return route.handle({
        method,
        params,
        query: url.searchParams,
        body,
        caller,
        store,
        now: ctx.clock.now(),
      });
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
  };
}
