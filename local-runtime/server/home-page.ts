// GET / in a browser: where to start. Made from what the runtime knows, never from one app: the
// Custom UI modules of the manifest, opened as each fixture user (on each fixture issue, for modules
// shown on an issue); the pages
// the server's plugins add (an app's console, say); and every route, as the start banner lists them.
import type { LocalForgeRuntime } from '../runtime.js';
import { esc, page, uiModules, type UiModule } from './custom-ui-host.js';

/** A page a server plugin serves, for the home page's links. */
export interface PluginLink {
  /** A path on this server, e.g. `/console`. */
  href: string;
  title: string;
  description?: string;
}

/** Enough rows to show a fixture whole, few enough to keep the page small. */
const MAX_ISSUES = 50;

export function homePage(rt: LocalForgeRuntime, links: PluginLink[], routes: string[]): string {
  const modules = uiModules(rt);
  const moduleSections = modules.map((m) => moduleSection(rt, m)).join('');
  const pages = links
    .map(
      (l) =>
        `<li><a href="${esc(l.href)}">${esc(l.title)}</a>${l.description ? ` <span class="muted">${esc(l.description)}</span>` : ''}</li>`,
    )
    .join('');
  const body = `
<header class="topbar"><span class="logo">Forge</span><span class="muted">local runtime</span></header>
<main class="index home">
  <h1>Local Forge runtime</h1>
  <p class="muted">App ${esc(rt.manifest.appId)} · folder ${esc(rt.manifest.appDir)} · ${rt.clock.kind} clock</p>
  ${pages ? `<section aria-labelledby="pages"><h2 id="pages">App pages</h2><ul>${pages}</ul></section>` : ''}
  <section aria-labelledby="modules"><h2 id="modules">Custom UI modules</h2>
    ${moduleSections || '<p class="muted">The manifest has no Custom UI module with a resource.</p>'}
  </section>
  <section aria-labelledby="routes"><h2 id="routes">Routes</h2>
    <p class="muted">The same list as JSON: <code>GET /</code> with <code>Accept: application/json</code>.</p>
    <pre class="routes">${routes.map(esc).join('\n')}</pre>
  </section>
</main>`;
  return page(`Local Forge runtime: ${rt.manifest.appId}`, body);
}

/**
 * For a module shown on an issue, one row per issue, one link per user: the module as that user
 * sees it on that issue. For any other module, one link per user.
 */
function moduleSection(rt: LocalForgeRuntime, module: UiModule): string {
  if (module.subject !== 'issue') {
    const links = rt.jira.inspect
      .users()
      .map(
        (u) =>
          `<a href="/ui/${encodeURIComponent(module.key)}?account=${encodeURIComponent(u.accountId)}">as ${esc(u.displayName)}</a>`,
      )
      .join(' · ');
    return `<h3>${esc(module.title)} <small class="muted">(${esc(module.key)}, ${esc(module.type)})</small></h3><p>${links || 'The local Jira has no users: see its fixture file.'}</p>`;
  }
  const allIssues = rt.jira.inspect.issues();
  const issues = allIssues.slice(0, MAX_ISSUES);
  const users = rt.jira.inspect.users();
  const href = (issueKey: string, accountId: string) =>
    `/ui/${encodeURIComponent(module.key)}?issue=${encodeURIComponent(issueKey)}&account=${encodeURIComponent(accountId)}`;
  const head = `<tr><th>Issue</th>${users.map((u) => `<th>${esc(u.displayName)} <small class="muted">${esc(u.accountId)}</small></th>`).join('')}</tr>`;
  const rows = issues
    .map(
      (i) =>
        `<tr><td><b>${esc(i.key)}</b> <span class="muted">${esc(i.fields.summary ?? '')}</span></td>${users
          .map(
            (u) =>
              `<td><a href="${esc(href(i.key, u.accountId))}" title="${esc(`${i.key} as ${u.displayName}`)}">open</a></td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  const more =
    allIssues.length > issues.length
      ? `<p class="muted">${allIssues.length - issues.length} more issues: /ui/${esc(module.key)}?issue={KEY}&amp;account={accountId}</p>`
      : '';
  const table =
    issues.length > 0 && users.length > 0
      ? `<table class="links"><thead>${head}</thead><tbody>${rows}</tbody></table>${more}`
      : '<p class="muted">The local Jira has no issues or no users: see its fixture file.</p>';
  return `<h3>${esc(module.title)} <small class="muted">(${esc(module.key)}, ${esc(module.type)})</small></h3>${table}`;
}
