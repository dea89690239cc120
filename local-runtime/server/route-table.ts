// A route table for the local HTTP server: each route names its methods, its path pattern, the
// handler that answers it and the lines it shows in the route listing, so a route cannot be served
// without being listed, nor listed without being served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, methodNotAllowed } from './http-io.js';

/** The names of a pattern's `{name}` segments: '/api/scheduled/{key}' has 'key'. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

export interface Match<P extends string = string> {
  /** The `{name}` segments, percent-decoded. */
  params: { [N in ParamNames<P>]: string };
  /** For a pattern ending in `/...`: the raw path after the fixed part, '' or starting with '/'. */
  rest: string;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/** One line of the listing: the route's path with `params` filled in, the others left as `{name}`. */
export interface Listed<P extends string = string> {
  params?: Partial<Match<P>['params']>;
  /** Shown in place of a final `/...`, e.g. '[/path]'. */
  rest?: string;
  about?: string;
}

/** A route of an app whose handlers and listings read `A` (its runtime, say). */
export interface Route<A, P extends string = string> {
  /** 'ANY' hands every method to the handler, which may refuse some itself. */
  methods: readonly string[] | 'ANY';
  /** Literal and `{name}` segments (never empty); a final `/...` takes the rest of the path. */
  path: P;
  handle(app: A, exchange: Exchange, match: Match<P>): void | Promise<void>;
  /** The route's lines in the listing: none, one, or one per manifest entry. */
  list(app: A): Listed<P>[];
}

const REST = '...';

/**
 * The first route serving `method` at `pathname`; undefined when no route has that path. Throws
 * 405 (with `allow`) when routes have the path but not the method, and 400 for a `{name}` segment
 * that is not validly percent-encoded: a malformed path is refused whatever the method.
 */
export function matchRoute<A>(
  routes: readonly Route<A>[],
  method: string,
  pathname: string,
): { route: Route<A>; match: Match } | undefined {
  const parts = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const match = matchPath(route.path, parts);
    if (!match) continue;
    if (route.methods === 'ANY' || route.methods.includes(method)) return { route, match };
    allowed.push(...route.methods.filter((m) => !allowed.includes(m)));
  }
  if (allowed.length > 0) throw methodNotAllowed(method, allowed);
  return undefined;
}

function matchPath(pattern: string, parts: string[]): Match | undefined {
  const segments = pattern.split('/').slice(1);
  const takesRest = segments.at(-1) === REST;
  const fixed = takesRest ? segments.slice(0, -1) : segments;
  if (takesRest ? parts.length < fixed.length : parts.length !== fixed.length) return undefined;
  const names = fixed.map((segment) => /^\{(\w+)\}$/.exec(segment)?.[1]);
  // A `{name}` takes any segment but an empty one; a literal only itself, compared undecoded.
  const fits = fixed.every((segment, i) => (names[i] === undefined ? parts[i] === segment : parts[i] !== ''));
  if (!fits) return undefined;
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    if (name !== undefined) params[name] = decodeSegment(parts[i] ?? '');
  });
  const rest = parts
    .slice(fixed.length)
    .map((part) => `/${part}`)
    .join('');
  return { params, rest };
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The path segment '${part}' is not validly encoded`);
  }
}

/** The listing, a line per entry: `METHOD base/path  about`, METHOD the route's first (GET, not HEAD). */
export function listRoutes<A>(routes: readonly Route<A>[], app: A, base: string): string[] {
  return routes.flatMap((route) => {
    const method = route.methods === 'ANY' ? 'ANY' : (route.methods[0] ?? 'ANY');
    return route.list(app).map((entry) => {
      const filled = route.path.replace(
        /\{(\w+)\}/g,
        (whole, name: string) => (entry.params as Record<string, string> | undefined)?.[name] ?? whole,
      );
      const path = filled.endsWith(`/${REST}`)
        ? filled.slice(0, -REST.length - 1) + (entry.rest ?? '')
        : filled;
      return `${method.padEnd(4)} ${base}${path}${entry.about ? `  ${entry.about}` : ''}`;
    });
  });
}
