// The context a UI module runs in, as `@forge/bridge`'s `view.getContext()` answers it and as its
// resolver receives it (`req.context`): one function builds both, so they always agree. It works
// for any module kind: `extension.type` is the module's kind, and the product context is what the
// caller names (an issue, a project, a space, a component, ...), completed from the local Jira for
// issues and projects. Sources: docs manifest-reference/modules/<module> ("Extension data") and
// apis-reference/ui-api-bridge/view ("getContext").
import type { JiraEmulator, JiraIssue } from '../jira/jira-emulator.js';
import type { UiModuleDefinition } from '../manifest/app-manifest.js';
import type { LocalSite } from './forge-context.js';
import { InvalidExtensionError } from './module-errors.js';

export type Extension = Record<string, unknown>;

/** `view.getContext()`'s `FullContext` of `@forge/bridge`, as far as the local runtime fills it. */
export interface UiContext {
  accountId?: string;
  cloudId: string;
  moduleKey: string;
  localId: string;
  siteUrl: string;
  environmentId: string;
  environmentType: string;
  locale: string;
  timezone: string;
  theme: { colorMode: 'light' };
  extension: Extension & { type: string };
  // `license` stays out: Forge leaves it undefined in development environments (docs: view, getContext).
}

/**
 * Extension fields some module kinds document beyond their product context (docs:
 * jira-dashboard-gadget, jira-issue-panel). What the caller gives wins.
 */
const KIND_DEFAULTS: Record<string, (moduleKey: string) => Extension> = {
  'jira:dashboardGadget': (moduleKey) => ({
    gadgetConfiguration: {},
    dashboard: { id: 'local-dashboard' },
    gadget: { id: `${moduleKey}-local` },
  }),
  'jira:issuePanel': () => ({ isNewToIssue: false }),
};

export function uiModuleContext(
  module: UiModuleDefinition,
  site: LocalSite,
  jira: JiraEmulator,
  call: { accountId?: string; extension?: Extension },
): UiContext {
  const given = call.extension ?? {};
  if (given['type'] !== undefined && given['type'] !== module.type) {
    throw new InvalidExtensionError(
      `Module '${module.key}' is a ${module.type}, but the call's extension.type is '${String(given['type'])}'`,
    );
  }
  const extension: Extension & { type: string } = {
    ...KIND_DEFAULTS[module.type]?.(module.key),
    ...given,
    ...productContext(given, site, jira),
    type: module.type,
  };
  return {
    ...(call.accountId ? { accountId: call.accountId } : {}),
    cloudId: site.cloudId,
    moduleKey: module.key,
    localId: `${module.key}-local`,
    siteUrl: site.siteUrl,
    environmentId: site.environmentId,
    environmentType: site.environmentType,
    locale: 'en-US',
    timezone: 'UTC',
    theme: { colorMode: 'light' },
    extension,
  };
}

/**
 * An `issue` the local Jira has (by key or id) becomes the issue and its project as Forge gives them (`issue.{id, key,
 * type, typeId}`, `project.{id, key, type}`) and the page's `location`; a `project` alone becomes
 * the project. Other product context (a Confluence space or content, a Compass component, a
 * dashboard) is passed as given: the runtime has no local Confluence or Compass.
 */
function productContext(given: Extension, site: LocalSite, jira: JiraEmulator): Extension {
  const issueRef = reference(given['issue']);
  if (issueRef) {
    const issue = jira.inspect.issue(issueRef);
    // An issue the local Jira lacks is passed as given: tests may name issues they never stored.
    if (!issue) return {};
    const issueType = issue.fields['issuetype'];
    const known = {
      id: issue.id,
      key: issue.key,
      ...defined({ type: nameOf(issueType), typeId: idOf(issueType) }),
    };
    return {
      issue: over(known, given['issue']),
      project: over(projectOf(issue), given['project']),
      location: `${site.siteUrl}/browse/${issue.key}`,
    };
  }
  const projectRef = reference(given['project']);
  if (projectRef) {
    const issue = jira.inspect
      .issues()
      .find((i) => i.fields.project.key === projectRef || String(i.fields.project['id']) === projectRef);
    if (issue) return { project: over(projectOf(issue), given['project']) };
  }
  return {};
}

/** The key or id a caller names something by: `{ key }`, `{ id }` or the plain string. */
function reference(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, id } = value as { key?: unknown; id?: unknown };
  if (typeof key === 'string' && key !== '') return key;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  return undefined;
}

/** What the issue's project field says; the project's id only when the fixture gives it there. */
function projectOf(issue: JiraIssue): Extension {
  const project = issue.fields.project;
  const type = project['projectTypeKey'];
  return {
    ...defined({ id: idOf(project) }),
    key: project.key,
    type: typeof type === 'string' ? type : 'software',
  };
}

/** What the local Jira knows, in its order, plus whatever else the caller gave. */
function over(known: Extension, given: unknown): Extension {
  const extra = typeof given === 'object' && given !== null ? (given as Extension) : {};
  return { ...known, ...extra, ...known };
}

function defined(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

function nameOf(field: unknown): string | undefined {
  if (typeof field !== 'object' || field === null) return undefined;
  const { name } = field as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}

function idOf(field: unknown): string | undefined {
  if (typeof field !== 'object' || field === null) return undefined;
  const { id } = field as { id?: unknown };
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
