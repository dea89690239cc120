// The app's local console: a page at /console and its JSON API under /api/console/, served beside
// the runtime's own routes (`npm start` passes `--plugin console/console-plugin.ts`). It lives
// outside local-runtime/ because it knows this app's storage layout. Local only: the runtime
// binds 127.0.0.1 and has no authentication.
import type { ServerPlugin } from '../local-runtime/server/http-server.js';
import { requireMethod } from '../local-runtime/server/http-io.js';
import { API_PREFIX, handleConsoleApi } from './console-api.js';
import { sendConsoleAsset } from './console-assets.js';

const PAGE_PREFIX = '/console';

const consolePlugin: ServerPlugin = {
  name: 'console',
  async handle(rt, req, res, url) {
    const { pathname } = url;
    if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) {
      await handleConsoleApi(rt, req, res, url);
      return true;
    }
    if (pathname === PAGE_PREFIX || pathname.startsWith(`${PAGE_PREFIX}/`)) {
      requireMethod(req, 'GET', 'HEAD');
      await sendConsoleAsset(
        res,
        pathname.slice(PAGE_PREFIX.length).replace(/^\/+/, ''),
        req.method === 'HEAD',
      );
      return true;
    }
    return false;
  },
  links: () => [
    {
      href: PAGE_PREFIX,
      title: 'Console',
      description: 'queues, dead letters (replay), issues, reports, usage',
    },
  ],
  describe: (base) => [
    `GET  ${base}/console  the app's console: queues, dead letters (replay), issues, reports, usage`,
    `GET  ${base}${API_PREFIX}/{snapshot,queues,dead-letters,issues,issues/{id},reports,usage}`,
    `POST ${base}${API_PREFIX}/dead-letters/replay  {ids: [...]} or {all: true}`,
  ],
};

export default consolePlugin;
