// Server-side checks of a publish request. The `@forge/events` client checks most of these before
// it sends, but the platform checks again, so app code that bypasses the client (or a custom
// `apiClient`) gets the same answers it would get from Forge.
import type { AppManifest } from '../manifest/app-manifest.js';
import type { ConcurrencySetting } from './concurrency-slots.js';
import { APP_EVENT_SCHEMA_V1, upgradePushRequest } from './push-schema-v1.js';

/** Forge limits on one push (package `validators.js`, docs: limits-async-events). */
export const PUSH_LIMITS = {
  maxEvents: 50,
  maxPayloadBytes: 200 * 1024,
  /** Each event's limit when its consumer's timeout is over 55 s. */
  maxLongRunningEventBytes: 100 * 1024,
  longRunningTimeoutSeconds: 55,
  maxDelayInSeconds: 900,
} as const;

const QUEUE_NAME_PATTERN = /^[a-zA-Z0-9-_]+$/;

/** What an event carries: an object from 2.x and later, any JSON scalar too from 1.x. */
export type EventBody = Record<string, unknown> | string | number | boolean;

export interface ValidEvent {
  body: EventBody;
  delayInSeconds?: number;
  concurrency?: ConcurrencySetting;
}

export interface PublishRequest {
  queueName: string;
  jobId: string;
  /** The consumer function the manifest names for this queue. */
  functionKey: string;
  events: ValidEvent[];
}

export type PushValidation =
  | { ok: true; request: PublishRequest }
  | { ok: false; kind: 'invalid'; code: string; message: string }
  | { ok: false; kind: 'tooBig'; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(code: string, message: string): PushValidation {
  return { ok: false, kind: 'invalid', code, message };
}

export function validatePublishRequest(raw: unknown, manifest: AppManifest): PushValidation {
  if (!isRecord(raw)) return invalid('INVALID_REQUEST', 'The publish request body must be a JSON object');
  const body = upgradePushRequest(raw);
  const { queueName, jobId, payload } = body;
  if (typeof queueName !== 'string' || !QUEUE_NAME_PATTERN.test(queueName)) {
    return invalid('INVALID_QUEUE_NAME', `Queue name must match ${QUEUE_NAME_PATTERN.source}`);
  }
  if (typeof jobId !== 'string' || jobId.length === 0)
    return invalid('INVALID_JOB_ID', 'jobId must be a non-empty string');
  const functionKey = manifest.consumers.get(queueName);
  if (functionKey === undefined) {
    return invalid(
      'QUEUE_NOT_FOUND',
      `No consumer for queue '${queueName}' in manifest.yml: add modules.consumer [{ key, queue: '${queueName}', function }]`,
    );
  }
  const consumer = manifest.functions.get(functionKey);
  if (!consumer) {
    return invalid(
      'FUNCTION_NOT_FOUND',
      `The consumer of queue '${queueName}' names function '${functionKey}', which manifest.yml does not define`,
    );
  }
  if (!Array.isArray(payload) || payload.length === 0)
    return invalid('NO_EVENTS', 'payload must hold at least one event');
  if (payload.length > PUSH_LIMITS.maxEvents) {
    return invalid(
      'TOO_MANY_EVENTS',
      `At most ${PUSH_LIMITS.maxEvents} events per push, got ${payload.length}`,
    );
  }
  // Measured as the client sent it (a 1.x push's raw payloads, not their upgraded form).
  if (Buffer.byteLength(JSON.stringify(raw.payload)) > PUSH_LIMITS.maxPayloadBytes) {
    return {
      ok: false,
      kind: 'tooBig',
      message: `The payload of one push must not exceed ${PUSH_LIMITS.maxPayloadBytes / 1024} KB`,
    };
  }
  const events: ValidEvent[] = [];
  for (const [index, event] of payload.entries()) {
    const checked = validateEvent(event, index, raw.schema === APP_EVENT_SCHEMA_V1);
    if (typeof checked === 'string') return invalid('INVALID_EVENT', checked);
    if (
      consumer.timeoutSeconds > PUSH_LIMITS.longRunningTimeoutSeconds &&
      Buffer.byteLength(JSON.stringify(event)) > PUSH_LIMITS.maxLongRunningEventBytes
    ) {
      return {
        ok: false,
        kind: 'tooBig',
        message: `Event ${index} exceeds ${PUSH_LIMITS.maxLongRunningEventBytes / 1024} KB, the limit for consumers with a timeout over ${PUSH_LIMITS.longRunningTimeoutSeconds} s`,
      };
    }
    events.push(checked);
  }
  return { ok: true, request: { queueName, jobId, functionKey, events } };
}

/** A 1.x push's payloads may be scalars too (push-schema-v1.ts). */
function isEventBody(value: unknown): value is EventBody {
  return isRecord(value) || ['string', 'number', 'boolean'].includes(typeof value);
}

/** The event in its normalized form, or why it is refused. */
function validateEvent(event: unknown, index: number, scalarBodies: boolean): ValidEvent | string {
  if (!isRecord(event)) return `Event ${index} must be an object`;
  const body = event.body;
  if (!scalarBodies && !isRecord(body)) return `Event ${index}: body must be an object`;
  if (!isEventBody(body)) return `Event ${index}: body must be a JSON object, string, number or boolean`;
  const out: ValidEvent = { body };
  if (event.delayInSeconds !== undefined) {
    const delay = event.delayInSeconds;
    if (
      typeof delay !== 'number' ||
      !Number.isFinite(delay) ||
      delay < 0 ||
      delay > PUSH_LIMITS.maxDelayInSeconds
    ) {
      return `Event ${index}: delayInSeconds must be a number from 0 to ${PUSH_LIMITS.maxDelayInSeconds}`;
    }
    out.delayInSeconds = delay;
  }
  if (event.concurrency !== undefined) {
    const c = event.concurrency;
    if (!isRecord(c) || typeof c.key !== 'string' || c.key.length === 0) {
      return `Event ${index}: concurrency.key must be a non-empty string`;
    }
    if (typeof c.limit !== 'number' || !Number.isInteger(c.limit) || c.limit < 1) {
      return `Event ${index}: concurrency.limit must be an integer of at least 1`;
    }
    out.concurrency = { key: c.key, limit: c.limit };
  }
  return out;
}
