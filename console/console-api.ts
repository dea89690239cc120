// The console's JSON API under /api/console/. Every client mistake is an HttpError (4xx JSON,
// answered by the server), never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import { HttpError, readJsonObject, requireMethod, sendJson } from '../local-runtime/server/http-io.js';
import { consoleSnapshot } from './console-state.js';
import { parseReplayRequest, replay } from './replay.js';
import { deadLettersView } from './views/dead-letters-view.js';
import { DEFAULT_ISSUES, issuesView, issueView, MAX_ISSUES } from './views/issues-view.js';
import { queuesView } from './views/queues-view.js';
import { reportsView } from './views/reports-view.js';
import { usageView } from './views/usage-view.js';

export const API_PREFIX = '/api/console';
const BODY_LIMIT = 64 * 1024;
const ISSUE_ID = /^[0-9]{1,18}$/;

const NO_STORE = { 'cache-control': 'no-store' };

export async function handleConsoleApi(
  rt: LocalForgeRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '');
  const get = (body: () => unknown) => {
    requireMethod(req, 'GET');
    sendJson(res, 200, body(), NO_STORE);
  };
  switch (route) {
    case '/snapshot':
      return get(() => consoleSnapshot(rt, limitParam(url)));
    case '/queues':
      return get(() => queuesView(rt));
    case '/dead-letters':
      return get(() => deadLettersView(rt));
    case '/issues':
      return get(() => issuesView(rt, limitParam(url)));
    case '/reports':
      return get(() => reportsView(rt));
    case '/usage':
      return get(() => usageView(rt.metered()));
    case '/dead-letters/replay': {
      requireMethod(req, 'POST');
      guardMutation(req);
      const request = parseReplayRequest(await readJsonObject(req, BODY_LIMIT));
      sendJson(res, 200, await replay(rt, request), NO_STORE);
      return;
    }
  }
  if (route.startsWith('/issues/')) {
    const issueId = decodeSegment(route.slice('/issues/'.length));
    if (!ISSUE_ID.test(issueId))
      throw new HttpError(400, `'${issueId}' is not a Jira issue id (digits only)`);
    requireMethod(req, 'GET');
    const issue = issueView(rt, issueId);
    if (!issue) throw new HttpError(404, `Nothing is stored for issue ${issueId}`);
    sendJson(res, 200, issue, NO_STORE);
    return;
  }
  throw new HttpError(
    404,
    `No console endpoint at ${url.pathname}; try ${API_PREFIX}/snapshot, /queues, /dead-letters, ` +
      `/dead-letters/replay, /issues, /issues/{issueId}, /reports or /usage`,
  );
}

function limitParam(url: URL): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return DEFAULT_ISSUES;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < 1 || n > MAX_ISSUES)
    throw new HttpError(400, `'limit' must be an integer from 1 to ${MAX_ISSUES}`);
  return n;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `The path segment '${segment}' is not validly encoded`);
  }
}

/**
 * The runtime has no authentication, so a page on another origin must not trigger replays: a JSON
 * content type forces browsers into a CORS preflight (which is never granted), and a cross-origin
 * `Origin` is refused outright.
 */
function guardMutation(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'Send the request body as application/json');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new HttpError(403, `Refused: the Origin '${origin}' is not this console`);
  }
  if (host !== req.headers.host)
    throw new HttpError(403, `Refused: the Origin '${origin}' is not this console`);
}
