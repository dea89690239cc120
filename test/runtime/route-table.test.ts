// The local server's route table on its own: which route a method and path reach, the 405 with
// `allow` when only the method is wrong, no route at all for an unknown path, and the listing.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../local-runtime/server/http-io.js';
import { listRoutes, matchRoute, type Match, type Route } from '../../local-runtime/server/route-table.js';

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
