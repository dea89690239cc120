// The local Forge runtime over HTTP (node:http, no framework): resolvers, web triggers, product
// events, scheduled triggers, counters, queues, health, the app's static resources and Custom UI.
// One table, ROUTES, both serves the routes and lists them (banner, GET / and the home page).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalForgeRuntime } from '../runtime.js';
import {
  countersRoute,
  healthRoute,
  invokeRoute,
  productEventRoute,
  queuesRoute,
  scheduledRoute,
  statusOf,
} from './api-routes.js';
import { handleCustomUi, sendHtml, uiModules } from './custom-ui-host.js';
import { homePage, type PluginLink } from './home-page.js';
import { HttpError, sendError, sendJson } from './http-io.js';
import { listRoutes, matchRoute, type Exchange, type Match, type Route } from './route-table.js';
import { resolveResourceFile, sendFile } from './static-files.js';
import { handleWebTrigger } from './webtrigger-route.js';
import { realtimeSubscribeRoute } from './realtime-route.js';

export interface ServerOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the runtime has no authentication, so it stays local unless asked. */
  host?: string;
  log?: (line: string) => void;
  /** App-specific pages and endpoints served beside the runtime's own (e.g. a console). */
  plugins?: ServerPlugin[];
}

/** Extra routes an app adds to the local server; `handle` answers true when it served the request. */
export interface ServerPlugin {
  name: string;
  handle(rt: LocalForgeRuntime, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Lines for the route listing, given the server's base URL. */
  describe(base: string): string[];
  /** Pages worth a link on the home page (GET / in a browser). */
  links?(): PluginLink[];
}

export type { PluginLink } from './home-page.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Lines describing every route, for the console. */
  describe(): string[];
  close(): Promise<void>;
}

export async function startServer(
  rt: LocalForgeRuntime,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const app: App = { rt, startedAt: Date.now(), plugins: options.plugins ?? [] };
  const server = createServer((req, res) => {
    void handle(app, req, res).catch((error: unknown) => {
      const status = statusOf(error);
      if (status === undefined)
        log(`[server] ${req.method} ${req.url} failed: ${(error as Error)?.stack ?? String(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message =
        status === undefined
          ? `Internal error: ${(error as Error)?.message ?? String(error)}`
          : (error as Error).message;
      sendError(res, status ?? 500, message, error instanceof HttpError ? error.headers : {});
    });
  });
  // A client that sends garbage must not take the server down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  rt.modules.webTriggerBaseUrl = url;

  return {
    url,
    port,
    server,
    describe: () => describeRoutes(app, url),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What the routes' handlers and listings read. */
interface App {
  rt: LocalForgeRuntime;
  startedAt: number;
  plugins: ServerPlugin[];
}

/** Infers each route's `{name}` parameters from its path, so a handler reads only those. */
const route = <P extends string>(r: Route<App, P>): Route<App> => r;

const GET = ['GET', 'HEAD'];

/** Every route of the runtime, in the order the listing shows them. */
const ROUTES: Route<App>[] = [
  route({
    methods: ['POST'],
    path: '/api/invoke/{module}/{resolverKey}',
    handle: ({ rt }, { req, res }, { params }) =>
      invokeRoute(rt, req, res, params.module, params.resolverKey),
    list: ({ rt }) =>
      [...rt.manifest.resolvers].map(([module, fn]) => ({
        params: { module },
        about: `resolver of ${module} (function ${fn})`,
      })),
  }),
  route({
    methods: 'ANY',
    path: '/webtrigger/{key}/...',
    handle: ({ rt }, { req, res, url }, { params, rest }) =>
      handleWebTrigger(rt.modules, req, res, params.key, rest, url),
    list: ({ rt }) =>
      [...rt.manifest.webtriggers].map(([key, fn]) => ({
        params: { key },
        rest: '[/path]',
        about: `web trigger (function ${fn})`,
      })),
  }),
  route({
    methods: ['POST'],
    path: '/api/product-event',
    handle: ({ rt }, { req, res }) => productEventRoute(rt, req, res),
    list: ({ rt }) => {
      const { triggers } = rt.manifest;
      const events = [...new Set(triggers.flatMap((t) => t.events))].join(', ');
      return triggers.length === 0 ? [] : [{ about: `{eventType, payload}  triggers for: ${events}` }];
    },
  }),
  route({
    methods: ['POST'],
    path: '/api/scheduled/{key}',
    handle: ({ rt }, { res }, { params }) => scheduledRoute(rt, res, params.key),
    list: ({ rt }) =>
      [...rt.manifest.scheduledTriggers].map(([key, s]) => ({
        params: { key },
        about: `scheduled trigger, every ${s.interval} (function ${s.function})`,
      })),
  }),
  route({
    methods: GET,
    path: '/resources/{key}/...',
    handle: resourceRoute,
    list: ({ rt }) =>
      [...rt.manifest.resources].map(([key, folder]) => ({
        params: { key },
        rest: '/',
        about: `static files from ${folder}`,
      })),
  }),
  route({
    methods: GET,
    path: '/api/counters',
    handle: ({ rt }, { res }) => countersRoute(rt, res),
    list: () => [{ about: 'metered counters' }],
  }),
  route({
    methods: GET,
    path: '/api/queues',
    handle: ({ rt }, { res }) => queuesRoute(rt, res),
    list: () => [{ about: 'async events not yet finished' }],
  }),
  route({
    methods: ['GET'],
    path: '/api/realtime/subscribe',
    handle: ({ rt }, { res, url }) => realtimeSubscribeRoute(rt, res, url),
    list: () => [{ about: '?channel=…&global=1&token=…  Forge Realtime events as server-sent events' }],
  }),
  route({
    methods: GET,
    path: '/api/health',
    handle: ({ rt, startedAt }, { res }) => healthRoute(rt, res, startedAt),
    list: () => [{}],
  }),
  route({
    methods: GET,
    path: '/ui/...',
    handle: ({ rt }, { req, res, url }) => handleCustomUi(rt, req, res, url),
    list: ({ rt }) =>
      uiModules(rt).map((m) =>
        m.subject === 'issue'
          ? {
              rest: `/${m.key}?issue={KEY}&account={accountId}`,
              about: `${m.type} '${m.title}' in a local issue view`,
            }
          : { rest: `/${m.key}?account={accountId}`, about: `${m.type} '${m.title}'` },
      ),
  }),
  route({
    methods: GET,
    path: '/',
    handle: homeRoute,
    list: () => [{ about: 'the home page; this list as JSON with Accept: application/json' }],
  }),
];

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  for (const plugin of app.plugins) if (await plugin.handle(app.rt, req, res, url)) return;
  const found = matchRoute(ROUTES, req.method ?? 'GET', url.pathname);
  if (!found)
    throw new HttpError(404, `Nothing is served at ${req.method} ${url.pathname}; GET / lists the routes`);
  await found.route.handle(app, { req, res, url }, found.match);
}

/** The runtime's routes, then the plugins' (which the table does not know). */
function describeRoutes(app: App, base: string): string[] {
  return [...listRoutes(ROUTES, app, base), ...app.plugins.flatMap((p) => p.describe(base))];
}

function resourceRoute(
  { rt }: App,
  { req, res, url }: Exchange,
  { params, rest }: Match<'/resources/{key}/...'>,
): void {
  const resourcePath = rt.manifest.resources.get(params.key);
  if (!resourcePath) throw new HttpError(404, `No resource '${params.key}' in manifest.yml`);
  if (rest === '') {
    // `/resources/key` -> `/resources/key/`, so relative links in index.html resolve.
    res.writeHead(301, { location: `${url.pathname}/` });
    res.end();
    return;
  }
  sendFile(res, resolveResourceFile(rt.manifest.appDir, resourcePath, rest.slice(1)), req.method === 'HEAD');
}

function homeRoute(app: App, { req, res }: Exchange): void {
  const routes = describeRoutes(app, '');
  if (wantsJson(req)) {
    sendJson(res, 200, { appId: app.rt.manifest.appId, routes });
    return;
  }
  const links = app.plugins.flatMap((p) => p.links?.() ?? []);
  sendHtml(res, homePage(app.rt, links, routes));
}

/** A client that asks for JSON and not for HTML (a script; a browser always asks for HTML). */
function wantsJson(req: IncomingMessage): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}
