// ANY /webtrigger/{key}[/rest]: passes the whole request to the web trigger (method, path after
// the key, headers as arrays, query parameters as arrays, raw body) and writes its answer back.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppModules } from '../functions/app-modules.js';
import { readBody } from './http-io.js';

/** Upper bound of a web trigger request body the local server reads. */
const WEBTRIGGER_BODY_LIMIT = 5 * 1024 * 1024;

export async function handleWebTrigger(
  modules: AppModules,
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
  rest: string,
  url: URL,
): Promise<void> {
  const body = await readBody(req, WEBTRIGGER_BODY_LIMIT);
  const queryParameters: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (queryParameters[name] ??= []).push(value);
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) if (values) headers[name] = values;

  const response = await modules.callWebTrigger(key, {
    method: req.method ?? 'GET',
    path: rest === '' ? '/' : rest,
    headers,
    queryParameters,
    body: body.toString('utf8'),
  });
  const outgoing: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(response.headers)) {
    // Node computes these itself from the body it is given.
    if (!['content-length', 'transfer-encoding', 'connection'].includes(name.toLowerCase()))
      outgoing[name] = values;
  }
  try {
    res.writeHead(response.statusCode, outgoing);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: `Web trigger '${key}' returned unusable headers: ${(error as Error).message}`,
      }),
    );
    return;
  }
  res.end(response.body);
}
