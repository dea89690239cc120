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
import { h, type Child } from '../../ui/shared/dom.js';

const REFRESH_MS = 1500;

const badge = (status: string) => h('span', { class: `badge ${status}` }, status);
const id = (value: string, max = 14) =>
  h('span', { class: 'id', title: value }, value.length > max ? `${value.slice(0, max)}…` : value);
const tile = (label: string, value: number, level = '') =>
  h('div', { class: `tile ${value > 0 ? level : ''}` }, h('b', {}, value), label);

function table(headers: string[], rows: HTMLElement[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))),
    h('tbody', {}, ...rows),
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
  if (at === undefined) return h('span', { class: 'muted' }, '—');
  return h('span', { 'data-at': String(at), title: new Date(at).toISOString() }, ageText(at));
}

function refreshAges(): void {
  for (const span of document.querySelectorAll<HTMLElement>('[data-at]'))
    span.textContent = ageText(Number(span.dataset['at']));
}

function renderQueues(q: QueuesView): Node[] {
  const events = q.events.map((e) =>
    h(
      'tr',
      { 'data-event': e.eventId },
      h('td', {}, badge(e.state), e.replay ? ' ' : '', e.replay ? badge('replay') : ''),
      h('td', {}, e.queueName),
      h('td', {}, e.issueIds.join(', ') || '—'),
      h('td', {}, `${e.commands} × ${e.commandTypes.join(', ') || '?'}`),
      h('td', { class: 'num' }, e.retryCount),
      h('td', {}, ago(e.dueAt)),
    ),
  );
  const dropped = q.dropped.map((d) =>
    h(
      'tr',
      {},
      h('td', {}, id(d.eventId)),
      h('td', {}, d.issueIds.join(', ') || '—'),
      h('td', { class: 'num' }, d.commands),
      h('td', { class: 'num' }, d.retryCount),
      h('td', { class: 'reason' }, d.reason),
      h('td', {}, ago(d.droppedAt)),
    ),
  );
  return [
    h(
      'div',
      { class: 'tiles' },
      tile('pending', q.counts.pending),
      tile('held back', q.counts.heldBack, 'warn'),
      tile('retrying', q.counts.retrying, 'warn'),
      tile('in flight', q.counts.inFlight),
      tile('dropped', q.counts.dropped, 'bad'),
    ),
    h('h3', {}, 'Events not yet finished'),
    table(['State', 'Queue', 'Issues', 'Commands', 'Retries', 'Due'], events, 'The queues are empty.'),
    h('h3', {}, 'Dropped (retention window ran out)'),
    table(['Event', 'Issues', 'Commands', 'Retries', 'Reason', 'Dropped'], dropped, 'Nothing was dropped.'),
  ];
}

function letterRow(d: DeadLetterRow, replayable: boolean): HTMLElement {
  return h(
    'tr',
    { 'data-dead-letter': d.deadLetterId },
    h('td', {}, id(d.deadLetterId)),
    h('td', { title: d.issueId }, d.issueKey ?? (d.issueId || '—')),
    h('td', {}, d.commandType ? h('code', {}, d.commandType) : h('code', {}, d.raw ?? '')),
    h('td', { class: 'reason' }, d.reason),
    h('td', { class: 'num' }, d.attempts),
    h('td', {}, ago(d.createdAt)),
    h(
      'td',
      {},
      replayable
        ? h('button', { type: 'button', 'data-replay': d.deadLetterId }, 'Replay')
        : d.status === 'malformed'
          ? h('span', { class: 'muted' }, 'not replayable')
          : badge(d.status),
    ),
  );
}

function renderDeadLetters(d: DeadLettersView): Node[] {
  const head = ['Id', 'Issue', 'Command', 'Reason', 'Attempts', 'Created', ''];
  return [
    h(
      'div',
      { class: 'tiles' },
      tile('open', d.counts.open, 'bad'),
      tile('malformed', d.counts.malformed, 'bad'),
      tile('replayed', d.counts.replayed),
      tile('discarded', d.counts.discarded),
    ),
    h(
      'div',
      { class: 'toolbar' },
      h('h3', {}, 'Open'),
      d.counts.open > 0
        ? h('button', { type: 'button', 'data-replay-all': '' }, `Replay all (${d.counts.open})`)
        : null,
    ),
    table(
      head,
      d.open.map((l) => letterRow(l, true)),
      'No open dead letters.',
    ),
    h('h3', {}, 'Malformed events (kept for inspection, cannot be replayed)'),
    table(
      head,
      d.malformed.map((l) => letterRow(l, false)),
      'None.',
    ),
    h('h3', {}, 'Recently replayed'),
    table(
      head,
      d.replayed.map((l) => letterRow(l, false)),
      'None yet.',
    ),
    h('h3', {}, 'Recently discarded (given up on for good)'),
    table(
      head,
      d.discarded.map((l) => letterRow(l, false)),
      'None.',
    ),
  ];
}

function issueState(issue: IssueRow): Node {
  const s = issue.summary;
  if (!s) return h('span', { class: 'muted' }, 'no data stored yet');
  if (s.deletedAt !== undefined) return h('span', {}, badge('deleted'), ' issue deleted in Jira');
  const items = s.checklist.items.map((i) =>
    h('li', { class: i.checked ? 'checked' : '' }, `${i.checked ? '☑' : '☐'} ${i.text}`),
  );
  const a = s.activity;
  const counts = (['created', 'updated', 'commented'] as const)
    .filter((kind) => a[kind] > 0)
    .map((kind) => `${a[kind]} ${kind}`);
  if (a.lastTransition) counts.push(`last move ${a.lastTransition.from || '—'} → ${a.lastTransition.to}`);
  // Empty parts are left out, so a row says what there is rather than a list of zeros.
  const parts: Child[] = [
    s.checklist.total > 0
      ? h('div', {}, h('b', {}, 'Checklist '), `${s.checklist.done}/${s.checklist.total} done`)
      : null,
    items.length > 0 ? h('ul', { class: 'checklist' }, ...items) : null,
    counts.length > 0 ? h('div', {}, h('b', {}, 'Activity '), counts.join(' · ')) : null,
  ];
  if (a.external.length > 0)
    parts.push(
      h(
        'div',
        {},
        h('b', {}, 'External '),
        a.external.map((e) => `${e.kind} ${e.environment} ${e.status}`).join(' · '),
      ),
    );
  if (s.reports.length > 0)
    parts.push(
      h(
        'div',
        {},
        h('b', {}, 'Reports '),
        s.reports
          .map((r) => `${r.kind}: ${r.transitions} transition(s) across ${r.statuses} status(es)`)
          .join(' · '),
      ),
    );
  if (parts.every((part) => !part)) return h('span', { class: 'muted' }, 'empty');
  return h('div', {}, ...parts);
}

function renderIssues(v: IssuesView): Node[] {
  const rows = v.issues.map((issue) =>
    h(
      'tr',
      { 'data-issue': issue.issueId },
      h(
        'td',
        {},
        h('b', {}, issue.issueKey ?? issue.issueId),
        issue.issueKey ? h('div', { class: 'muted id' }, `id ${issue.issueId}`) : null,
        issue.title ? h('div', { class: 'muted' }, issue.title) : null,
      ),
      h('td', { class: 'num', 'data-version': String(issue.version) }, `v${issue.version}`),
      h('td', {}, ago(issue.updatedAt)),
      h('td', {}, issueState(issue)),
      h('td', { class: 'num' }, issue.queuedCommands),
      h(
        'td',
        {},
        issue.receipts.length === 0
          ? h('span', { class: 'muted' }, 'none')
          : h(
              'ul',
              { class: 'receipts' },
              ...issue.receipts.map((r) =>
                h(
                  'li',
                  { 'data-receipt': r.commandId, 'data-status': r.status },
                  badge(r.status),
                  ' ',
                  id(r.commandId, 12),
                  ` v${r.version} `,
                  r.reason ? h('span', { class: 'reason' }, r.reason) : '',
                ),
              ),
            ),
      ),
    ),
  );
  return [
    h(
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
  if (!v.available) return [h('p', { class: 'muted' }, 'This app declares no report job entities yet.')];
  const rows = v.jobs.map((j) => {
    // While Jira's count is unknown, the bar grows against what has been processed so far.
    const total = j.total ?? Math.max(1, j.done + j.failed);
    const pct = (n: number) => `${Math.min(100, (100 * n) / Math.max(1, total))}%`;
    return h(
      'tr',
      { 'data-report-job': j.jobId, 'data-state': j.state },
      h('td', {}, h('b', {}, j.kind), h('br', {}), id(j.jobId)),
      h('td', {}, badge(j.state), j.error ? h('div', { class: 'reason' }, j.error) : null),
      h(
        'td',
        {},
        h(
          'div',
          {
            class: 'bar',
            role: 'progressbar',
            'aria-valuemin': '0',
            'aria-valuemax': String(total),
            'aria-valuenow': String(j.done + j.failed),
          },
          sized(h('span', { class: 'ok' }), pct(j.done)),
          sized(h('span', { class: 'ko' }), pct(j.failed)),
        ),
        h(
          'span',
          { class: 'muted' },
          `${j.done} done · ${j.failed} failed · ${j.total ?? '?'} ${j.state === 'done' ? 'total' : 'expected'}`,
        ),
      ),
      h('td', {}, j.trigger, j.requestedBy ? ` by ${j.requestedBy}` : ''),
      h('td', {}, ago(j.startedAt)),
      h('td', {}, ago(j.finishedAt)),
    );
  });
  return [
    table(['Report', 'State', 'Progress', 'Trigger', 'Started', 'Finished'], rows, 'No report jobs yet.'),
  ];
}

function renderUsage(v: UsageView): Node[] {
  return [
    h(
      'div',
      { class: 'usage' },
      ...v.groups.map((g) =>
        h(
          'div',
          {},
          h('h3', {}, g.title),
          h(
            'table',
            {},
            h(
              'tbody',
              {},
              ...g.counters.map((c) =>
                h(
                  'tr',
                  { class: c.value === 0 ? 'zero' : '', 'data-counter': c.name },
                  h('td', {}, h('code', {}, c.name)),
                  h('td', { class: 'num' }, c.value.toLocaleString('en')),
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
