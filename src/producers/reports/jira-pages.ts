// What a report job reads from Jira, as the app: the ids a JQL query matches (enhanced search,
// ids only), a page's issues by id with the changelog embedded, the rest of a changelog when Jira
// embedded only part of it, and the approximate count of a query. Responses are checked with zod: Jira is another system.
import api, { route } from '@forge/api';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from './report-events';
import type { ChangelogHistory } from './time-in-status';

/** A Jira answer the job cannot use; `retryable` says whether asking again may help. */
export class JiraRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'JiraRequestError';
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

const history = z.object({
  id: z.string().optional(),
  created: z.string(),
  items: z.array(
    z.object({
      field: z.string(),
      fieldId: z.string().optional(),
      fromString: z.string().nullable().optional(),
      toString: z.string().nullable().optional(),
    }),
  ),
});

const searchResponse = z.object({
  issues: z.array(
    z.object({
      id: z.string(),
      key: z.string().optional(),
      fields: z
        .object({
          created: z.string().optional(),
          status: z.object({ name: z.string() }).optional(),
        })
        .optional(),
      changelog: z
        .object({ total: z.number().optional(), histories: z.array(history).optional() })
        .optional(),
    }),
  ),
  nextPageToken: z.string().optional(),
});

const changelogPage = z.object({
  values: z.array(history),
  isLast: z.boolean().optional(),
  total: z.number().optional(),
});

const countResponse = z.object({ count: z.number().int().nonnegative() });

export interface ReportIssue {
  id: string;
  key: string;
  /** Epoch ms; NaN when Jira gave no readable creation time. */
  createdAt: number;
  status: string | undefined;
  histories: ChangelogHistory[];
  /** False when Jira embedded only the most recent histories and the rest must be fetched. */
  complete: boolean;
}

const idsResponse = z.object({
  issues: z.array(z.object({ id: z.string() })),
  nextPageToken: z.string().optional(),
});

const CHANGELOG_PAGE = 100;
/** Plenty for any real issue; stops a broken `isLast` from paging forever. */
const MAX_CHANGELOG_PAGES = 100;

/** The enhanced search returns up to 5000 ids a page when no fields are asked for. */
export const ID_PAGE_SIZE = 5000;

/**
 * One page of the ids a query matches, in the query's order: no fields, no changelog, so a page
 * holds up to 5000 ids and listing a 90,000-issue job takes 18 requests.
 */
export async function listIssueIds(
  jql: string,
  pageToken?: string,
): Promise<{ ids: string[]; nextPageToken?: string }> {
  const body = {
    jql,
    maxResults: ID_PAGE_SIZE,
    ...(pageToken !== undefined ? { nextPageToken: pageToken } : {}),
  };
  const parsed = idsResponse.parse(await postJson(route`/rest/api/3/search/jql`, body));
  return {
    ids: parsed.issues.map((issue) => issue.id),
    ...(parsed.nextPageToken !== undefined ? { nextPageToken: parsed.nextPageToken } : {}),
  };
}

/**
 * The given issues (at most 100) with status, creation time and embedded changelog. An issue
 * deleted or hidden since the scan is simply absent. Jira refuses (400) an `id in (...)` naming
 * an issue that no longer exists, so on a 400 the ids are split in halves until the culprit is
 * alone: rare, and about 2 log2(n) requests when it happens.
 */
export async function fetchIssues(ids: readonly string[]): Promise<ReportIssue[]> {
  if (ids.length === 0) return [];
  const body = {
    jql: `id in (${ids.join(', ')})`,
    maxResults: Math.min(ids.length, MAX_PAGE_SIZE),
    fields: ['status', 'created'],
    expand: 'changelog',
  };
  let response: unknown;
  try {
    response = await postJson(route`/rest/api/3/search/jql`, body);
  } catch (error) {
    if (!(error instanceof JiraRequestError) || error.status !== 400) throw error;
    if (ids.length === 1) return [];
    const half = Math.ceil(ids.length / 2);
    return [...(await fetchIssues(ids.slice(0, half))), ...(await fetchIssues(ids.slice(half)))];
  }
  const parsed = searchResponse.parse(response);
  return parsed.issues.map((issue) => {
    const histories = (issue.changelog?.histories ?? []).map(toHistory);
    return {
      id: issue.id,
      key: issue.key ?? issue.id,
      createdAt: parseJiraTime(issue.fields?.created),
      status: issue.fields?.status?.name,
      histories,
      complete: issue.changelog !== undefined && histories.length >= (issue.changelog.total ?? 0),
    };
  });
}

/** Every history of an issue, through the changelog endpoint's pages. */
export async function fullChangelog(issueId: string): Promise<ChangelogHistory[]> {
  const all: ChangelogHistory[] = [];
  for (let page = 0; page < MAX_CHANGELOG_PAGES; page++) {
    const response = await api
      .asApp()
      .requestJira(
        route`/rest/api/3/issue/${issueId}/changelog?startAt=${all.length}&maxResults=${CHANGELOG_PAGE}`,
      );
    const parsed = changelogPage.parse(await readJson(response));
    all.push(...parsed.values.map(toHistory));
    const last =
      parsed.isLast ?? (parsed.total !== undefined ? all.length >= parsed.total : parsed.values.length === 0);
    if (last || parsed.values.length === 0) return all;
  }
  throw new JiraRequestError(
    0,
    `the changelog of issue ${issueId} did not end after ${MAX_CHANGELOG_PAGES} pages`,
  );
}

/** How many issues a query matches, as Jira estimates it. */
export async function approximateCount(jql: string): Promise<number> {
  return countResponse.parse(await postJson(route`/rest/api/3/search/approximate-count`, { jql })).count;
}

/** Jira writes `2026-01-05T09:12:00.000+0000`; `Date.parse` wants a colon in the offset. */
export function parseJiraTime(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function toHistory(h: z.infer<typeof history>): ChangelogHistory {
  return {
    ...(h.id !== undefined ? { id: h.id } : {}),
    created: parseJiraTime(h.created),
    items: h.items.map((item) => ({
      field: item.field,
      ...(item.fieldId !== undefined ? { fieldId: item.fieldId } : {}),
      fromString: item.fromString ?? null,
      toString: item.toString ?? null,
    })),
  };
}

type Route = Parameters<ReturnType<typeof api.asApp>['requestJira']>[0];

async function postJson(path: Route, body: unknown): Promise<unknown> {
  const response = await api.asApp().requestJira(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return readJson(response);
}

async function readJson(response: {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}): Promise<unknown> {
  const text = await response.text();
  if (!response.ok)
    throw new JiraRequestError(response.status, `Jira answered ${response.status}: ${jiraMessage(text)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new JiraRequestError(response.status, 'Jira answered with a body that is not JSON');
  }
}

function jiraMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown };
    if (Array.isArray(body.errorMessages) && body.errorMessages.length > 0)
      return body.errorMessages.join('; ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}
