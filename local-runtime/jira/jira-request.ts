// One request to the local Jira as its route handlers see it, and Jira-shaped answers.
import { jsonResponse } from '../kernel/http.js';
import type { JiraCaller, JiraStore } from './jira-store.js';

export interface JiraRequest {
  method: string;
  /** Path params captured by the route pattern. */
  params: string[];
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there is none. */
  body: unknown;
  caller: JiraCaller;
  store: JiraStore;
  /** The runtime clock's time, for relative JQL dates. */
  now: number;
}

export class JiraHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Jira's error body: `{ errorMessages: [...], errors: {} }`. */
export function jiraError(status: number, ...messages: string[]): Response {
  return jsonResponse(status, { errorMessages: messages, errors: {} });
}

/** A non-negative integer query/body value, or the default; anything else is a 400. */
export function intParam(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new JiraHttpError(400, `'${name}' must be a non-negative integer, got '${String(value)}'.`);
  return n;
}

export function bodyRecord(request: JiraRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new JiraHttpError(400, 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}
