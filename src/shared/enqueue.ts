// The producers' one door to the writer. Validates every command, packs them into as few events as
// Forge's limits allow, pushes with bounded retries, and when a push finally fails says exactly
// which commands were not enqueued. Nothing is dropped silently.
import { randomUUID } from 'node:crypto';
import {
  PartialSuccessError,
  Queue,
  RateLimitError,
  InternalServerError,
  type PushEvent,
} from '@forge/events';
import {
  ENVELOPE_SCHEMA_VERSION,
  MAX_ENVELOPE_BYTES,
  describeIssues,
  envelope,
  type CommandEnvelope,
  type CommandSource,
} from './command-envelope';
import type { Command } from './commands';
import { COMMAND_EVENT_VERSION, type CommandEventBody } from './command-event-body';

export const COMMAND_QUEUE = 'issue-commands';

/** Forge: at most 50 events and 200 KB per push. We keep a margin under the byte limit. */
export const MAX_EVENTS_PER_PUSH = 50;
export const MAX_PUSH_BYTES = 195 * 1024;
/** One event stays under 100 KB (Forge's per-event limit for long-running consumers). */
export const MAX_EVENT_BYTES = 100 * 1024;
/** Enough for a consumer to settle well inside its 55 s timeout. */
export const MAX_COMMANDS_PER_EVENT = 240;
const PUSH_ATTEMPTS = 4;

export interface NewCommandOptions {
  source: CommandSource;
  /** Refuse the command unless the issue is still at this version (an edit from a possibly stale view). */
  expectedVersion?: number;
  /** The idempotency key; supply your own to make a retried request safe. Default: a fresh UUID. */
  commandId?: string;
}

/** Wraps a command in a current-version envelope. */
export function newCommand(issueId: string, cmd: Command, options: NewCommandOptions): CommandEnvelope {
  return {
    ...cmd,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    commandId: options.commandId ?? randomUUID(),
    issueId,
    issuedAt: Date.now(),
    source: options.source,
    ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
  };
}

export interface EnqueueOptions {
  /**
   * `per-issue` (default): an event holds one issue's commands and carries the issue's concurrency
   * key. `fan-out`: an event may hold many issues' commands (report jobs); the consumer commits
   * them issue by issue.
   */
  packing?: 'per-issue' | 'fan-out';
  /** Per-issue events carry `concurrency: { key: issue, limit: 1 }`. Default true. */
  concurrencyKey?: boolean;
  maxCommandsPerEvent?: number;
  /** Marks the events as a replay of dead letters (see `replayDeadLetters`). */
  replay?: boolean;
  /** Where to push; tests and benchmarks may pass their own `Queue`. */
  queue?: Pick<Queue, 'push'>;
}

export interface EnqueueResult {
  commandIds: string[];
  events: number;
  pushes: number;
}

/** Some commands were invalid; nothing was pushed. */
export class CommandValidationError extends Error {
  constructor(readonly problems: Array<{ index: number; reason: string }>) {
    super(
      `refused ${problems.length} invalid command(s): ${problems.map((p) => `#${p.index}: ${p.reason}`).join(' | ')}`,
    );
    this.name = 'CommandValidationError';
  }
}

/** A push failed after its retries. `notEnqueued` lists every command that is not on the queue. */
export class EnqueueError extends Error {
  constructor(
    readonly enqueued: string[],
    readonly notEnqueued: string[],
    override readonly cause: unknown,
  ) {
    super(
      `${notEnqueued.length} command(s) were not enqueued: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'EnqueueError';
  }
}

export async function enqueue(
  commands: readonly CommandEnvelope[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const valid = validate(commands);
  const events = packEvents(valid, options);
  const pushes = packPushes(events);
  const queue = options.queue ?? new Queue({ key: COMMAND_QUEUE });
  const notEnqueued: string[] = [];
  let lastError: unknown;
  for (const push of pushes) {
    const { failed, error } = await pushWithRetries(queue, push);
    for (const event of failed) notEnqueued.push(...idsOf(event));
    if (failed.length > 0) lastError = error;
  }
  const ids = valid.map((c) => c.commandId);
  if (notEnqueued.length > 0) {
    const missing = new Set(notEnqueued);
    throw new EnqueueError(
      ids.filter((id) => !missing.has(id)),
      notEnqueued,
      lastError,
    );
  }
  return { commandIds: ids, events: events.length, pushes: pushes.length };
}

function validate(commands: readonly unknown[]): CommandEnvelope[] {
  if (!Array.isArray(commands) || commands.length === 0)
    throw new CommandValidationError([{ index: -1, reason: 'no commands given' }]);
  const problems: Array<{ index: number; reason: string }> = [];
  const valid: CommandEnvelope[] = [];
  const seen = new Map<string, string>();
  commands.forEach((raw, index) => {
    const parsed = envelope.safeParse(raw);
    if (!parsed.success) return problems.push({ index, reason: describeIssues(parsed.error) });
    const json = JSON.stringify(parsed.data);
    if (Buffer.byteLength(json) > MAX_ENVELOPE_BYTES) {
      return problems.push({
        index,
        reason: `command is ${Buffer.byteLength(json)} bytes, the limit is ${MAX_ENVELOPE_BYTES}`,
      });
    }
    const earlier = seen.get(parsed.data.commandId);
    if (earlier !== undefined && earlier !== json) {
      return problems.push({
        index,
        reason: `command id ${parsed.data.commandId} is used twice for different commands`,
      });
    }
    if (earlier === undefined) valid.push(parsed.data);
    seen.set(parsed.data.commandId, json);
  });
  if (problems.length > 0) throw new CommandValidationError(problems);
  return valid;
}

/** Groups an issue's commands together and fills events up to the count and size limits. */
export function packEvents(commands: CommandEnvelope[], options: EnqueueOptions = {}): PushEvent[] {
  const perIssue = (options.packing ?? 'per-issue') === 'per-issue';
  const limit = options.maxCommandsPerEvent ?? MAX_COMMANDS_PER_EVENT;
  const byIssue = new Map<string, CommandEnvelope[]>();
  for (const c of commands) byIssue.set(c.issueId, [...(byIssue.get(c.issueId) ?? []), c]);

  const events: PushEvent[] = [];
  let current: CommandEnvelope[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    const body: CommandEventBody = {
      v: COMMAND_EVENT_VERSION,
      commands: current,
      ...(options.replay ? { replay: true as const } : {}),
    };
    const issues = new Set(current.map((c) => c.issueId));
    const single = issues.size === 1 ? [...issues][0] : undefined;
    events.push({
      body: body as unknown as Record<string, unknown>,
      ...(perIssue && single && options.concurrencyKey !== false
        ? { concurrency: { key: `issue-${single}`, limit: 1 } }
        : {}),
    });
    current = [];
    bytes = 0;
  };
  for (const group of byIssue.values()) {
    if (perIssue) flush();
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
  let bytes = 2;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (current.length > 0 && (current.length >= MAX_EVENTS_PER_PUSH || bytes + size > MAX_PUSH_BYTES)) {
      pushes.push(current);
      current = [];
      bytes = 2;
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
      if (attempt + 1 < PUSH_ATTEMPTS) await sleep((e instanceof RateLimitError ? 1000 : 200) * 2 ** attempt);
    }
  }
  return { failed: remaining, error };
}

function idsOf(event: PushEvent): string[] {
  return (event.body as unknown as CommandEventBody).commands.map((c) => c.commandId);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
