// Calls a `webtrigger` module with Forge's request shape and checks the handler's answer against
// Forge's response shape. A handler that throws, crashes, times out or answers in the wrong shape
// gets a 500, with a message saying why. Every call is logged with its answer's status, as the
// platform shows a web trigger's invocations.
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { moduleContext } from './forge-context.js';
import type { FunctionRunner, InvokeOutcome } from './function-runner.js';
import { errorMessage, UnknownModuleError } from './module-errors.js';

export interface WebTriggerRequest {
  method: string;
  /** The path after the trigger's URL, e.g. `/` or `/deployments/42`. */
  path: string;
  headers: Record<string, string[]>;
  queryParameters: Record<string, string[]>;
  body: string;
}

export interface WebTriggerResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

export async function callWebTrigger(
  ctx: ServiceContext,
  manifest: AppManifest,
  functions: FunctionRunner,
  key: string,
  request: Partial<WebTriggerRequest> = {},
): Promise<WebTriggerResponse> {
  const functionKey = manifest.webtriggers.get(key);
  if (!functionKey) {
    const known = [...manifest.webtriggers.keys()].join(', ') || 'none';
    throw new UnknownModuleError(`No webtrigger '${key}' in manifest.yml (web triggers: ${known})`);
  }
  const context = moduleContext(functions.site, key);
  const event = {
    method: (request.method ?? 'GET').toUpperCase(),
    path: request.path ?? '/',
    // Header names arrive lower-cased, each with a list of values.
    headers: Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), [...v]]),
    ),
    queryParameters: structuredClone(request.queryParameters ?? {}),
    body: request.body ?? '',
    context: { cloudId: context.cloudId, moduleKey: key },
  };
  const outcome = await functions.invoke({ kind: 'webtrigger', functionKey, args: [event, context] });
  const response = answer(outcome, key);
  const why = outcome.status === 'returned' ? '' : ` (${outcome.status})`;
  ctx.log(`[webtrigger] ${key}: ${event.method} ${event.path} -> ${response.statusCode}${why}`);
  return response;
}

function answer(outcome: InvokeOutcome, key: string): WebTriggerResponse {
  switch (outcome.status) {
    case 'returned':
      return checkResponse(outcome.value, key);
    case 'threw':
      return failure(`Web trigger '${key}' threw: ${errorMessage(outcome.error)}`);
    case 'crashed':
      return failure(`Web trigger '${key}' crashed`);
    case 'timedOut':
      return failure(`Web trigger '${key}' timed out`);
  }
}

function checkResponse(value: unknown, key: string): WebTriggerResponse {
  const invalid = (why: string) =>
    failure(
      `Web trigger '${key}' returned an invalid response: ${why}. Expected { statusCode: number, headers?: { [name]: string[] }, body?: string }`,
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(`got ${describe(value)}`);
  const response = value as Record<string, unknown>;
  const statusCode = response['statusCode'];
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return invalid(`statusCode is ${describe(statusCode)}`);
  }
  const headers = response['headers'] ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    return invalid(`headers is ${describe(headers)}`);
  for (const [name, values] of Object.entries(headers)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      return invalid(`header '${name}' is ${describe(values)}, not an array of strings`);
    }
  }
  const body = response['body'] ?? '';
  if (typeof body !== 'string') return invalid(`body is ${describe(body)}, not a string`);
  return { statusCode, headers: headers as Record<string, string[]>, body };
}

function failure(message: string): WebTriggerResponse {
  return {
    statusCode: 500,
    headers: { 'content-type': ['application/json'] },
    body: JSON.stringify({ error: message }),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
