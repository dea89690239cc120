// The JSON API of the local server: invoke resolvers, fire product events, run scheduled
// triggers, and read counters, queues and health. The route table (http-server.ts) says which
// methods reach each of these, and answers 405 for the others.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  InvalidExtensionError,
  InvalidInvocationError,
  NotEmulatedError,
  ResolverError,
  UnknownModuleError,
} from '../functions/app-modules.js';
import type { LocalForgeRuntime } from '../runtime.js';
import { HttpError, optionalObject, optionalString, readJsonObject, sendJson } from './http-io.js';

/** A front-end invoke payload is at most 500 KB; leave room for the envelope. */
const API_BODY_LIMIT = 1024 * 1024;

export async function invokeRoute(
  rt: LocalForgeRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  moduleKey: string,
  functionKey: string,
): Promise<void> {
  const body = await readJsonObject(req, API_BODY_LIMIT);
  try {
    const value = await rt.modules.invokeResolver({
      moduleKey,
      functionKey,
      payload: body['payload'],
      accountId: optionalString(body, 'accountId'),
      extension: optionalObject(body, 'extension'),
    });
    sendJson(res, 200, { value: value ?? null });
  } catch (error) {
    if (error instanceof ResolverError) {
      sendJson(res, 500, {
        error: { status: 500, name: error.name, message: error.message, outcome: error.outcome },
      });
      return;
    }
    throw error;
  }
}

export async function productEventRoute(
  rt: LocalForgeRuntime,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readJsonObject(req, API_BODY_LIMIT);
  const eventType = optionalString(body, 'eventType');
  if (!eventType) throw new HttpError(400, `'eventType' is required, e.g. "avi:jira:updated:issue"`);
  sendJson(res, 200, await rt.modules.fireProductEvent(eventType, optionalObject(body, 'payload') ?? {}));
}

export async function scheduledRoute(rt: LocalForgeRuntime, res: ServerResponse, key: string): Promise<void> {
  sendJson(res, 200, await rt.modules.runScheduledTrigger(key));
}

export function countersRoute(rt: LocalForgeRuntime, res: ServerResponse): void {
  sendJson(res, 200, rt.metered());
}

export function queuesRoute(rt: LocalForgeRuntime, res: ServerResponse): void {
  sendJson(res, 200, {
    pending: rt.events.pending(),
    inFlight: rt.events.inFlight(),
    events: rt.events.snapshot(),
  });
}

export function healthRoute(rt: LocalForgeRuntime, res: ServerResponse, startedAt: number): void {
  sendJson(res, 200, {
    ok: true,
    appId: rt.manifest.appId,
    clock: rt.clock.kind,
    uptimeMs: Date.now() - startedAt,
  });
}

/** Maps the module invokers' own errors to HTTP statuses. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpError) return error.status;
  if (error instanceof UnknownModuleError) return 404;
  if (error instanceof InvalidInvocationError) return 413;
  if (error instanceof InvalidExtensionError) return 400;
  if (error instanceof NotEmulatedError) return 501;
  return undefined;
}
