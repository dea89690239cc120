// This app's producers: webhook bursts, report fan-outs, UI edits with and without
// `expectedVersion`, re-sent webhooks, and the odd malformed event. Every choice comes from the
// seed, and every producer runs as app code inside the runtime, so a seed replays exactly.
import path from 'node:path';
import type { SeededRandom } from '../../local-runtime/kernel/random.js';
import { emptyIssueState, MAX_ITEM_TEXT } from '../../src/shared/issue-data/issue-state.js';
import {
  checklistView,
  issueWriter,
  MAX_CHECKLIST_ITEMS,
  type Command,
  type IssueEnvelope,
  type IssueState,
} from '../../src/shared/issue-data/issue-writer.js';
import type { StateRecord } from '../../src/shared/writer/index.js';
import type { SimDomain } from '../domain.js';
import { expectedIssueState } from '../models/issue-model.js';
import { malformedEvent, send, type Ledger } from '../ledger.js';

const STATUSES = ['To Do', 'In Progress', 'In Review', 'Done'];
/** From this many issues on, a run has one hot issue that most producers write to. */
const MANY_ISSUES = 10;

function activity(random: SeededRandom, now: number): Command {
  const roll = random.next();
  // Now and then the issue is deleted in Jira: every command settled after it must be refused.
  if (roll < 0.01) return { type: 'issue.delete', payload: { at: now } };
  if (roll < 0.5)
    return {
      type: 'activity.record',
      payload: { kind: random.pick(['created', 'updated', 'commented'] as const), at: now },
    };
  if (roll < 0.8) {
    return {
      type: 'activity.transition',
      payload: { from: random.pick(STATUSES), to: random.pick(STATUSES), at: now - random.int(0, 5000) },
    };
  }
  return {
    type: 'activity.external',
    payload: {
      eventId: `deploy-${random.int(1, 6)}`,
      kind: 'deployment',
      environment: random.pick(['staging', 'production']),
      status: random.pick(['started', 'succeeded', 'failed'] as const),
      at: now - random.int(0, 5000),
    },
  };
}

/** Several webhooks for one issue arriving at once, each enqueued on its own. */
async function webhookBurst(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  const commands = Array.from({ length: random.int(2, 8) }, () =>
    issueWriter.command(issueId, activity(random, Date.now()), { source: 'jira-webhook' }),
  );
  await Promise.all(commands.map((c) => send(issueWriter, ledger, random, [c])));
  // Jira may deliver a webhook twice: the same command id arrives again.
  if (random.chance(0.3)) await send(issueWriter, ledger, random, [random.pick(commands)]);
}

/** A report job writing metrics for every issue in one fan-out enqueue. */
async function reportFanOut(ledger: Ledger, random: SeededRandom, issueIds: string[]): Promise<void> {
  const runId = `run-${random.int(1, 1_000_000)}`;
  const commands = issueIds.map((issueId) =>
    issueWriter.command(
      issueId,
      {
        type: 'report.metrics',
        payload: {
          reportKind: 'time-in-status',
          runId,
          computedAt: Date.now(),
          timeInStatusMs: Object.fromEntries(STATUSES.map((s) => [s, random.int(0, 100_000)])),
          transitions: random.int(0, 12),
        },
      },
      { source: 'report-job' },
    ),
  );
  await send(issueWriter, ledger, random, commands, { packing: 'fan-out' });
}

/** A person editing the checklist from what they last saw, sometimes with `expectedVersion`. */
async function uiEdit(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  let seen;
  try {
    seen = await issueWriter.load(issueId);
  } catch {
    return; // the panel could not load (storage fault): the person sees an error and sends nothing
  }
  const items = checklistView(seen.state);
  const item = items.length > 0 && random.chance(0.7) ? random.pick(items) : undefined;
  let cmd: Command;
  if (!item) {
    cmd = {
      type: 'checklist.add',
      payload: {
        itemId: `item-${random.int(1, 12)}`,
        text: `Task ${random.int(1, 99)}`,
        rank: random.int(0, 100),
      },
    };
  } else {
    const roll = random.next();
    if (roll < 0.35)
      cmd = { type: 'checklist.check', payload: { itemId: item.itemId, checked: !item.checked } };
    else if (roll < 0.6)
      cmd = { type: 'checklist.rename', payload: { itemId: item.itemId, text: `${item.text}!` } };
    else if (roll < 0.8)
      cmd = { type: 'checklist.reorder', payload: { itemId: item.itemId, rank: random.int(0, 100) } };
    else cmd = { type: 'checklist.remove', payload: { itemId: item.itemId } };
  }
  const envelope: IssueEnvelope = issueWriter.command(issueId, cmd, {
    source: 'ui',
    ...(random.chance(0.5) ? { expectedVersion: seen.version } : {}),
  });
  await send(issueWriter, ledger, random, [envelope]);
}

/**
 * A bulk import into one issue: up to the checklist's limit of items, long texts of 3-byte
 * characters, in one enqueue, so one event needs several transactions and the issue reaches its
 * documented limits (the adds past the limit are refused).
 */
async function bulkImport(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  const batch = random.int(1, 1_000_000);
  const commands = Array.from({ length: random.int(30, MAX_CHECKLIST_ITEMS + 20) }, (_, i) =>
    issueWriter.command(
      issueId,
      {
        type: 'checklist.add',
        payload: { itemId: `bulk-${batch}-${i}`, text: '語'.repeat(random.int(1, MAX_ITEM_TEXT)), rank: i },
      },
      { source: 'ui' },
    ),
  );
  await send(issueWriter, ledger, random, commands);
}

/**
 * Several producers importing into one issue at the same moment, each in one enqueue of 25 to 40
 * commands: events that each need two transactions or more, racing each other. A later chunk
 * committed without its version condition loses the other events' updates here.
 */
async function bulkRace(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  const batch = random.int(1, 1_000_000);
  const events = Array.from({ length: random.int(2, 3) }, (_, e) =>
    Array.from({ length: random.int(25, 40) }, (_, i) =>
      issueWriter.command(
        issueId,
        random.chance(0.7)
          ? activity(random, Date.now())
          : {
              type: 'checklist.add',
              payload: { itemId: `race-${batch}-${e}-${i}`, text: `Step ${i}`, rank: i },
            },
        { source: 'jira-webhook' },
      ),
    ),
  );
  await Promise.all(events.map((commands) => send(issueWriter, ledger, random, commands)));
}

/**
 * A record an earlier release could have left, 1 to 2 KB under the size limit: the next large
 * write must be refused at once for its size, never retried.
 */
function nearTheLimit(random: SeededRandom, issueId: string): StateRecord<IssueState> {
  const state = emptyIssueState();
  const timeInStatusMs: Record<string, number> = {};
  state.reports['legacy'] = {
    value: { runId: 'legacy', computedAt: 1, transitions: 0, timeInStatusMs },
    stamp: { at: 1, id: 'legacy' },
  };
  const record = { issueId, version: 1, updatedAt: 1, state };
  const target = issueWriter.config.limits.maxStateBytes - random.int(1_000, 2_000);
  // Each status adds `"name":n,` to the record: counted as it goes, not by re-encoding it each time.
  let bytes = Buffer.byteLength(JSON.stringify(record));
  for (let i = 0; bytes < target; i++) {
    const name = `status-${i}`.padEnd(60, '.');
    timeInStatusMs[name] = i;
    bytes += Buffer.byteLength(JSON.stringify(name)) + String(i).length + 2;
  }
  return record;
}

export const issuesDomain: SimDomain = {
  name: 'issues',
  appDir: path.resolve(__dirname, '../..'),
  writer: issueWriter,
  // Most runs work on 1 to 3 issues; some on tens of them (10 to 60), the first one hot.
  partitions: (random) =>
    Array.from({ length: random.chance(0.2) ? random.int(10, 60) : random.int(1, 3) }, (_, i) =>
      String(30001 + i),
    ),
  action(random, issueIds, ledger) {
    const roll = random.next();
    const hot = issueIds.length >= MANY_ISSUES && random.chance(0.7);
    const issueId = hot ? issueIds[0]! : random.pick(issueIds);
    if (roll < 0.33) return () => webhookBurst(ledger, random, issueId);
    if (roll < 0.47) return () => reportFanOut(ledger, random, issueIds);
    if (roll < 0.89) return () => uiEdit(ledger, random, issueId);
    if (roll < 0.92) return () => bulkImport(ledger, random, issueId);
    if (roll < 0.95) return () => bulkRace(ledger, random, issueId);
    return () => malformedEvent(issueWriter, ledger, random);
  },
  independentModel: (before, applied) => expectedIssueState(before as IssueState | undefined, applied),
  storedBefore(random, issueIds) {
    const stored = new Map<string, StateRecord<unknown>>();
    if (random.chance(0.04)) stored.set(issueIds[0]!, nearTheLimit(random, issueIds[0]!));
    return stored;
  },
};
