// Answers a user adds for endpoints the local Jira lacks (or to override one it has): static
// answers in the Jira fixture (`answers: [{ method, path, status, body }]`) and handler functions
// given to the runtime (`createRuntime({ jira: { routes: [...] } })`). A path is matched without
// its query; `{name}` in a pattern matches one path segment and is handed to the handler.
// docs/local-runtime.md, "Add a Jira answer".
import { jsonResponse } from '../kernel/http.js';
import type { JiraFixtureAnswer } from './fixture.js';
import type { JiraCaller } from './jira-store.js';

export interface JiraRouteRequest {
  method: string;
  /** The path without its query, e.g. `/rest/api/3/field`. */
  path: string;
  /** Values of the pattern's `{name}` segments. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body, the raw text when it is not JSON, or undefined. */
  body: unknown;
  /** Who calls: the app (`asApp()`) or a user (`asUser()`). */
  caller: JiraCaller;
}

/** What a handler answers: a fetch `Response`, or a status and a JSON body. */
export type JiraRouteAnswer =
  Response | { status?: number; body?: unknown; headers?: Record<string, string> };

export interface JiraRoute {
  /** `GET` by default; `*` for any method. */
  method?: string;
  /** e.g. `/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}` */
  path: string;
  handle: (request: JiraRouteRequest) => JiraRouteAnswer | Promise<JiraRouteAnswer>;
}

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  names: string[];
  describe: string;
  answer: (request: JiraRouteRequest) => JiraRouteAnswer | Promise<JiraRouteAnswer>;
}

export class CustomAnswers {
  private readonly routes: CompiledRoute[];

  constructor(handlers: readonly JiraRoute[], fixtureAnswers: readonly JiraFixtureAnswer[]) {
    // Handlers first: code can answer what a fixture answers more broadly.
    this.routes = [
      ...handlers.map((route) => compile(route.method ?? 'GET', route.path, 'handler', route.handle)),
      ...fixtureAnswers.map((a) =>
        compile(a.method, a.path, 'fixture answer', () => ({ status: a.status, body: a.body })),
      ),
    ];
  }

  get size(): number {
    return this.routes.length;
  }

  /** The user's answer to the request, or undefined when none matches. */
  async answer(request: Omit<JiraRouteRequest, 'params'>): Promise<Response | undefined> {
    for (const route of this.routes) {
      if (route.method !== '*' && route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
      );
      try {
        return toResponse(await route.answer({ ...request, params }));
      } catch (error) {
        return jsonResponse(500, {
          errorMessages: [
            `Your ${route.describe} threw: ${error instanceof Error ? error.message : String(error)}`,
          ],
          errors: {},
        });
      }
    }
    return undefined;
  }
}

function compile(method: string, path: string, kind: string, answer: CompiledRoute['answer']): CompiledRoute {
  if (!path.startsWith('/')) throw new Error(`A Jira ${kind}'s path must start with '/': '${path}'`);
  const names: string[] = [];
  const source = path
    .replace(/\/+$/, '')
    .split(/(\{[^}/]+\})/)
    .map((part) => {
      const name = /^\{([^}/]+)\}$/.exec(part)?.[1];
      if (name) {
        names.push(name);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const upper = method.toUpperCase();
  return {
    method: upper,
    pattern: new RegExp(`^${source}$`),
    names,
    describe: `${kind} for ${upper} ${path}`,
    answer,
  };
}

function toResponse(answer: JiraRouteAnswer): Response {
  if (answer instanceof Response) return answer;
  return jsonResponse(answer.status ?? 200, answer.body, answer.headers);
}
