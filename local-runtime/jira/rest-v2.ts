// REST v2 of the local Jira: every `/rest/api/2/...` path is served by its `/rest/api/3/...`
// route. The versions differ in rich text (description, environment, comment bodies, the
// fixture's `richTextFields`): a string (wiki markup) in v2, ADF in v3. A v2 request's strings
// become ADF on the way in and every ADF document in the answer becomes a string on the way out
// (adf.ts says how simply).
import { jsonResponse } from '../kernel/http.js';
import { adfToText, isAdfDocument, textToAdf } from './adf.js';

const V2 = '/rest/api/2/';
const V3 = '/rest/api/3/';

/** The v3 path a v2 path aliases, or undefined for any other path. */
export function v3PathOf(pathname: string): string | undefined {
  return pathname.startsWith(V2) ? V3 + pathname.slice(V2.length) : undefined;
}

/** A v2 request body as v3 takes it: rich-text strings made ADF. */
export function bodyToV3(body: unknown, richTextFields: ReadonlySet<string>): unknown {
  if (!isRecord(body)) return body;
  const out: Record<string, unknown> = { ...body };
  // A comment's body (POST/PUT .../comment).
  if (typeof out['body'] === 'string') out['body'] = textToAdf(out['body']);
  if (isRecord(out['fields'])) {
    const fields: Record<string, unknown> = { ...out['fields'] };
    for (const name of richTextFields) {
      if (typeof fields[name] === 'string') fields[name] = textToAdf(fields[name]);
    }
    out['fields'] = fields;
  }
  if (isRecord(out['update'])) {
    // `update: { description: [{ set: '...' }], comment: [{ add: { body: '...' } }] }`
    const update: Record<string, unknown> = {};
    for (const [name, operations] of Object.entries(out['update'])) {
      update[name] = Array.isArray(operations)
        ? operations.map((op) => (isRecord(op) ? operationToV3(name, op, richTextFields) : op))
        : operations;
    }
    out['update'] = update;
  }
  return out;
}

function operationToV3(
  field: string,
  operation: Record<string, unknown>,
  richTextFields: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [verb, value] of Object.entries(operation)) {
    if (field === 'comment' && isRecord(value) && typeof value['body'] === 'string') {
      out[verb] = { ...value, body: textToAdf(value['body']) };
    } else if (richTextFields.has(field) && typeof value === 'string') {
      out[verb] = textToAdf(value);
    } else {
      out[verb] = value;
    }
  }
  return out;
}

/** A v3 answer as v2 gives it: every ADF document a string, `self` links on v2. */
export async function responseToV2(response: Response): Promise<Response> {
  if (!response.headers.get('content-type')?.includes('application/json')) return response;
  const body = (await response.json()) as unknown;
  return jsonResponse(response.status, toV2(body));
}

/** Fields holding a link to the REST API itself. */
const LINKS = new Set(['self', 'nextPage']);

function toV2(value: unknown): unknown {
  if (isAdfDocument(value)) return adfToText(value);
  if (Array.isArray(value)) return value.map(toV2);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        LINKS.has(k) && typeof v === 'string' ? v.replace(V3, V2) : toV2(v),
      ]),
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
