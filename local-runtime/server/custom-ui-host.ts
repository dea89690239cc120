// A local stand-in for the product page that hosts a Custom UI module:
// `/ui/{moduleKey}?issue=KEY&account=ID` (or `?project=KEY`, `?space=KEY`, any product context)
// shows the module's resource in an iframe, inside a minimal issue view for modules shown on an
// issue, and serves that resource under `/ui/{moduleKey}/frame/` with the bridge script injected,
// so the app's real front end and the real `@forge/bridge` run unmodified against the local
// runtime's resolvers. `view.getContext()` answers what the module's resolver receives as context
// (functions/ui-module-context.ts), for any module kind.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { uiModuleContext, type Extension, type UiContext } from '../functions/ui-module-context.js';
import type { JiraIssue } from '../jira/jira-emulator.js';
import type { LocalForgeRuntime } from '../runtime.js';
import { injectBridge, RESIZE_MESSAGE, type BridgeConfig } from './custom-ui-bridge.js';
import { HttpError } from './http-io.js';
import { resolveResourceFile, sendFile } from './static-files.js';

/** What the host page shows the module on by default: an issue, a project, or nothing in particular. */
export type UiSubject = 'issue' | 'project' | 'none';

export interface UiModule {
  key: string;
  /** The module kind, e.g. `jira:adminPage`. */
  type: string;
  resource: string;
  resourcePath: string;
  title: string;
  subject: UiSubject;
}

/** Query parameters that are not product context. */
const HOST_PARAMS = new Set(['account']);

/** Serves everything under `/ui`; the HTTP server sends every GET and HEAD of it here. */
export async function handleCustomUi(
  rt: LocalForgeRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const [, , rawKey, area] = url.pathname.split('/');
  if (!rawKey) return sendHtml(res, indexPage(rt));
  const module = uiModules(rt).find((m) => m.key === safeDecode(rawKey));
  if (!module) throw new HttpError(404, `No Custom UI module '${rawKey}' with a resource in manifest.yml`);
  if (area === undefined) return sendHtml(res, hostPage(rt, module, url));
  if (area !== 'frame') throw new HttpError(404, `Nothing is served at ${url.pathname}`);
  if (url.pathname === `/ui/${rawKey}/frame`) {
    // Relative links in index.html need the trailing slash.
    res.writeHead(301, { location: `/ui/${rawKey}/frame/${url.search}` });
    res.end();
    return;
  }
  const rest = url.pathname.slice(`/ui/${rawKey}/frame/`.length);
  const file = resolveResourceFile(rt.manifest.appDir, module.resourcePath, rest);
  if (path.basename(file) !== 'index.html') return sendFile(res, file, req.method === 'HEAD');
  const html = injectBridge(readFileSync(file, 'utf8'), bridgeConfig(rt, module, url));
  return sendHtml(res, html);
}

/**
 * The Custom UI modules this host can show: every product module with a resource, whatever its
 * kind, except UI Kit ones (`render: native`), which Forge renders itself from the app's React code.
 */
export function uiModules(rt: LocalForgeRuntime): UiModule[] {
  const modules: UiModule[] = [];
  for (const m of rt.manifest.uiModules.values()) {
    const resourcePath = m.resource ? rt.manifest.resources.get(m.resource) : undefined;
    if (!m.resource || !resourcePath || m.render === 'native') continue;
    modules.push({
      key: m.key,
      type: m.type,
      resource: m.resource,
      resourcePath,
      title: m.title,
      subject: subjectOf(m.type),
    });
  }
  return modules;
}

/** Modules named for the issue view (`jira:issuePanel`, `jira:issueGlance`, ...) or a project page. */
function subjectOf(type: string): UiSubject {
  const [product, name = ''] = type.split(':');
  if (product !== 'jira') return 'none';
  if (/^issue|^customField/.test(name)) return 'issue';
  if (/^project/.test(name)) return 'project';
  return 'none';
}

interface Viewing {
  accountId: string;
  context: UiContext;
  /** The issue the module is shown on, if any. */
  issue?: JiraIssue;
}

/**
 * Who views the module, on what: the product context comes from the query (`issue=APP-1`,
 * `project=APP`, `space=DS`, `content=123`, ...: a value of digits is an id, anything else a key),
 * with the first issue (or its project) by default for modules shown on an issue (or a project).
 */
function viewing(rt: LocalForgeRuntime, module: UiModule, url: URL): Viewing {
  const issues = rt.jira.inspect.issues();
  const users = rt.jira.inspect.users();
  const extension: Extension = {};
  for (const [name, value] of url.searchParams) {
    if (!HOST_PARAMS.has(name)) extension[name] = /^\d+$/.test(value) ? { id: value } : { key: value };
  }
  if (module.subject === 'issue' && !extension['issue'] && issues[0])
    extension['issue'] = { key: issues[0].key };
  if (module.subject === 'project' && !extension['project'] && issues[0])
    extension['project'] = { key: issues[0].fields.project.key };
  const issueRef = url.searchParams.get('issue') ?? (module.subject === 'issue' ? issues[0]?.key : undefined);
  const issue = issueRef === undefined ? undefined : rt.jira.inspect.issue(issueRef);
  if (issueRef !== undefined && !issue) throw new HttpError(404, `The local Jira has no issue '${issueRef}'`);
  if (module.subject === 'issue' && !issue)
    throw new HttpError(404, 'The local Jira has no issues to show the module on');
  const accountId = url.searchParams.get('account') ?? users[0]?.accountId;
  if (!accountId || !users.some((u) => u.accountId === accountId)) {
    const known = users.map((u) => u.accountId).join(', ');
    throw new HttpError(404, `The local Jira has no user '${accountId ?? ''}' (users: ${known})`);
  }
  const definition = rt.manifest.uiModules.get(module.key)!;
  const context = uiModuleContext(definition, rt.site, rt.jira, { accountId, extension });
  return { accountId, context, ...(issue ? { issue } : {}) };
}

function bridgeConfig(rt: LocalForgeRuntime, module: UiModule, url: URL): BridgeConfig {
  const { accountId, context } = viewing(rt, module, url);
  return { moduleKey: module.key, accountId, context };
}

function fieldName(field: unknown): string | undefined {
  if (typeof field !== 'object' || field === null) return undefined;
  const name = (field as { name?: unknown; displayName?: unknown }).name;
  const display = (field as { displayName?: unknown }).displayName;
  return typeof name === 'string' ? name : typeof display === 'string' ? display : undefined;
}

function indexPage(rt: LocalForgeRuntime): string {
  const issues = rt.jira.inspect.issues().slice(0, 10);
  const users = rt.jira.inspect.users();
  const items = uiModules(rt)
    .map((m) => {
      const asUser = (query: string, label: string) =>
        users
          .map(
            (u) =>
              `<a href="/ui/${encodeURIComponent(m.key)}?${query}account=${encodeURIComponent(u.accountId)}">${esc(label)}as ${esc(u.displayName)}</a>`,
          )
          .join(' · ');
      const lines =
        m.subject === 'issue'
          ? issues.map((i) => asUser(`issue=${encodeURIComponent(i.key)}&amp;`, `${i.key} `))
          : [asUser('', '')];
      const links = lines.map((l) => `<li>${l}</li>`).join('');
      return `<h2>${esc(m.title)} <small>(${esc(m.key)}, ${esc(m.type)})</small></h2><ul>${links}</ul>`;
    })
    .join('');
  return page(
    'Custom UI modules',
    `<main class="index"><h1>Custom UI modules</h1>${items || '<p>None.</p>'}</main>`,
  );
}

function hostPage(rt: LocalForgeRuntime, module: UiModule, url: URL): string {
  const { issue, accountId } = viewing(rt, module, url);
  const query = new URLSearchParams(url.searchParams);
  query.set('account', accountId);
  if (issue) query.set('issue', issue.key);
  const frameSrc = `/ui/${encodeURIComponent(module.key)}/frame/?${query.toString()}`;
  const users = rt.jira.inspect.users();
  const userOptions = users
    .map(
      (u) =>
        `<option value="${esc(u.accountId)}"${u.accountId === accountId ? ' selected' : ''}>${esc(u.displayName)}</option>`,
    )
    .join('');
  // Switching user keeps the product context the page was opened on.
  const kept = [...query]
    .filter(([name]) => name !== 'account')
    .map(([name, value]) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`)
    .join('');
  const product = module.type.split(':')[0] ?? 'Forge';
  const topbar = `
<header class="topbar"><span class="logo">${esc(product.charAt(0).toUpperCase() + product.slice(1))}</span><span class="muted">local Forge runtime</span>
  <form class="viewer" method="get">
    ${kept}
    <label>Viewing as <select name="account" onchange="this.form.submit()">${userOptions}</select></label>
  </form>
</header>`;
  const frame = `
      <section class="app-panel" aria-label="${esc(module.title)}">
        <h2 class="panel-title"><img src="/ui/${encodeURIComponent(module.key)}/frame/icon.svg" alt="" width="16" height="16" onerror="this.remove()"> ${esc(module.title)}</h2>
        <iframe title="${esc(module.title)}" data-testid="custom-ui-frame" src="${esc(frameSrc)}"></iframe>
      </section>`;
  const main = issue
    ? issueView(issue, frame)
    : `
<main class="issue">
  <nav class="crumbs" aria-label="Breadcrumbs">${esc(module.type)}${[...query]
    .filter(([name]) => name !== 'account')
    .map(([name, value]) => ` / ${esc(name)} ${esc(value)}`)
    .join('')}</nav>
  <div class="main-col"><h1>${esc(module.title)}</h1>${frame}</div>
</main>`;
  const body = `${topbar}${main}
<script>
  window.addEventListener('message', function (event) {
    if (event.origin !== location.origin || !event.data || event.data.type !== '${RESIZE_MESSAGE}') return;
    var frame = document.querySelector('iframe');
    if (frame && typeof event.data.height === 'number') frame.style.height = Math.max(120, Math.ceil(event.data.height)) + 'px';
  });
</script>`;
  return page(issue ? `${issue.key}: ${issue.fields.summary ?? ''}` : module.title, body);
}

/** A minimal Jira issue view around the module's frame. */
function issueView(issue: JiraIssue, frame: string): string {
  const f = issue.fields;
  const project = f.project;
  const detail = (label: string, value: string | undefined) =>
    `<div class="row"><dt>${esc(label)}</dt><dd>${esc(value ?? 'None')}</dd></div>`;
  const person = (field: unknown) => {
    const p = field as { displayName?: unknown } | null | undefined;
    return typeof p?.displayName === 'string' ? p.displayName : 'Unassigned';
  };
  return `
<main class="issue">
  <nav class="crumbs" aria-label="Breadcrumbs">Projects / ${esc(String(project['name'] ?? project.key))} / <span data-testid="host-issue-key">${esc(issue.key)}</span></nav>
  <div class="columns">
    <div class="main-col">
      <h1>${esc(f.summary ?? issue.key)}</h1>${frame}
    </div>
    <aside class="side-col">
      <span class="lozenge">${esc(f.status.name)}</span>
      <dl class="details">
        ${detail('Assignee', person(f['assignee']))}
        ${detail('Reporter', person(f['reporter']))}
        ${detail('Priority', fieldName(f['priority']))}
        ${detail('Type', fieldName(f['issuetype']))}
      </dl>
    </aside>
  </div>
</main>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${HOST_CSS}</style></head><body>${body}</body></html>`;
}

const HOST_CSS = `
body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 14px; color: #172b4d; background: #fff; }
.topbar { display: flex; align-items: center; gap: 12px; height: 48px; padding: 0 16px; border-bottom: 1px solid #dfe1e6; }
.logo { font-weight: 700; color: #0c66e4; font-size: 18px; }
.muted { color: #626f86; font-size: 12px; }
.viewer { margin-left: auto; font-size: 13px; }
.issue { padding: 16px 32px; }
.index { padding: 16px 32px; }
.home h2 { font-size: 16px; margin: 24px 0 8px; }
.home h3 { font-size: 14px; margin: 12px 0 8px; }
.links { border-collapse: collapse; }
.links th, .links td { text-align: left; padding: 3px 16px 3px 0; }
.routes { background: #f7f8f9; padding: 8px 12px; overflow-x: auto; font-size: 12px; }
.crumbs { color: #626f86; font-size: 13px; margin-bottom: 8px; }
h1 { font-size: 24px; font-weight: 500; margin: 0 0 24px; }
.columns { display: flex; gap: 32px; align-items: flex-start; }
.main-col { flex: 1 1 auto; min-width: 0; max-width: 760px; }
.side-col { flex: 0 0 280px; }
.panel-title { display: flex; align-items: center; gap: 8px; font-size: 14px; font-weight: 600; margin: 0 0 8px; }
iframe { width: 100%; height: 400px; border: 0; display: block; }
.lozenge { display: inline-block; background: #dfe1e6; color: #44546f; font-size: 11px; font-weight: 700; text-transform: uppercase; padding: 2px 6px; border-radius: 3px; }
.details { border: 1px solid #dfe1e6; border-radius: 4px; padding: 8px 12px; margin-top: 16px; }
.row { display: flex; padding: 6px 0; }
dt { flex: 0 0 96px; color: #626f86; font-weight: 600; font-size: 12px; }
dd { margin: 0; }
`;

export function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-cache',
  });
  res.end(html);
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `The path segment '${part}' is not validly encoded`);
  }
}

export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
