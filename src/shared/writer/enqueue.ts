// The producers' one door to a writer. Validates every command, packs them into as few events as
// Forge's limits allow, pushes with bounded retries, and when a push finally fails says exactly
// which commands were not enqueued. Nothing is dropped silently.
import {
  InternalServerError,
  PartialSuccessError,
  Queue,
  RateLimitError,
  type PushEvent,
} from '@forge/events';
import { BACKOFF, backoffMs, sleep } from './backoff';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { CommandValidationError, EnqueueError, describeIssues, type CommandProblem } from './errors';
import { COMMAND_EVENT_VERSION, type CommandEventBody } from './event-body';
import { deposit, DEPOSIT_MAX_COMMANDS } from './coalescing';
import { claimCommandIds } from './id-claims';
import { partitionOf } from './storage-layout';

/** Forge: at most 50 events and 200 KB per push. We keep a margin under the byte limit. */
export const MAX_EVENTS_PER_PUSH = 50;
export const MAX_PUSH_BYTES = 195 * 1024;
/** One event stays under 100 KB (Forge's per-event limit for long-running consumers). */
export const MAX_EVENT_BYTES = 100 * 1024;
const PUSH_ATTEMPTS = 4;

export interface EnqueueOptions {
  /**
   * `per-partition` (default): an event holds one partition's commands and carries its concurrency
   * key. `fan-out`: an event may hold many partitions' commands (report jobs); the consumer
   * commits them partition by partition.
   */
  packing?: 'per-partition' | 'fan-out';
  /** Per-partition events carry `concurrency: { key: <partition>, limit: 1 }`. Default true. */
  concurrencyKey?: boolean;
  /** At most this many commands per event (default: the writer's limit). */
  maxCommandsPerEvent?: number;
  /** Marks the events as a replay of dead letters (see `deadLetters.replay`). */
  replay?: boolean;
  /**
   * Claim each command id with its command's fingerprint first (see id-claims.ts): for ids chosen
   * by people or other systems, so that a retry passes and a different command under a used id
   * is refused with `command-id-reused` before anything is queued. One more write per command.
   */
  claimIds?: boolean;
  /**
   * Deposit the commands of small per-partition events for coalescing (see coalescing.ts): one
   * more write per command, so that a burst on one partition is applied in a few consumer runs
   * instead of one event per turn. Default true; false for callers that batch their own commands.
   */
  coalesce?: boolean;
  /** Where to push; tests and benchmarks may pass their own. Default: the writer's queue. */
  queue?: Pick<Queue, 'push'>;
}

export interface EnqueueResult {
  commandIds: string[];
  events: number;
  pushes: number;
  /** Commands deposited for coalescing. */
  deposited: number;
}

export async function enqueue(
  config: WriterLayout,
  commands: readonly unknown[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const valid = validate(config, commands);
  if (options.claimIds) await claimCommandIds(config, valid);
  const events = packEvents(config, valid, options);
  const pushes = packPushes(events);
  const queue = options.queue ?? new Queue({ key: config.queue });
  const notEnqueued: string[] = [];
  const pushed: PushEvent[] = [];
  let lastError: unknown;
  for (const push of pushes) {
    const { failed, error } = await pushWithRetries(queue, push);
    for (const event of failed) notEnqueued.push(...idsOf(event));
    if (failed.length > 0) lastError = error;
    pushed.push(...push.filter((event) => !failed.includes(event)));
  }
  // After the push, so a command that is not on the queue never has a deposit.
  const deposited = await deposit(
    config,
    pushed.filter((e) => (e.body as unknown as CommandEventBody).coalesce).flatMap(commandsOf),
  );
  const ids = valid.map((c) => c.commandId);
  if (notEnqueued.length > 0) {
    const missing = new Set(notEnqueued);
    throw new EnqueueError(
      ids.filter((id) => !missing.has(id)),
      notEnqueued,
      lastError,
    );
  }
  return { commandIds: ids, events: events.length, pushes: pushes.length, deposited };
}

function validate(config: WriterLayout, commands: readonly unknown[]): AnyEnvelope[] {
  if (!Array.isArray(commands) || commands.length === 0)
    throw new CommandValidationError([{ index: -1, issues: [], reason: 'no commands given' }]);
  const problems: CommandProblem[] = [];
  const valid: AnyEnvelope[] = [];
  const seen = new Map<string, string>();
  const { maxEnvelopeBytes } = config.limits;
  commands.forEach((raw, index) => {
    const parsed = config.envelope.current.safeParse(raw);
    if (!parsed.success) {
      problems.push({ index, issues: parsed.error.issues, reason: describeIssues(parsed.error.issues) });
      return;
    }
    const json = JSON.stringify(parsed.data);
    if (Buffer.byteLength(json) > maxEnvelopeBytes) {
      const reason = `command is ${Buffer.byteLength(json)} bytes, the limit is ${maxEnvelopeBytes}`;
      problems.push({ index, issues: [], reason });
      return;
    }
    const earlier = seen.get(parsed.data.commandId);
    if (earlier !== undefined && earlier !== json) {
      const reason = `command id ${parsed.data.commandId} is used twice for different commands`;
      problems.push({ index, issues: [], reason });
      return;
    }
    if (earlier === undefined) valid.push(parsed.data);
    seen.set(parsed.data.commandId, json);
  });
  if (problems.length > 0) throw new CommandValidationError(problems);
  return valid;
}

/** Groups a partition's commands together and fills events up to the count and size limits. */
export function packEvents(
  config: WriterLayout,
  commands: readonly AnyEnvelope[],
  options: EnqueueOptions = {},
): PushEvent[] {
  const perPartition = (options.packing ?? 'per-partition') === 'per-partition';
  const limit = options.maxCommandsPerEvent ?? config.limits.maxCommandsPerEvent;
  const byPartition = new Map<string, AnyEnvelope[]>();
  for (const c of commands) {
    const id = partitionOf(config, c);
    byPartition.set(id, [...(byPartition.get(id) ?? []), c]);
  }

  const events: PushEvent[] = [];
  let current: AnyEnvelope[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    const body: CommandEventBody = {
      v: COMMAND_EVENT_VERSION,
      commands: current,
      ...(options.replay ? { replay: true as const } : {}),
    };
    // Per-partition packing flushes at each partition, so such an event holds one partition.
    const keyed = perPartition && options.concurrencyKey !== false;
    if (keyed && !options.replay && options.coalesce !== false && current.length <= DEPOSIT_MAX_COMMANDS)
      body.coalesce = true;
    events.push({
      body: body as unknown as Record<string, unknown>,
      ...(keyed
        ? { concurrency: { key: `${config.partitionName}-${partitionOf(config, current[0]!)}`, limit: 1 } }
        : {}),
    });
    current = [];
    bytes = 0;
  };
  for (const group of byPartition.values()) {
    if (perPartition) flush();
    for (const c of group) {
      const size = Buffer.byteLength(JSON.stringify(c)) + 1;
      if (current.length >= limit || bytes + size > MAX_EVENT_BYTES) flush();
      current.push(c);
      bytes += size;
    }
  }
  flush();
  return events;
}

function packPushes(events: PushEvent[]): PushEvent[][] {
  const pushes: PushEvent[][] = [];
  let current: PushEvent[] = [];
  // The JSON list's size: `[`, then each event and the `,` or `]` after it.
  let bytes = 1;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    // Never true for a push's first event: one event is far under the push's byte limit.
    if (current.length >= MAX_EVENTS_PER_PUSH || bytes + size > MAX_PUSH_BYTES) {
      pushes.push(current);
      current = [];
      bytes = 1;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) pushes.push(current);
  return pushes;
}

async function pushWithRetries(
  queue: Pick<Queue, 'push'>,
  events: PushEvent[],
): Promise<{ failed: PushEvent[]; error?: unknown }> {
  let remaining = events;
  let error: unknown;
  for (let attempt = 0; attempt < PUSH_ATTEMPTS && remaining.length > 0; attempt++) {
    try {
      await queue.push(remaining);
      return { failed: [] };
    } catch (e) {
      error = e;
      if (e instanceof PartialSuccessError) {
        // The package's types name the failed event `event`, its code sets `payload`: accept both.
        const failedBodies = new Set(
          e.failedEvents.map((f) => {
            const failed = f as { event?: PushEvent; payload?: PushEvent };
            return (failed.event ?? failed.payload)?.body;
          }),
        );
        remaining = remaining.filter((event) => failedBodies.has(event.body));
      } else if (!(e instanceof RateLimitError || e instanceof InternalServerError)) {
        break; // not retryable: payload too big, invocation limit reached, invalid
      }
      if (attempt + 1 < PUSH_ATTEMPTS)
        await sleep(backoffMs(e instanceof RateLimitError ? BACKOFF.pushRateLimited : BACKOFF.push, attempt));
    }
  }
  return { failed: remaining, error };
}

function commandsOf(event: PushEvent): AnyEnvelope[] {
  return (event.body as unknown as CommandEventBody).commands;
}

function idsOf(event: PushEvent): string[] {
  return commandsOf(event).map((c) => c.commandId);
}
