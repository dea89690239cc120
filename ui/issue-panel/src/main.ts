// The issue panel. Each edit is sent on its own with the revision of the field it was made from
// (`basedOn`), so it is refused only if someone else changed that field; anything else happening
// to the issue (activity, reports, other items) never refuses it. Edits do not wait for each other:
// each has its own status, the items they touch are marked pending and shown as edited meanwhile,
// and the view is reloaded as they settle. A refused edit is shown with both values and one click
// to apply it on top of the value there now.
import { realtime, view } from '@forge/bridge';
import {
  isConflictReason,
  isStaleViewReason,
  submitCommandPayload,
  type ChecklistItem,
  type IssueStateView,
  type ReportJobSummary,
} from '../../../src/shared/resolver-api.js';
import { activityView } from './activity-view.js';
import { call } from './api.js';
import { checklistList, type ChecklistActions } from './checklist-view.js';
import {
  conflictOf,
  overlay,
  unseen,
  withBasis,
  withoutBasis,
  type Edit,
  type EditState,
  type TrackedEdit,
} from './edits.js';
import { fill, h } from '../../shared/dom.js';
import { newClientCommandId, newItemId, rankForMove, rankForNewItem } from './ranks.js';
import { LiveUpdates } from './live-updates.js';
import { jobControls, latestReport } from './report-view.js';
import { pollUntilSettled } from './status-poller.js';
import './styles.css';

/** Only for a whole-issue `expectedVersion` check, which the panel no longer sends. */
export const STALE_VIEW_MESSAGE =
  'Someone changed this issue while you were editing; your change was not applied. The view is refreshed.';

type StatusTone = 'pending' | 'applied' | 'rejected' | 'error' | 'info';

/** Settled edits kept on screen besides the pending ones and the unresolved conflicts. */
const SETTLED_SHOWN = 5;

const state: {
  view?: IssueStateView;
  /** Every edit not yet forgotten, oldest first. */
  edits: TrackedEdit[];
  renaming?: string;
  job?: ReportJobSummary;
  jobBusy: boolean;
} = { edits: [], jobBusy: false };
let nextEditKey = 0;

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
  { class: 'add', 'data-testid': 'add-form', onsubmit: (e) => (e.preventDefault(), addItem()) },
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
/** Whether the view is live (Realtime) or polled; for people and tests alike. */
const liveNote = h('span', { class: 'muted version', 'data-testid': 'live-mode', 'data-mode': 'connecting' });
const activitySlot = h('div');
const reportSlot = h('div');
const jobSlot = h('div');
const errorSlot = h('div', { role: 'alert', 'data-testid': 'panel-error' });
const conflictSlot = h('div', { 'data-testid': 'conflicts' });
const editList = h('ul', { class: 'edits', 'data-testid': 'edit-list', 'aria-label': 'Your recent changes' });

const actions: ChecklistActions = {
  check: (item, checked) => {
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
    const items = shownItems();
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
      conflictSlot,
      statusRegion,
      editList,
      versionNote,
      ' ',
      liveNote,
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

/** The checklist with the person's edits the loaded view does not show yet. */
function shownItems(): ChecklistItem[] {
  const v = state.view;
  return v ? overlay(v.checklist, unseen(state.edits, v.version)) : [];
}

function render(): void {
  const v = state.view;
  if (!v) return;
  const locked = !v.viewer.canEdit;
  const inFlight = unseen(state.edits, v.version);
  const items = shownItems();
  const done = items.filter((i) => i.checked).length;
  progress.textContent = items.length ? `${done}/${items.length} done` : '';
  // Kept across a re-render, so an edit settling meanwhile does not wipe what is being typed.
  const draft = state.renaming
    ? listSlot.querySelector<HTMLInputElement>(
        `[data-item-id="${CSS.escape(state.renaming)}"] [data-testid="rename-input"]`,
      )?.value
    : undefined;
  fill(
    listSlot,
    checklistList(
      {
        items,
        disabled: locked,
        renaming: state.renaming,
        ...(draft === undefined ? {} : { renameDraft: draft }),
        pending: new Set(inFlight.map((e) => e.edit.payload.itemId)),
        // An item whose add is still settling cannot be edited yet: the edit could arrive first.
        unsaved: new Set(
          inFlight.filter((e) => e.edit.type === 'checklist.add').map((e) => e.edit.payload.itemId),
        ),
      },
      actions,
    ),
  );
  addInput.disabled = locked;
  addButton.disabled = locked;
  addForm.hidden = !v.viewer.canEdit;
  fill(conflictSlot, ...state.edits.filter((e) => e.conflict).map(conflictBox));
  fill(editList, ...state.edits.filter((e) => e.state === 'pending' || !e.conflict).map(editRow));
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

function editRow(tracked: TrackedEdit): HTMLElement {
  const tone = tracked.state;
  return h(
    'li',
    { 'data-testid': 'edit-status', 'data-state': tracked.state },
    h('span', { class: `lozenge ${tone}` }, toneLabel(tone)),
    ` ${tracked.message ?? tracked.label}`,
  );
}

/** A refused edit: what the person tried, what is there now and who changed it, and "Apply mine". */
function conflictBox(tracked: TrackedEdit): HTMLElement | null {
  const conflict = tracked.conflict;
  if (!conflict) return null;
  return h(
    'div',
    {
      class: 'conflict',
      role: 'alert',
      'data-testid': 'conflict',
      'data-item-id': tracked.edit.payload.itemId,
    },
    h(
      'p',
      {},
      h('span', { class: 'lozenge rejected' }, 'Not applied'),
      ` ${tracked.label}: ${conflict.reason}.`,
    ),
    h(
      'dl',
      {},
      h('dt', {}, 'You tried'),
      h('dd', { 'data-testid': 'conflict-mine' }, conflict.mine),
      h('dt', {}, `Now, as ${conflict.by} left it`),
      h('dd', { 'data-testid': 'conflict-theirs' }, conflict.theirs),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button primary',
        'data-testid': 'conflict-apply-mine',
        onclick: () => {
          forget(tracked);
          // Made from the revision there now: the person has seen it in the conflict.
          const item = state.view?.checklist.find((i) => i.itemId === tracked.edit.payload.itemId);
          void send(withBasis(withoutBasis(tracked.edit), item), tracked.label);
        },
      },
      'Apply mine',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button subtle',
        'data-testid': 'conflict-dismiss',
        onclick: () => (forget(tracked), render()),
      },
      'Keep theirs',
    ),
  );
}

function forget(tracked: TrackedEdit): void {
  state.edits = state.edits.filter((e) => e !== tracked);
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

let loading: Promise<boolean> | undefined;
let reloadWanted = false;

/**
 * Loads the issue. Calls while a load runs share one more load after it, so many edits settling
 * together cost a couple of reads, and every caller sees a view read after it asked.
 */
function load(): Promise<boolean> {
  if (loading) {
    reloadWanted = true;
    return loading;
  }
  loading = (async () => {
    let loaded: boolean;
    do {
      reloadWanted = false;
      loaded = await loadOnce();
    } while (reloadWanted);
    return loaded;
  })().finally(() => (loading = undefined));
  return loading;
}

async function loadOnce(): Promise<boolean> {
  const result = await call('getIssueState', {});
  if (!result.ok) {
    fill(errorSlot, h('p', { class: 'error' }, result.error.message));
    return false;
  }
  fill(errorSlot);
  // Versions only grow: an older answer arriving late never replaces a newer view.
  if (!state.view || result.value.version >= state.view.version) state.view = result.value;
  render();
  return true;
}

function addItem(): void {
  const text = addInput.value.trim();
  if (!text || !state.view) return;
  // Ranked after the items on screen, including adds still settling, so quick adds keep their order.
  const edit: Edit = {
    type: 'checklist.add',
    payload: { itemId: newItemId(), text, rank: rankForNewItem(shownItems()) },
  };
  // Cleared at once when valid, so the next item can be typed while this one settles.
  if (submitCommandPayload.safeParse({ ...edit, commandId: newClientCommandId() }).success)
    addInput.value = '';
  void submit(edit, `Add “${text}”`);
  addInput.focus();
}

/** Sends one edit made from the field's revision in the loaded view. */
function submit(edit: Edit, label: string): Promise<boolean> {
  const item = state.view?.checklist.find((i) => i.itemId === edit.payload.itemId);
  return send(withBasis(edit, item), label);
}

/** Sends one edit and follows it to its outcome, beside any others in flight. */
async function send(edit: Edit, label: string): Promise<boolean> {
  if (!state.view) return false;
  const payload = { ...edit, commandId: newClientCommandId() };
  // The shared schema catches bad input (an over-long text) before a round trip.
  const checked = submitCommandPayload.safeParse(payload);
  if (!checked.success) {
    setStatus('error', checked.error.issues[0]?.message ?? 'That change is not valid.');
    return false;
  }
  const tracked: TrackedEdit = { key: ++nextEditKey, edit, label, state: 'pending' };
  state.edits.push(tracked);
  settle(tracked, 'pending', `${label}: waiting for the change to be applied…`);
  try {
    let sent = await call('submitCommand', payload);
    // Same client command id: a retry after a lost answer cannot apply the edit twice.
    if (!sent.ok && sent.error.code === 'unavailable') sent = await call('submitCommand', payload);
    if (!sent.ok) {
      settle(tracked, 'error', `${label}: ${sent.error.message}`);
      return false;
    }
    const outcome = await pollUntilSettled(sent.value.commandId, (commandIds) =>
      call('getStatuses', { commandIds }),
    );
    if (outcome.kind === 'error') {
      settle(
        tracked,
        'error',
        `${label}: could not follow the change (${outcome.message}). It may still apply.`,
      );
      return true;
    }
    if (outcome.kind === 'still-pending') {
      settle(tracked, 'error', `${label}: still queued. It will be applied; refresh later to see it.`);
      return true;
    }
    const { status, reason, version } = outcome.status;
    if (status === 'applied') {
      if (version !== undefined) tracked.appliedVersion = version;
      if (version !== undefined) live.expectVersion(version);
      settle(tracked, 'applied', label);
    } else if (isConflictReason(reason)) {
      // Shown with the value there now: read after the change that caused the conflict.
      await load();
      const now = state.view?.checklist.find((i) => i.itemId === edit.payload.itemId);
      tracked.conflict = conflictOf(edit, reason ?? '', now);
      settle(tracked, 'rejected', `${label}: not applied, ${reason ?? ''}`);
    } else if (isStaleViewReason(reason)) settle(tracked, 'rejected', STALE_VIEW_MESSAGE);
    else if (status === 'rejected')
      settle(tracked, 'rejected', `${label}: ${reason ?? 'the change was refused.'}`);
    else
      settle(
        tracked,
        'error',
        `${label}: the change could not be applied and was set aside for an administrator.`,
      );
    return status === 'applied';
  } finally {
    // Whatever happened, show the issue as it is now. While live, an applied edit's version comes
    // with its Realtime message, which reloads the view (meanwhile the edit is laid over it); if
    // no message comes, `expectVersion` falls back to polling, which reloads.
    if (tracked.state === 'applied' && live.currentMode === 'live') render();
    else if (!(await load())) render();
  }
}

/** Records an edit's new status, announces it, and forgets old settled edits. */
function settle(tracked: TrackedEdit, editState: EditState, message: string): void {
  tracked.state = editState;
  tracked.message = message;
  setStatus(editState, message);
  const version = state.view?.version ?? 0;
  const keep = new Set([...unseen(state.edits, version), ...state.edits.filter((e) => e.conflict)]);
  const settled = state.edits.filter((e) => !keep.has(e));
  const dropped = new Set(settled.slice(0, Math.max(0, settled.length - SETTLED_SHOWN)));
  state.edits = state.edits.filter((e) => !dropped.has(e));
  render();
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

const live = new LiveUpdates({
  getToken: async () => {
    const grant = await call('getRealtimeToken', {});
    return grant.ok ? grant.value : undefined;
  },
  subscribe: (channel, onEvent, token) => realtime.subscribeGlobal(channel, onEvent, { token }),
  reload: async () => ((await load()) ? state.view?.version : undefined),
  version: () => state.view?.version ?? 0,
  onMode: (mode) => {
    liveNote.dataset['mode'] = mode;
    liveNote.textContent = { connecting: '', live: '· live', polling: '· refreshing every few seconds' }[
      mode
    ];
  },
});

async function start(): Promise<void> {
  const context = await view.getContext().catch(() => undefined);
  const issueKey = (context?.extension as { issue?: { key?: string } } | undefined)?.issue?.key;
  if (issueKey) document.title = `Checklist · ${issueKey}`;
  layout();
  // Subscribe before the first load: Realtime does not replay, so a change applied between a load
  // and a later subscription would stay unseen until the next one. Whatever the subscription
  // misses, the load that follows reads; failing to subscribe falls back to polling.
  await live.start();
  if (!(await load())) return live.stop();
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
