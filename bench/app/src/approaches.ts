// How each approach applies commands, as app code running inside a Forge invocation. Every
// approach goes through the same reducer to the same `issue-state` entity, so their effects compare.
import { Filter, FilterConditions, kvs } from '@forge/kvs';
import {
  issueWriter,
  type IssueEnvelope as CommandEnvelope,
  type IssueRecord,
} from '../../../src/shared/issue-data/issue-writer';
import { emptyIssueState } from '../../../src/shared/issue-data/issue-state';
import { isCommitConflict, versionCondition } from '../../../src/shared/writer';

const STATE_ENTITY = issueWriter.entities.state;
const loadIssue = (issueId: string) => issueWriter.load(issueId);

export const APPROACHES = [
  'naive',
  'caller-cas',
  'caller-cas-best',
  'lease-lock',
  'lease-lock-best',
  'writer',
  'writer-batched',
  'writer-no-coalesce',
  'writer-no-key',
  'writer-batched-no-key',
] as const;
export type ApproachName = (typeof APPROACHES)[number];

/**
 * Which form of an approach a row measures: as a forum answer or the README writes it, the best
 * honest form a careful engineer would write (batched per producer, deduplicated), or a variant
 * of the writer's options.
 */
export type ApproachForm = 'as usually written' | 'best form' | 'variant';

export const APPROACH_FORMS: Record<ApproachName, ApproachForm> = {
  naive: 'as usually written',
  'caller-cas': 'as usually written',
  'caller-cas-best': 'best form',
  'lease-lock': 'as usually written',
  'lease-lock-best': 'best form',
  writer: 'as usually written',
  'writer-batched': 'best form',
  'writer-no-coalesce': 'variant',
  'writer-no-key': 'variant',
  'writer-batched-no-key': 'variant',
};

export function isWriterApproach(approach: ApproachName): boolean {
  return approach.startsWith('writer');
}

/** Tuning of the caller-side approaches: what a careful forum reader would pick. */
export const CALLER_TUNING = {
  /** caller-cas: attempts per command (per batch in the best form) before the invocation fails. */
  casAttempts: 50,
  /** caller-cas: backoff with full jitter, from this base, doubling, capped. */
  casBackoffBaseMs: 20,
  casBackoffCapMs: 1_000,
  /** lease-lock: how long a lease lives unless released (covers a crashed holder). */
  leaseMs: 10_000,
  /** lease-lock: poll interval while the lease is held by someone else (±50 % jitter). */
  leasePollMs: 100,
  /** lease-lock: give up waiting for the lease after this long (then the invocation fails). */
  leaseWaitMs: 120_000,
} as const;

/**
 * Commands per transaction in the best forms: the state and one receipt per command, within
 * Forge's 25 operations per transaction (the writer packs the same way).
 */
export const RECEIPTS_PER_TRANSACTION = 24;

export const LEASE_ENTITY = 'bench-lease';
/** The best forms' receipts: plain KVS keys, written in the transaction that applies the command. */
export const RECEIPT_PREFIX = 'bench-receipt:';

export interface LeaseRecord {
  issueId: string;
  holder: string;
  expiresAt: number;
}

interface CallerReceipt {
  issueId: string;
  version: number;
  at: number;
}

export interface Applied {
  commandId: string;
  /** When the write that applied it succeeded (virtual ms). */
  at: number;
}

export interface SubmitResult {
  applied: Applied[];
}

/** A caller ran out of its attempts or patience: the invocation fails, and its delivery is retried. */
export class CallerGaveUp extends Error {
  constructor(what: string) {
    super(`gave up: ${what}`);
    this.name = 'CallerGaveUp';
  }
}

/** Submits a producer's commands the approach's way; resolves when the caller is done with them. */
export async function submit(approach: ApproachName, commands: CommandEnvelope[]): Promise<SubmitResult> {
  const result: SubmitResult = { applied: [] };
  switch (approach) {
    case 'writer':
    case 'writer-no-coalesce':
    case 'writer-no-key':
      // One command per event: each enqueued on its own, as a webhook handler naturally would.
      for (const cmd of commands)
        await issueWriter.enqueue(cmd, {
          concurrencyKey: approach !== 'writer-no-key',
          coalesce: approach !== 'writer-no-coalesce',
        });
      return result;
    case 'writer-batched':
    case 'writer-batched-no-key':
      await issueWriter.enqueue(commands, { concurrencyKey: approach === 'writer-batched' });
      return result;
    case 'caller-cas-best':
    case 'lease-lock-best':
      for (const group of byIssue(commands))
        for (let i = 0; i < group.length; i += RECEIPTS_PER_TRANSACTION) {
          const chunk = group.slice(i, i + RECEIPTS_PER_TRANSACTION);
          const at =
            approach === 'caller-cas-best' ? await applyBatchCas(chunk) : await applyBatchLeased(chunk);
          for (const cmd of chunk) result.applied.push({ commandId: cmd.commandId, at });
        }
      return result;
    default:
      for (const cmd of commands)
        result.applied.push({ commandId: cmd.commandId, at: await applyOne(approach, cmd) });
      return result;
  }
}

function byIssue(commands: CommandEnvelope[]): CommandEnvelope[][] {
  const groups = new Map<string, CommandEnvelope[]>();
  for (const cmd of commands) groups.set(cmd.issueId, [...(groups.get(cmd.issueId) ?? []), cmd]);
  return [...groups.values()];
}

/** Applies one command the caller's way (as usually written); returns when it was applied. */
export function applyOne(approach: ApproachName, cmd: CommandEnvelope): Promise<number> {
  if (approach === 'naive') return applyNaive(cmd);
  if (approach === 'caller-cas') return applyCas(cmd);
  if (approach === 'lease-lock') return applyLeased(cmd);
  throw new Error(`${approach} does not apply single commands in the caller`);
}

function nextRecord(loaded: IssueRecord, cmd: CommandEnvelope): IssueRecord | undefined {
  const result = issueWriter.apply(loaded.state, cmd, loaded.version);
  if (!result.ok) return undefined;
  return { ...loaded, version: loaded.version + 1, updatedAt: Date.now(), state: result.state };
}

/** get, modify, set: last write wins. */
async function applyNaive(cmd: CommandEnvelope): Promise<number> {
  const next = nextRecord(await loadIssue(cmd.issueId), cmd);
  if (next) await kvs.entity<IssueRecord>(STATE_ENTITY).set(cmd.issueId, next);
  return Date.now();
}

/** The forum's KVS answer: read, modify, commit only if the version is unchanged, else retry. */
async function applyCas(cmd: CommandEnvelope): Promise<number> {
  for (let attempt = 0; attempt < CALLER_TUNING.casAttempts; attempt++) {
    const loaded = await loadIssue(cmd.issueId);
    const next = nextRecord(loaded, cmd);
    if (!next) return Date.now();
    try {
      await kvs
        .transact()
        .set(cmd.issueId, next, {
          entityName: STATE_ENTITY,
          conditions: versionCondition(loaded.version),
        })
        .execute();
      return Date.now();
    } catch (error) {
      if (!isCommitConflict(error)) throw error;
      const cap = Math.min(CALLER_TUNING.casBackoffCapMs, CALLER_TUNING.casBackoffBaseMs * 2 ** attempt);
      await sleep(Math.random() * cap);
    }
  }
  throw new CallerGaveUp(`${cmd.commandId} after ${CALLER_TUNING.casAttempts} conflicts`);
}

/**
 * The forum's SQL answer carried over to KVS: take a lease (a record with an expiry, written only
 * if absent or expired), poll while someone else holds it, read-modify-write, release it.
 */
async function applyLeased(cmd: CommandEnvelope): Promise<number> {
  const holder = await acquire(cmd.issueId, cmd.commandId);
  const next = nextRecord(await loadIssue(cmd.issueId), cmd);
  if (next) await kvs.entity<IssueRecord>(STATE_ENTITY).set(cmd.issueId, next);
  const at = Date.now();
  await release(cmd.issueId, holder);
  return at;
}

/** Polls until the lease is ours; returns the holder name to release it with. */
async function acquire(issueId: string, by: string): Promise<string> {
  const holder = `${by}:${Math.random().toString(36).slice(2, 10)}`;
  const giveUpAt = Date.now() + CALLER_TUNING.leaseWaitMs;
  while (!(await tryAcquire(issueId, holder))) {
    if (Date.now() >= giveUpAt) throw new CallerGaveUp(`lease of ${issueId} for ${by}`);
    await sleep(CALLER_TUNING.leasePollMs * (0.5 + Math.random()));
  }
  return holder;
}

async function tryAcquire(issueId: string, holder: string): Promise<boolean> {
  const now = Date.now();
  const free = new Filter<LeaseRecord>()
    .or('holder', FilterConditions.notExists())
    .or('expiresAt', FilterConditions.lessThan(now));
  try {
    await kvs
      .transact()
      .set<LeaseRecord>(
        issueId,
        { issueId, holder, expiresAt: now + CALLER_TUNING.leaseMs },
        { entityName: LEASE_ENTITY, conditions: free },
      )
      .execute();
    return true;
  } catch (error) {
    if (isCommitConflict(error)) return false;
    throw error;
  }
}

/** Deletes the lease only if it is still ours (it may have expired and been taken meanwhile). */
async function release(issueId: string, holder: string): Promise<void> {
  const ours = new Filter<LeaseRecord>().and('holder', FilterConditions.equalTo(holder));
  try {
    await kvs.transact().delete(issueId, { entityName: LEASE_ENTITY, conditions: ours }).execute();
  } catch (error) {
    if (!isCommitConflict(error)) throw error;
  }
}

/**
 * The best honest form of caller-side compare-and-set: a producer's commands for one issue in one
 * read-modify-write, the state and the receipts read in one request, and one receipt per command
 * written in the same conditional transaction as the state, so a retried or duplicated delivery
 * skips what was already applied. Retries conflicts with full jitter, like `applyCas`.
 */
async function applyBatchCas(commands: CommandEnvelope[]): Promise<number> {
  for (let attempt = 0; attempt < CALLER_TUNING.casAttempts; attempt++) {
    if (await commitBatch(commands)) return Date.now();
    const cap = Math.min(CALLER_TUNING.casBackoffCapMs, CALLER_TUNING.casBackoffBaseMs * 2 ** attempt);
    await sleep(Math.random() * cap);
  }
  throw new CallerGaveUp(`${commands.length} commands after ${CALLER_TUNING.casAttempts} conflicts`);
}

/**
 * The best honest form of a lease: one lease per producer's batch, not per command; inside it the
 * same deduplicated commit as `applyBatchCas`, whose version condition is the fencing check that
 * keeps a holder whose lease expired mid-write from overwriting the next holder's work.
 */
async function applyBatchLeased(commands: CommandEnvelope[]): Promise<number> {
  const issueId = commands[0]!.issueId;
  for (let attempt = 0; attempt < CALLER_TUNING.casAttempts; attempt++) {
    const holder = await acquire(issueId, commands[0]!.commandId);
    let committed: boolean;
    try {
      committed = await commitBatch(commands);
    } finally {
      // Released on failure too, so the next writer need not wait for the lease to expire.
      await release(issueId, holder);
    }
    if (committed) return Date.now();
  }
  throw new CallerGaveUp(`${commands.length} commands after ${CALLER_TUNING.casAttempts} fenced conflicts`);
}

/**
 * Reads the issue's record and the commands' receipts in one request, applies the commands without
 * a receipt, and commits the state (on the version read) with their receipts. False on a conflict.
 */
async function commitBatch(commands: CommandEnvelope[]): Promise<boolean> {
  const issueId = commands[0]!.issueId;
  const read = await kvs.batchGet<IssueRecord | CallerReceipt>([
    { key: issueId, entityName: STATE_ENTITY },
    ...commands.map((c) => ({ key: RECEIPT_PREFIX + c.commandId })),
  ]);
  const failed = read.failedKeys.filter((f) => f.error.code !== 'KEY_NOT_FOUND');
  if (failed.length > 0)
    throw new Error(`batchGet failed for ${failed.length} keys: ${failed[0]!.error.message}`);
  const found = new Map(
    read.successfulKeys.map((item) => [`${item.entityName ?? ''}/${item.key}`, item.value]),
  );
  const loaded =
    (found.get(`${STATE_ENTITY}/${issueId}`) as IssueRecord | undefined) ??
    ({ issueId, version: 0, updatedAt: 0, state: emptyIssueState() } as IssueRecord);
  const fresh = commands.filter((c) => !found.has(`/${RECEIPT_PREFIX}${c.commandId}`));
  if (fresh.length === 0) return true;
  let state = loaded.state;
  for (const cmd of fresh) {
    const result = issueWriter.apply(state, cmd, loaded.version);
    if (result.ok) state = result.state;
  }
  const version = loaded.version + 1;
  const at = Date.now();
  let tx = kvs
    .transact()
    .set<IssueRecord>(
      issueId,
      { ...loaded, version, updatedAt: at, state },
      { entityName: STATE_ENTITY, conditions: versionCondition(loaded.version) },
    );
  for (const cmd of fresh)
    tx = tx.set<CallerReceipt>(RECEIPT_PREFIX + cmd.commandId, { issueId, version, at });
  try {
    await tx.execute();
    return true;
  } catch (error) {
    if (isCommitConflict(error)) return false;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
