// The simulated producers: webhook bursts, report fan-outs, UI edits with and without
// `expectedVersion`, re-sent webhooks, and the odd malformed event. Every choice comes from the
// seed, and every producer runs as app code inside the runtime, so a seed replays exactly.
import { Queue } from '@forge/events';
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { SeededRandom } from '../local-runtime/kernel/random.js';
import type { CommandEnvelope } from '../src/shared/command-envelope.js';
import type { Command } from '../src/shared/commands.js';
import {
  COMMAND_QUEUE,
  EnqueueError,
  enqueue,
  newCommand,
  type EnqueueOptions,
} from '../src/shared/enqueue.js';
import { checklistView } from '../src/shared/issue-state.js';
import { loadIssue } from '../src/shared/issue-store.js';

/** What the producers handed to the writer, as a caller would know it. */
export interface Ledger {
  /** Commands the queue accepted (enqueue returned, or named them enqueued). */
  accepted: Map<string, CommandEnvelope>;
  /** Commands the caller was told were not enqueued (and did not re-send successfully). */
  refused: Set<string>;
  malformedPushed: number;
}

const STATUSES = ['To Do', 'In Progress', 'In Review', 'Done'];

export function newLedger(): Ledger {
  return { accepted: new Map(), refused: new Set(), malformedPushed: 0 };
}

async function send(
  ledger: Ledger,
  random: SeededRandom,
  commands: CommandEnvelope[],
  options: EnqueueOptions = {},
) {
  try {
    await enqueue(commands, options);
    for (const c of commands) {
      ledger.accepted.set(c.commandId, c);
      ledger.refused.delete(c.commandId);
    }
  } catch (error) {
    if (!(error instanceof EnqueueError)) throw error;
    const byId = new Map(commands.map((c) => [c.commandId, c]));
    for (const id of error.enqueued) {
      ledger.accepted.set(id, byId.get(id)!);
      ledger.refused.delete(id);
    }
    const retry = error.notEnqueued.filter((id) => !ledger.accepted.has(id));
    for (const id of retry) ledger.refused.add(id);
    // A careful caller re-sends what was not enqueued, with the same ids.
    if (retry.length > 0 && random.chance(0.6))
      await send(
        ledger,
        random,
        retry.map((id) => byId.get(id)!),
        options,
      );
  }
}

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
export async function webhookBurst(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  const commands = Array.from({ length: random.int(2, 8) }, () =>
    newCommand(issueId, activity(random, Date.now()), { source: 'jira-webhook' }),
  );
  await Promise.all(commands.map((c) => send(ledger, random, [c])));
  // Jira may deliver a webhook twice: the same command id arrives again.
  if (random.chance(0.3)) await send(ledger, random, [random.pick(commands)]);
}

/** A report job writing metrics for every issue in one fan-out enqueue. */
export async function reportFanOut(ledger: Ledger, random: SeededRandom, issueIds: string[]): Promise<void> {
  const runId = `run-${random.int(1, 1_000_000)}`;
  const commands = issueIds.map((issueId) =>
    newCommand(
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
  await send(ledger, random, commands, { packing: 'fan-out' });
}

/** A person editing the checklist from what they last saw, sometimes with `expectedVersion`. */
export async function uiEdit(ledger: Ledger, random: SeededRandom, issueId: string): Promise<void> {
  let seen;
  try {
    seen = await loadIssue(issueId);
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
  const envelope = newCommand(issueId, cmd, {
    source: 'ui',
    ...(random.chance(0.5) ? { expectedVersion: seen.version } : {}),
  });
  await send(ledger, random, [envelope]);
}

/** An event no producer of ours would build: it must be recorded once, never retried forever. */
export async function malformedEvent(ledger: Ledger, random: SeededRandom): Promise<void> {
  try {
    await new Queue({ key: COMMAND_QUEUE }).push({
      body: { v: 1, commands: [{ type: 'nonsense', n: random.int(0, 9) }] },
    });
    ledger.malformedPushed += 1;
  } catch {
    // The push itself failed: nothing reached the queue, nothing to record.
  }
}

/** Schedules the producers over the first minute of virtual time; resolves when all have run. */
export function startProducers(
  rt: LocalForgeRuntime,
  random: SeededRandom,
  ledger: Ledger,
  issueIds: string[],
): Promise<void> {
  const runs: Promise<void>[] = [];
  const actions = random.int(4, 12);
  for (let i = 0; i < actions; i++) {
    const at = random.int(0, 60_000);
    const roll = random.next();
    const issueId = random.pick(issueIds);
    const action =
      roll < 0.35
        ? () => webhookBurst(ledger, random.fork(`burst-${i}`), issueId)
        : roll < 0.5
          ? () => reportFanOut(ledger, random.fork(`report-${i}`), issueIds)
          : roll < 0.95
            ? () => uiEdit(ledger, random.fork(`ui-${i}`), issueId)
            : () => malformedEvent(ledger, random.fork(`malformed-${i}`));
    runs.push(
      new Promise<void>((resolve, reject) =>
        rt.clock.setTimer(at, () => rt.runAsApp(action).then(resolve, reject)),
      ),
    );
  }
  return Promise.all(runs).then(() => undefined);
}
