// The local Forge runtime over HTTP (node:http, no framework): resolvers, web triggers, product
// events, scheduled triggers, counters, queues, health and the app's static resources.
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
import { describeCustomUi, handleCustomUi, sendHtml } from './custom-ui-host.js';
import { homePage, type PluginLink } from './home-page.js';
import { HttpError, requireMethod, sendError, sendJson } from './http-io.js';
import { resolveResourceFile, sendFile } from './static-files.js';
import { handleWebTrigger } from './webtrigger-route.js';

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
  const startedAt = Date.now();
  const server = createServer((req, res) => {
    void handle(rt, req, res, startedAt, options.plugins ?? []).catch((error: unknown) => {
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
    describe: () => [...describeRoutes(rt, url), ...(options.plugins ?? []).flatMap((p) => p.describe(url))],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  rt: LocalForgeRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  startedAt: number,
  plugins: ServerPlugin[],
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  for (const plugin of plugins) if (await plugin.handle(rt, req, res, url)) return;
  const parts = url.pathname.split('/').slice(1);
  const [first, second, third, fourth] = parts;
  const decode = (part: string | undefined) => {
    try {
      return decodeURIComponent(part ?? '');
    } catch {
      throw new HttpError(400, `The path segment '${part}' is not validly encoded`);
    }
  };

  if (first === 'webtrigger' && second) {
    const rest = url.pathname.slice(`/webtrigger/${second}`.length);
    return handleWebTrigger(rt.modules, req, res, decode(second), rest, url);
  }
  if (first === 'resources' && second) {
    requireMethod(req, 'GET', 'HEAD');
    const key = decode(second);
    const resourcePath = rt.manifest.resources.get(key);
    if (!resourcePath) throw new HttpError(404, `No resource '${key}' in manifest.yml`);
    if (parts.length === 2) {
      // `/resources/key` -> `/resources/key/`, so relative links in index.html resolve.
      res.writeHead(301, { location: `/resources/${second}/` });
      res.end();
      return;
    }
    const rawRest = url.pathname.slice(`/resources/${second}/`.length);
    return sendFile(
      res,
      resolveResourceFile(rt.manifest.appDir, resourcePath, rawRest),
      req.method === 'HEAD',
    );
  }
  if (first === 'ui') return handleCustomUi(rt, req, res, url);
  if (first === 'api') {
    if (second === 'invoke' && third && fourth && parts.length === 4) {
      return invokeRoute(rt, req, res, decode(third), decode(fourth));
    }
    if (second === 'product-event' && parts.length === 2) return productEventRoute(rt, req, res);
    if (second === 'scheduled' && third && parts.length === 3)
      return scheduledRoute(rt, req, res, decode(third));
    if (parts.length === 2 && second === 'counters') return countersRoute(rt, req, res);
    if (parts.length === 2 && second === 'queues') return queuesRoute(rt, req, res);
    if (parts.length === 2 && second === 'health') return healthRoute(rt, req, res, startedAt);
  }
  if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    const routes = [...describeRoutes(rt, ''), ...plugins.flatMap((p) => p.describe(''))];
    if (wantsJson(req)) {
      sendJson(res, 200, { appId: rt.manifest.appId, routes });
      return;
    }
    sendHtml(
      res,
      homePage(
        rt,
        plugins.flatMap((p) => p.links?.() ?? []),
        routes,
      ),
    );
    return;
  }
  throw new HttpError(404, `Nothing is served at ${req.method} ${url.pathname}; GET / lists the routes`);
}

/** A client that asks for JSON and not for HTML (a script; a browser always asks for HTML). */
function wantsJson(req: IncomingMessage): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

function describeRoutes(rt: LocalForgeRuntime, base: string): string[] {
  const m = rt.manifest;
  const lines: string[] = [];
  for (const [moduleKey, fn] of m.resolvers) {
    lines.push(
      `POST ${base}/api/invoke/${moduleKey}/{resolverKey}  resolver of ${moduleKey} (function ${fn})`,
    );
  }
  for (const [key, fn] of m.webtriggers)
    lines.push(`ANY  ${base}/webtrigger/${key}[/path]  web trigger (function ${fn})`);
  if (m.triggers.length > 0) {
    const events = [...new Set(m.triggers.flatMap((t) => t.events))].join(', ');
    lines.push(`POST ${base}/api/product-event  {eventType, payload}  triggers for: ${events}`);
  }
  for (const [key, s] of m.scheduledTriggers) {
    lines.push(
      `POST ${base}/api/scheduled/${key}  scheduled trigger, every ${s.interval} (function ${s.function})`,
    );
  }
  for (const [key, p] of m.resources) lines.push(`GET  ${base}/resources/${key}/  static files from ${p}`);
  lines.push(`GET  ${base}/api/counters  metered counters`);
  lines.push(`GET  ${base}/api/queues  async events not yet finished`);
  lines.push(`GET  ${base}/api/health`, ...describeCustomUi(rt, base));
  return lines;
}
