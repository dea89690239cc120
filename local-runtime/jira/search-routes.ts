// JQL search: the enhanced `/rest/api/3/search/jql` (GET or POST, `nextPageToken` paging, ids only
// unless fields are asked for, unbounded queries refused) and the older `/rest/api/3/search`
// (`startAt` / `total`). Issues the caller may not browse are never part of a result.
import { jsonResponse } from '../kernel/http.js';
import type { JiraIssue } from './fixture.js';
import { expandList, renderIssue, selectFields } from './issue-view.js';
import { bodyRecord, intParam, JiraHttpError, type JiraRequest } from './jira-request.js';
import { compileJql } from './jql-compiler.js';

const ENHANCED_DEFAULT_PAGE = 50;
/** The enhanced search returns at most 5000 ids per page, but far fewer issues with fields. */
const ENHANCED_MAX_IDS = 5000;
const ENHANCED_MAX_WITH_FIELDS = 100;
const LEGACY_DEFAULT_PAGE = 50;
const LEGACY_MAX_PAGE = 100;

interface SearchParams {
  jql: string;
  fields: string[];
  expand: string[];
  maxResults: unknown;
  nextPageToken: unknown;
  startAt: unknown;
}

function readParams(request: JiraRequest): SearchParams {
  if (request.method === 'POST') {
    const body = bodyRecord(request);
    const list = (v: unknown, name: string): string[] => {
      if (v === undefined) return [];
      if (typeof v === 'string') return [v];
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      throw new JiraHttpError(400, `'${name}' must be a string or an array of strings.`);
    };
    if (body['jql'] !== undefined && typeof body['jql'] !== 'string')
      throw new JiraHttpError(400, `'jql' must be a string.`);
    return {
      jql: (body['jql'] as string | undefined) ?? '',
      fields: list(body['fields'], 'fields'),
      expand: expandList(list(body['expand'], 'expand')),
      maxResults: body['maxResults'],
      nextPageToken: body['nextPageToken'],
      startAt: body['startAt'],
    };
  }
  const q = request.query;
  return {
    jql: q.get('jql') ?? '',
    fields: q.getAll('fields'),
    expand: expandList(q.getAll('expand')),
    maxResults: q.get('maxResults') ?? undefined,
    nextPageToken: q.get('nextPageToken') ?? undefined,
    startAt: q.get('startAt') ?? undefined,
  };
}

function matching(request: JiraRequest, jql: string, requireBounded: boolean): JiraIssue[] {
  const compiled = compileJql(jql, request.store, request.caller, request.now);
  if (requireBounded && !compiled.bounded) {
    throw new JiraHttpError(
      400,
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    );
  }
  return request.store.issues
    .filter((issue) => request.store.canSee(request.caller, issue) && compiled.matches(issue))
    .sort(compiled.compare);
}

export function searchJql(request: JiraRequest): Response {
  const params = readParams(request);
  const issues = matching(request, params.jql, true);
  const selection = selectFields(params.fields, 'id');
  const cap = selection.idOnly ? ENHANCED_MAX_IDS : ENHANCED_MAX_WITH_FIELDS;
  const pageSize = Math.max(
    1,
    Math.min(intParam(params.maxResults, 'maxResults', ENHANCED_DEFAULT_PAGE), cap),
  );
  const offset = params.nextPageToken === undefined ? 0 : decodePageToken(params.nextPageToken, params.jql);
  const page = issues.slice(offset, offset + pageSize);
  const next = offset + page.length;
  const isLast = next >= issues.length;
  return jsonResponse(200, {
    issues: page.map((issue) => renderIssue(issue, request.store.baseUrl, selection, params.expand)),
    ...(isLast ? {} : { nextPageToken: encodePageToken(next, params.jql) }),
    isLast,
  });
}

export function legacySearch(request: JiraRequest): Response {
  const params = readParams(request);
  const issues = matching(request, params.jql, false);
  const startAt = intParam(params.startAt, 'startAt', 0);
  const maxResults = Math.min(
    intParam(params.maxResults, 'maxResults', LEGACY_DEFAULT_PAGE),
    LEGACY_MAX_PAGE,
  );
  const selection = selectFields(params.fields, '*all');
  return jsonResponse(200, {
    expand: 'schema,names',
    startAt,
    maxResults,
    total: issues.length,
    issues: issues
      .slice(startAt, startAt + maxResults)
      .map((issue) => renderIssue(issue, request.store.baseUrl, selection, params.expand)),
  });
}

// The token is opaque to apps; it carries the offset and a fingerprint of the query it belongs to.
function encodePageToken(offset: number, jql: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint(jql) })).toString('base64url');
}

function decodePageToken(token: unknown, jql: string): number {
  if (typeof token === 'string') {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        o?: unknown;
        q?: unknown;
      };
      if (Number.isInteger(decoded.o) && decoded.q === fingerprint(jql)) return decoded.o as number;
    } catch {
      // falls through to the error below
    }
  }
  throw new JiraHttpError(400, 'The nextPageToken is invalid or belongs to a different query.');
}

function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
