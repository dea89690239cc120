// The local server's route table: which route a method and path reach, the 405 with `allow` when
// only the method is wrong, no route at all for an unknown path, and the listing; then the real
// server's table, whose every listed route is served.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../local-runtime/index.js';
import { startServer } from '../../local-runtime/server/http-server.js';
import { HttpError } from '../../local-runtime/server/http-io.js';
import { listRoutes, matchRoute, type Match, type Route } from '../../local-runtime/server/route-table.js';
import { testJira } from './jira-test-fixture.js';

interface App {
  hooks: string[];
}

const route = <P extends string>(r: Route<App, P>): Route<App> => r;
const ignore = () => undefined;

const ROUTES: Route<App>[] = [
  route({
    methods: ['POST'],
    path: '/api/invoke/{module}/{resolverKey}',
    handle: ignore,
    list: () => [{ params: { module: 'panel' }, about: 'a resolver' }],
  }),
  route({
    methods: 'ANY',
    path: '/hook/{key}/...',
    handle: ignore,
    list: (app) => app.hooks.map((key) => ({ params: { key }, rest: '[/path]', about: 'a hook' })),
  }),
  route({ methods: ['GET', 'HEAD'], path: '/api/health', handle: ignore, list: () => [{}] }),
  route({ methods: ['DELETE'], path: '/api/health', handle: ignore, list: () => [] }),
  route({ methods: ['GET', 'HEAD'], path: '/', handle: ignore, list: () => [{ about: 'home' }] }),
];

const match = (method: string, pathname: string) => matchRoute(ROUTES, method, pathname);
const paramsOf = (method: string, pathname: string): Match | undefined => match(method, pathname)?.match;

function thrown(method: string, pathname: string): HttpError {
  try {
    match(method, pathname);
  } catch (error) {
    if (error instanceof HttpError) return error;
  }
  throw new Error(`${method} ${pathname} did not throw an HttpError`);
}

describe('matchRoute', () => {
  it('decodes each {name} segment once', () => {
    expect(paramsOf('POST', '/api/invoke/my%20panel/get%2Fall')).toEqual({
      params: { module: 'my panel', resolverKey: 'get/all' },
      rest: '',
    });
  });

  it('hands a rest-of-path route the raw remainder, with its leading slash', () => {
    expect(paramsOf('PUT', '/hook/k')).toEqual({ params: { key: 'k' }, rest: '' });
    expect(paramsOf('GET', '/hook/k/')).toEqual({ params: { key: 'k' }, rest: '/' });
    expect(paramsOf('PATCH', '/hook/k/a%2Fb/c')).toEqual({ params: { key: 'k' }, rest: '/a%2Fb/c' });
  });

  it('answers 405 with every allowed method when only the method is wrong', () => {
    const wrong = thrown('GET', '/api/invoke/panel/whoami');
    expect(wrong.status).toBe(405);
    expect(wrong.message).toBe('GET is not allowed here; use POST');
    expect(wrong.headers).toEqual({ allow: 'POST' });
    expect(thrown('PUT', '/api/health').headers).toEqual({ allow: 'GET, HEAD, DELETE' });
    expect(thrown('POST', '/').headers).toEqual({ allow: 'GET, HEAD' });
    expect(match('DELETE', '/api/health')?.route).toBe(ROUTES[3]);
  });

  it('finds no route for a path none has: the caller answers 404', () => {
    for (const pathname of [
      '/api/nothing-here',
      '/api/health/',
      '/api/invoke/panel',
      '/api/invoke/panel/',
      '/api/invoke/panel/a/b',
      '/hook',
      '/hook/',
      '//',
      '/API/health',
    ])
      expect(match('GET', pathname), pathname).toBeUndefined();
  });

  it('refuses a badly encoded segment with 400, whatever the method', () => {
    for (const method of ['POST', 'GET']) {
      const bad = thrown(method, '/api/invoke/panel/%E0%A4%A');
      expect(bad.status).toBe(400);
      expect(bad.message).toBe("The path segment '%E0%A4%A' is not validly encoded");
    }
    // A path no route has stays a 404, even when badly encoded.
    expect(match('GET', '/api/%E0%A4%A')).toBeUndefined();
  });
});

describe('listRoutes', () => {
  it('lists each route as it is matched: its first method, its path with the listed params filled in', () => {
    expect(listRoutes(ROUTES, { hooks: ['a', 'b'] }, 'http://x')).toEqual([
      'POST http://x/api/invoke/panel/{resolverKey}  a resolver',
      'ANY  http://x/hook/a[/path]  a hook',
      'ANY  http://x/hook/b[/path]  a hook',
      'GET  http://x/api/health',
      'GET  http://x/  home',
    ]);
  });
});

describe("the local server's routes", () => {
  const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');
  type Call = (method: string, p: string, accept?: string) => Promise<Response>;

  async function withServer(run: (call: Call) => Promise<void>): Promise<void> {
    const rt = await createRuntime({ appDir, jira: testJira, clock: 'real' });
    const server = await startServer(rt, { port: 0 });
    const call: Call = (method, p, accept = 'application/json') =>
      fetch(`${server.url}${p}`, { method, redirect: 'manual', headers: { accept } });
    try {
      await run(call);
    } finally {
      await server.close();
      await rt.close();
    }
  }

  it('serves every route it lists, with the method it lists', async () => {
    await withServer(async (call) => {
      const { routes } = (await (await call('GET', '/')).json()) as { routes: string[] };
      expect(routes.at(-1)).toBe('GET  /  the home page; this list as JSON with Accept: application/json');
      for (const line of routes) {
        const [, listed = '', shown = ''] = /^(\S+)\s+(\S+)/.exec(line) ?? [];
        // A listed `{name}` or `[/path]` stands for a value the reader picks: pick one.
        const p = shown
          .replace(/\?.*$/, '')
          .replace('[/path]', '/x')
          .replace(/\{(\w+)\}/g, '$1');
        const response = await call(listed === 'ANY' ? 'GET' : listed, p);
        const body = await response.text();
        expect(response.status, line).not.toBe(405);
        expect(body, line).not.toContain('Nothing is served');
      }
    });
  });

  it('answers a wrong method with 405 and allow, and an unknown path with 404', async () => {
    await withServer(async (call) => {
      for (const [method, p, allow] of [
        ['DELETE', '/api/health', 'GET, HEAD'],
        ['POST', '/', 'GET, HEAD'],
        ['POST', '/ui/test-panel', 'GET, HEAD'],
        ['PUT', '/resources/panel/', 'GET, HEAD'],
        ['GET', '/api/scheduled/nightly', 'POST'],
      ] as const) {
        const response = await call(method, p);
        expect(response.status, `${method} ${p}`).toBe(405);
        expect(response.headers.get('allow'), `${method} ${p}`).toBe(allow);
        expect(await response.json()).toEqual({
          error: {
            status: 405,
            message: `${method} is not allowed here; use ${allow.replace(', ', ' or ')}`,
          },
        });
      }
      const missing = await call('GET', '/api/nothing-here');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({
        error: { status: 404, message: 'Nothing is served at GET /api/nothing-here; GET / lists the routes' },
      });
    });
  });
});
