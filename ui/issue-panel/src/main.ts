// The issue panel. It shows the issue's data at one version; each edit is sent as a command made
// from that version (`expectedVersion`), then the panel watches the command settle and reloads. One
// edit at a time: a second edit made from the same view would be refused as stale once the first
// applied, so the controls wait until the first has settled.
import { view } from '@forge/bridge';
import {
  isStaleViewReason,
  submitCommandPayload,
  type ChecklistItem,
  type IssueStateView,
  type ReportJobSummary,
  type SubmitCommandPayload,
} from '../../../src/shared/resolver-api.js';
import { activityView } from './activity-view.js';
import { call } from './api.js';
import { checklistList, type ChecklistActions } from './checklist-view.js';
import { fill, h } from '../../shared/dom.js';
import { newClientCommandId, newItemId, rankForMove, rankForNewItem } from './ranks.js';
import { jobControls, latestReport } from './report-view.js';
import { pollUntilSettled } from './status-poller.js';
import './styles.css';

export const STALE_VIEW_MESSAGE =
  'Someone changed this issue while you were editing; your change was not applied. The view is refreshed.';

type StatusTone = 'pending' | 'applied' | 'rejected' | 'error' | 'info';

/** Edits the panel can send; the resolver adds the issue from the Forge context. */
type Edit = SubmitCommandPayload extends infer T
  ? T extends SubmitCommandPayload
    ? Omit<T, 'expectedVersion' | 'commandId'>
    : never
  : never;

const state: {
  view?: IssueStateView;
  busy: boolean;
  renaming?: string;
  job?: ReportJobSummary;
  jobBusy: boolean;
  /** A check the user just made, shown while it settles so the box does not flip back meanwhile. */
  pendingCheck?: { itemId: string; checked: boolean };
} = { busy: false, jobBusy: false };

const root = document.getElementById('app') as HTMLElement;
const listSlot = h('div', { class: 'list-slot' });
const addInput = h('input', {
  id: 'new-item',
  class: 'field',
  maxlength: 500,
  placeholder: 'Add an item',
  autocomplete: 'off',
  'data-testid': 'add-input',
});
const addButton = h(
  'button',
  { type: 'submit', class: 'button primary', 'data-testid': 'add-submit' },
  'Add',
);
const addForm = h(
  'form',
  { class: 'add', 'data-testid': 'add-form', onsubmit: (e) => (e.preventDefault(), void addItem()) },
  h('label', { for: 'new-item', class: 'visually-hidden' }, 'New checklist item'),
  addInput,
  addButton,
);
const progress = h('span', { class: 'progress-text', 'data-testid': 'checklist-progress' });
/** Announced to screen readers: every status of every edit lands here. */
const statusRegion = h('div', {
  class: 'status',
  role: 'status',
  'aria-live': 'polite',
  'data-testid': 'command-status',
});
const versionNote = h('span', { class: 'muted version', 'data-testid': 'view-version' });
const activitySlot = h('div');
const reportSlot = h('div');
const jobSlot = h('div');
const errorSlot = h('div', { role: 'alert', 'data-testid': 'panel-error' });

const actions: ChecklistActions = {
  check: (item, checked) => {
    state.pendingCheck = { itemId: item.itemId, checked };
    void submit(
      { type: 'checklist.check', payload: { itemId: item.itemId, checked } },
      `${checked ? 'Check' : 'Uncheck'} “${item.text}”`,
    );
  },
  startRename: (item) => {
    state.renaming = item.itemId;
    render();
  },
  cancelRename: () => {
    state.renaming = undefined;
    render();
  },
  rename: (item, text) => {
    state.renaming = undefined;
    if (text.trim() === item.text) return render();
    void submit(
      { type: 'checklist.rename', payload: { itemId: item.itemId, text: text.trim() } },
      `Rename “${item.text}”`,
    );
  },
  move: (index, direction) => {
    const items = state.view?.checklist ?? [];
    const item = items[index];
    const rank = rankForMove(items, index, direction);
    if (!item || rank === undefined) return;
    void submit(
      { type: 'checklist.reorder', payload: { itemId: item.itemId, rank } },
      `Move “${item.text}” ${direction < 0 ? 'up' : 'down'}`,
    );
  },
  remove: (item: ChecklistItem) =>
    void submit({ type: 'checklist.remove', payload: { itemId: item.itemId } }, `Remove “${item.text}”`),
};

function layout(): void {
  fill(
    root,
    errorSlot,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'checklist-heading' },
      h('h2', { id: 'checklist-heading' }, 'Items ', progress),
      listSlot,
      addForm,
      statusRegion,
      versionNote,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'activity-heading' },
      h('h2', { id: 'activity-heading' }, 'Activity'),
      activitySlot,
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'report-heading' },
      h('h2', { id: 'report-heading' }, 'Latest report'),
      reportSlot,
      jobSlot,
    ),
  );
  root.removeAttribute('aria-busy');
}

function render(): void {
  const v = state.view;
  if (!v) return;
  const locked = state.busy || !v.viewer.canEdit;
  const done = v.checklist.filter((i) => i.checked).length;
  progress.textContent = v.checklist.length ? `${done}/${v.checklist.length} done` : '';
  const pending = state.busy ? state.pendingCheck : undefined;
  const items = v.checklist.map((i) =>
    i.itemId === pending?.itemId ? { ...i, checked: pending.checked } : i,
  );
  fill(listSlot, checklistList({ items, disabled: locked, renaming: state.renaming }, actions));
  addInput.disabled = locked;
  addButton.disabled = locked;
  addForm.hidden = !v.viewer.canEdit;
  versionNote.textContent = `${v.issue.key} · version ${v.version}${v.viewer.canEdit ? '' : ' · read only'}`;
  versionNote.dataset['version'] = String(v.version);
  fill(activitySlot, activityView(v.activity));
  fill(reportSlot, latestReport(v.reports[0]));
  fill(
    jobSlot,
    v.viewer.canAdminister
      ? jobControls(state.job, state.jobBusy, {
          start: () => void startReport(),
          cancel: (job) => void cancelReport(job),
        })
      : null,
  );
}

function setStatus(tone: StatusTone, text: string): void {
  statusRegion.dataset['state'] = tone;
  fill(
    statusRegion,
    text ? h('span', { class: `lozenge ${tone}` }, toneLabel(tone)) : null,
    text ? ` ${text}` : '',
  );
}

function toneLabel(tone: StatusTone): string {
  return { pending: 'Pending', applied: 'Applied', rejected: 'Not applied', error: 'Error', info: 'Note' }[
    tone
  ];
}

async function load(): Promise<boolean> {
  const result = await call('getIssueState', {});
  if (!result.ok) {
    fill(errorSlot, h('p', { class: 'error' }, result.error.message));
    return false;
  }
  fill(errorSlot);
  state.view = result.value;
  render();
  return true;
}

async function addItem(): Promise<void> {
  const text = addInput.value.trim();
  if (!text || !state.view) return;
  const edit: Edit = {
    type: 'checklist.add',
    payload: { itemId: newItemId(), text, rank: rankForNewItem(state.view.checklist) },
  };
  if (await submit(edit, `Add “${text}”`)) addInput.value = '';
  addInput.focus();
}

/** Sends one edit made from the version on screen and follows it to its outcome. */
async function submit(edit: Edit, label: string): Promise<boolean> {
  const shown = state.view;
  if (!shown || state.busy) return false;
  const payload = { ...edit, expectedVersion: shown.version, commandId: newClientCommandId() };
  // The shared schema catches bad input (an over-long text) before a round trip.
  const checked = submitCommandPayload.safeParse(payload);
  if (!checked.success) {
    setStatus('error', checked.error.issues[0]?.message ?? 'That change is not valid.');
    return false;
  }
  state.busy = true;
  render();
  setStatus('pending', `${label}: waiting for the change to be applied…`);
  try {
    let sent = await call('submitCommand', payload);
    // Same client command id: a retry after a lost answer cannot apply the edit twice.
    if (!sent.ok && sent.error.code === 'unavailable') sent = await call('submitCommand', payload);
    if (!sent.ok) {
      setStatus('error', `${label}: ${sent.error.message}`);
      return false;
    }
    const outcome = await pollUntilSettled(sent.value.commandId, (commandIds) =>
      call('getStatuses', { commandIds }),
    );
    if (outcome.kind === 'error') {
      setStatus('error', `${label}: could not follow the change (${outcome.message}). It may still apply.`);
      return true;
    }
    if (outcome.kind === 'still-pending') {
      setStatus('pending', `${label}: still queued. It will be applied; refresh later to see it.`);
      return true;
    }
    const { status, reason } = outcome.status;
    if (status === 'applied') setStatus('applied', label);
    else if (isStaleViewReason(reason)) setStatus('rejected', STALE_VIEW_MESSAGE);
    else if (status === 'rejected') setStatus('rejected', `${label}: ${reason ?? 'the change was refused.'}`);
    else
      setStatus('error', `${label}: the change could not be applied and was set aside for an administrator.`);
    return status === 'applied';
  } finally {
    state.busy = false;
    state.pendingCheck = undefined;
    // Whatever happened, show the issue as it is now.
    if (!(await load())) render();
  }
}

async function startReport(): Promise<void> {
  state.jobBusy = true;
  render();
  const result = await call('startReport', { kind: 'time-in-status' });
  state.jobBusy = false;
  if (!result.ok) {
    setStatus('error', result.error.message);
    return render();
  }
  state.job = result.value.job;
  if (!result.value.started)
    setStatus('info', 'A report of this kind is already running; showing its progress.');
  render();
  void followJob(result.value.job.jobId);
}

async function cancelReport(job: ReportJobSummary): Promise<void> {
  state.jobBusy = true;
  render();
  const result = await call('cancelReport', { jobId: job.jobId });
  state.jobBusy = false;
  if (result.ok) state.job = result.value.job;
  else setStatus('error', result.error.message);
  render();
}

/** Report jobs run for minutes: a steady 2 s poll while the job runs, then a reload for its result. */
async function followJob(jobId: string): Promise<void> {
  while (state.job?.jobId === jobId && state.job.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const result = await call('getReport', { jobId });
    if (!result.ok) return;
    state.job = result.value.job;
    render();
  }
  await load();
}

async function start(): Promise<void> {
  const context = await view.getContext().catch(() => undefined);
  const issueKey = (context?.extension as { issue?: { key?: string } } | undefined)?.issue?.key;
  if (issueKey) document.title = `Checklist · ${issueKey}`;
  layout();
  if (!(await load())) return;
  if (state.view?.viewer.canAdminister) {
    const jobs = await call('listReports', { limit: 1 });
    if (jobs.ok && jobs.value.jobs[0]) {
      state.job = jobs.value.jobs[0];
      render();
      if (state.job.state === 'running') void followJob(state.job.jobId);
    }
  }
}

void start();
