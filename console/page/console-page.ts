// The console page's script (served as JavaScript by console-assets.ts). It polls one snapshot
// endpoint and redraws only the sections whose data changed, so a button under the pointer is not
// replaced while nothing happens. Every value is set as text, never as HTML: it is stored data.
import type {
  ConsoleError,
  ConsoleSnapshot,
  DeadLetterRow,
  DeadLettersView,
  IssueRow,
  IssuesView,
  QueuesView,
  ReplayResult,
  ReportsView,
  UsageView,
} from '../console-types.js';

const REFRESH_MS = 1500;

type Child = Node | string | number | null | undefined | false;

function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

const badge = (status: string) => el('span', { class: `badge ${status}` }, status);
const id = (value: string, max = 14) =>
  el('span', { class: 'id', title: value }, value.length > max ? `${value.slice(0, max)}…` : value);
const tile = (label: string, value: number, level = '') =>
  el('div', { class: `tile ${value > 0 ? level : ''}` }, el('b', {}, value), label);

function table(headers: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'muted' }, empty);
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
}

/** Times relative to the runtime's clock, which in tests is virtual and far from the wall clock. */
let runtimeNow = Date.now();

function ageText(at: number): string {
  const seconds = Math.round((runtimeNow - at) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 60
      ? `${abs}s`
      : abs < 3600
        ? `${Math.round(abs / 60)}m`
        : abs < 86400
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86400)}d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** Ages are updated in place each poll (see `refreshAges`), so they never force a redraw. */
function ago(at: number | undefined): HTMLElement {
  if (at === undefined) return el('span', { class: 'muted' }, '—');
  return el('span', { 'data-at': String(at), title: new Date(at).toISOString() }, ageText(at));
}

function refreshAges(): void {
  for (const span of document.querySelectorAll<HTMLElement>('[data-at]'))
    span.textContent = ageText(Number(span.dataset['at']));
}

function renderQueues(q: QueuesView): Node[] {
  const events = q.events.map((e) =>
    el(
      'tr',
      { 'data-event': e.eventId },
      el('td', {}, badge(e.state), e.replay ? ' ' : '', e.replay ? badge('replay') : ''),
      el('td', {}, e.queueName),
      el('td', {}, e.issueIds.join(', ') || '—'),
      el('td', {}, `${e.commands} × ${e.commandTypes.join(', ') || '?'}`),
      el('td', { class: 'num' }, e.retryCount),
      el('td', {}, ago(e.dueAt)),
    ),
  );
  const dropped = q.dropped.map((d) =>
    el(
      'tr',
      {},
      el('td', {}, id(d.eventId)),
      el('td', {}, d.issueIds.join(', ') || '—'),
      el('td', { class: 'num' }, d.commands),
      el('td', { class: 'num' }, d.retryCount),
      el('td', { class: 'reason' }, d.reason),
      el('td', {}, ago(d.droppedAt)),
    ),
  );
  return [
    el(
      'div',
      { class: 'tiles' },
      tile('pending', q.counts.pending),
      tile('held back', q.counts.heldBack, 'warn'),
      tile('retrying', q.counts.retrying, 'warn'),
      tile('in flight', q.counts.inFlight),
      tile('dropped', q.counts.dropped, 'bad'),
    ),
    el('h3', {}, 'Events not yet finished'),
    table(['State', 'Queue', 'Issues', 'Commands', 'Retries', 'Due'], events, 'The queues are empty.'),
    el('h3', {}, 'Dropped (retention window ran out)'),
    table(['Event', 'Issues', 'Commands', 'Retries', 'Reason', 'Dropped'], dropped, 'Nothing was dropped.'),
  ];
}

function letterRow(d: DeadLetterRow, replayable: boolean): HTMLElement {
  return el(
    'tr',
    { 'data-dead-letter': d.deadLetterId },
    el('td', {}, id(d.deadLetterId)),
    el('td', { title: d.issueId }, d.issueKey ?? (d.issueId || '—')),
    el('td', {}, d.commandType ? el('code', {}, d.commandType) : el('code', {}, d.raw ?? '')),
    el('td', { class: 'reason' }, d.reason),
    el('td', { class: 'num' }, d.attempts),
    el('td', {}, ago(d.createdAt)),
    el(
      'td',
      {},
      replayable
        ? el('button', { type: 'button', 'data-replay': d.deadLetterId }, 'Replay')
        : d.status === 'malformed'
          ? el('span', { class: 'muted' }, 'not replayable')
          : badge(d.status),
    ),
  );
}

function renderDeadLetters(d: DeadLettersView): Node[] {
  const head = ['Id', 'Issue', 'Command', 'Reason', 'Attempts', 'Created', ''];
  return [
    el(
      'div',
      { class: 'tiles' },
      tile('open', d.counts.open, 'bad'),
      tile('malformed', d.counts.malformed, 'bad'),
      tile('replayed', d.counts.replayed),
      tile('discarded', d.counts.discarded),
    ),
    el(
      'div',
      { class: 'toolbar' },
      el('h3', {}, 'Open'),
      d.counts.open > 0
        ? el('button', { type: 'button', 'data-replay-all': '' }, `Replay all (${d.counts.open})`)
        : null,
    ),
    table(
      head,
      d.open.map((l) => letterRow(l, true)),
      'No open dead letters.',
    ),
    el('h3', {}, 'Malformed events (kept for inspection, cannot be replayed)'),
    table(
      head,
      d.malformed.map((l) => letterRow(l, false)),
      'None.',
    ),
    el('h3', {}, 'Recently replayed'),
    table(
      head,
      d.replayed.map((l) => letterRow(l, false)),
      'None yet.',
    ),
    el('h3', {}, 'Recently discarded (given up on for good)'),
    table(
      head,
      d.discarded.map((l) => letterRow(l, false)),
      'None.',
    ),
  ];
}

function issueState(issue: IssueRow): Node {
  const s = issue.summary;
  if (!s) return el('span', { class: 'muted' }, 'no data stored yet');
  if (s.deletedAt !== undefined) return el('span', {}, badge('deleted'), ' issue deleted in Jira');
  const items = s.checklist.items.map((i) =>
    el('li', { class: i.checked ? 'checked' : '' }, `${i.checked ? '☑' : '☐'} ${i.text}`),
  );
  const a = s.activity;
  const counts = (['created', 'updated', 'commented'] as const)
    .filter((kind) => a[kind] > 0)
    .map((kind) => `${a[kind]} ${kind}`);
  if (a.lastTransition) counts.push(`last move ${a.lastTransition.from || '—'} → ${a.lastTransition.to}`);
  // Empty parts are left out, so a row says what there is rather than a list of zeros.
  const parts: Child[] = [
    s.checklist.total > 0
      ? el('div', {}, el('b', {}, 'Checklist '), `${s.checklist.done}/${s.checklist.total} done`)
      : null,
    items.length > 0 ? el('ul', { class: 'checklist' }, ...items) : null,
    counts.length > 0 ? el('div', {}, el('b', {}, 'Activity '), counts.join(' · ')) : null,
  ];
  if (a.external.length > 0)
    parts.push(
      el(
        'div',
        {},
        el('b', {}, 'External '),
        a.external.map((e) => `${e.kind} ${e.environment} ${e.status}`).join(' · '),
      ),
    );
  if (s.reports.length > 0)
    parts.push(
      el(
        'div',
        {},
        el('b', {}, 'Reports '),
        s.reports
          .map((r) => `${r.kind}: ${r.transitions} transition(s) across ${r.statuses} status(es)`)
          .join(' · '),
      ),
    );
  if (parts.every((part) => !part)) return el('span', { class: 'muted' }, 'empty');
  return el('div', {}, ...parts);
}

function renderIssues(v: IssuesView): Node[] {
  const rows = v.issues.map((issue) =>
    el(
      'tr',
      { 'data-issue': issue.issueId },
      el(
        'td',
        {},
        el('b', {}, issue.issueKey ?? issue.issueId),
        issue.issueKey ? el('div', { class: 'muted id' }, `id ${issue.issueId}`) : null,
        issue.title ? el('div', { class: 'muted' }, issue.title) : null,
      ),
      el('td', { class: 'num', 'data-version': String(issue.version) }, `v${issue.version}`),
      el('td', {}, ago(issue.updatedAt)),
      el('td', {}, issueState(issue)),
      el('td', { class: 'num' }, issue.queuedCommands),
      el(
        'td',
        {},
        issue.receipts.length === 0
          ? el('span', { class: 'muted' }, 'none')
          : el(
              'ul',
              { class: 'receipts' },
              ...issue.receipts.map((r) =>
                el(
                  'li',
                  { 'data-receipt': r.commandId, 'data-status': r.status },
                  badge(r.status),
                  ' ',
                  id(r.commandId, 12),
                  ` v${r.version} `,
                  r.reason ? el('span', { class: 'reason' }, r.reason) : '',
                ),
              ),
            ),
      ),
    ),
  );
  return [
    el(
      'p',
      { class: 'muted' },
      `${v.total} issue(s) with stored data${v.total > v.issues.length ? `, the ${v.issues.length} most recent shown` : ''}.`,
    ),
    table(['Issue', 'Version', 'Updated', 'State', 'Queued', 'Recent receipts'], rows, 'No issue data yet.'),
  ];
}

/** Through the CSSOM: the page's content security policy refuses inline `style` attributes. */
function sized(node: HTMLElement, width: string): HTMLElement {
  node.style.width = width;
  return node;
}

function renderReports(v: ReportsView): Node[] {
  if (!v.available) return [el('p', { class: 'muted' }, 'This app declares no report job entities yet.')];
  const rows = v.jobs.map((j) => {
    // While Jira's count is unknown, the bar grows against what has been processed so far.
    const total = j.total ?? Math.max(1, j.done + j.failed);
    const pct = (n: number) => `${Math.min(100, (100 * n) / Math.max(1, total))}%`;
    return el(
      'tr',
      { 'data-report-job': j.jobId, 'data-state': j.state },
      el('td', {}, el('b', {}, j.kind), el('br', {}), id(j.jobId)),
      el('td', {}, badge(j.state), j.error ? el('div', { class: 'reason' }, j.error) : null),
      el(
        'td',
        {},
        el(
          'div',
          {
            class: 'bar',
            role: 'progressbar',
            'aria-valuemin': '0',
            'aria-valuemax': String(total),
            'aria-valuenow': String(j.done + j.failed),
          },
          sized(el('span', { class: 'ok' }), pct(j.done)),
          sized(el('span', { class: 'ko' }), pct(j.failed)),
        ),
        el(
          'span',
          { class: 'muted' },
          `${j.done} done · ${j.failed} failed · ${j.total ?? '?'} ${j.state === 'done' ? 'total' : 'expected'}`,
        ),
      ),
      el('td', {}, j.trigger, j.requestedBy ? ` by ${j.requestedBy}` : ''),
      el('td', {}, ago(j.startedAt)),
      el('td', {}, ago(j.finishedAt)),
    );
  });
  return [
    table(['Report', 'State', 'Progress', 'Trigger', 'Started', 'Finished'], rows, 'No report jobs yet.'),
  ];
}

function renderUsage(v: UsageView): Node[] {
  return [
    el(
      'div',
      { class: 'usage' },
      ...v.groups.map((g) =>
        el(
          'div',
          {},
          el('h3', {}, g.title),
          el(
            'table',
            {},
            el(
              'tbody',
              {},
              ...g.counters.map((c) =>
                el(
                  'tr',
                  { class: c.value === 0 ? 'zero' : '', 'data-counter': c.name },
                  el('td', {}, el('code', {}, c.name)),
                  el('td', { class: 'num' }, c.value.toLocaleString('en')),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  ];
}

const lastDrawn = new Map<string, string>();

/** Redraws a section only when its data changed. */
function draw<T>(section: string, data: T, render: (data: T) => Node[]): void {
  const key = JSON.stringify(data);
  if (lastDrawn.get(section) === key) return;
  lastDrawn.set(section, key);
  document.querySelector(`#${section} .body`)?.replaceChildren(...render(data));
}

function notice(text: string, isError: boolean): void {
  const box = document.getElementById('notice');
  if (!box) return;
  box.textContent = text;
  box.className = isError ? 'error' : '';
  box.hidden = false;
}

async function refresh(): Promise<void> {
  const meta = document.getElementById('meta');
  try {
    const response = await fetch('/api/console/snapshot', { cache: 'no-store' });
    const body = (await response.json()) as ConsoleSnapshot | ConsoleError;
    if ('error' in body) throw new Error(body.error.message);
    runtimeNow = body.now;
    draw('queues', body.queues, renderQueues);
    draw('dead-letters', body.deadLetters, renderDeadLetters);
    draw('issues', body.issues, renderIssues);
    draw('reports', body.reports, renderReports);
    draw('usage', body.usage, renderUsage);
    refreshAges();
    if (meta)
      meta.textContent = `App ${body.appId} · ${body.clock} clock · refreshed ${new Date(body.generatedAt).toLocaleTimeString('en')}`;
  } catch (error) {
    if (meta) meta.textContent = `Cannot reach the runtime: ${(error as Error).message}. Retrying…`;
  }
}

async function replay(request: { ids: string[] } | { all: true }, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  button.textContent = 'Replaying…';
  try {
    const response = await fetch('/api/console/dead-letters/replay', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as ReplayResult | ConsoleError;
    if ('error' in body) throw new Error(body.error.message);
    const more = body.remaining > 0 ? ` ${body.remaining} more still open: replay again.` : '';
    notice(
      `Replayed ${body.replayed.length} dead letter(s) in ${body.events} event(s); watch the issue's receipts.${more}`,
      false,
    );
  } catch (error) {
    notice(`Replay failed: ${(error as Error).message}`, true);
    button.disabled = false;
    button.textContent = 'Retry replay';
  }
  await refresh();
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button') : null;
  if (!target) return;
  const one = target.getAttribute('data-replay');
  if (one !== null) void replay({ ids: [one] }, target);
  else if (target.hasAttribute('data-replay-all')) void replay({ all: true }, target);
});

void refresh();
setInterval(() => void refresh(), REFRESH_MS);
