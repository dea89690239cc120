// The wire surface `@forge/events` talks to: `POST /webhook/queue/{publish,stats,cancel}/...`,
// answered with the statuses and bodies its `validators.js` expects.
import { jsonTextResponse, parseJsonBody } from '../kernel/http.js';
import type { JobStats } from './job-registry.js';
import type { PublishResult } from './publisher.js';

/** What the wire needs from the emulator's semantics. */
export interface EventsService {
  publish(body: unknown): Promise<PublishResult>;
  jobStats(queueName: string, jobId: string): JobStats | undefined;
  /** False when the queue has no such job. */
  cancelJob(queueName: string, jobId: string): boolean;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/**
 * The client puts `statusText` into its error messages, so answers carry one. A `JsonReply`
 * (kernel/http.ts), not a `Response`: every enqueue pushes, and a `Response` costs far more.
 */
function answer(status: number, body?: unknown): Response {
  return jsonTextResponse(
    status,
    body === undefined ? undefined : JSON.stringify(body),
    STATUS_TEXT[status] ?? '',
  );
}

export async function serveEvents(
  service: EventsService,
  path: string,
  init: RequestInit | undefined,
): Promise<Response> {
  const route = /^\/webhook\/queue\/(publish|stats|cancel)\//.exec(path)?.[1];
  if (!route) return answer(404, { code: 'NOT_FOUND', message: `No queue endpoint at ${path}` });
  if ((init?.method ?? 'GET').toUpperCase() !== 'POST') {
    // Not 405: the client reads 405 as the cyclic invocation limit.
    return answer(400, { code: 'METHOD_NOT_SUPPORTED', message: 'Queue endpoints accept POST only' });
  }
  const body = parseJsonBody(init);
  if (route === 'publish') return publishResponse(await service.publish(body));
  const request = readJobRequest(body);
  if (!request)
    return answer(400, { code: 'INVALID_REQUEST', message: 'Expected { queueName, jobId, time }' });
  if (route === 'stats') {
    const stats = service.jobStats(request.queueName, request.jobId);
    return stats ? answer(200, stats) : answer(404, { code: 'JOB_NOT_FOUND', message: 'No such job' });
  }
  return service.cancelJob(request.queueName, request.jobId)
    ? answer(204)
    : answer(404, { code: 'JOB_NOT_FOUND', message: 'No such job' });
}

function publishResponse(result: PublishResult): Response {
  switch (result.kind) {
    case 'accepted':
      return answer(201, {});
    case 'partial':
      return answer(202, { failedEvents: result.failedEvents });
    case 'invalid':
      return answer(400, { code: result.code, message: result.message });
    case 'tooBig':
      return answer(413, { errorMessage: result.message });
    case 'rateLimited':
      return answer(429, { message: result.message });
    case 'invocationLimit':
      return answer(405, { message: result.message });
    case 'serverError':
      return answer(500, { code: 'INTERNAL_SERVER_ERROR', message: result.message });
  }
}

function readJobRequest(body: unknown): { queueName: string; jobId: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { queueName, jobId } = body as Record<string, unknown>;
  if (typeof queueName !== 'string' || typeof jobId !== 'string') return undefined;
  return { queueName, jobId };
}
