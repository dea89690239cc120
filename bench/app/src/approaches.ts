// How each approach applies commands, as app code running inside a Forge invocation. Every
// approach goes through the same reducer to the same `issue-state` entity, so their effects compare.
import { Filter, FilterConditions, kvs } from '@forge/kvs';
import {
  issueWriter,
  type IssueEnvelope as CommandEnvelope,
  type IssueRecord,
} from '../../../src/shared/issue-data/issue-writer';
import { isCommitConflict, versionCondition } from '../../../src/shared/writer';

const STATE_ENTITY = issueWriter.entities.state;
const loadIssue = (issueId: string) => issueWriter.load(issueId);

export const APPROACHES = [
  'naive',
  'caller-cas',
  'lease-lock',
  'writer',
  'writer-no-coalesce',
  'writer-no-key',
  'writer-batched',
  'writer-batched-no-key',
] as const;
export type ApproachName = (typeof APPROACHES)[number];

export function isWriterApproach(approach: ApproachName): boolean {
  return approach.startsWith('writer');
}

/** Tuning of the caller-side approaches: what a careful forum reader would pick. */
export const CALLER_TUNING = {
  /** caller-cas: attempts per command before giving up (then the command is lost). */
  casAttempts: 50,
  /** caller-cas: backoff with full jitter, from this base, doubling, capped. */
  casBackoffBaseMs: 20,
  casBackoffCapMs: 1_000,
  /** lease-lock: how long a lease lives unless released (covers a crashed holder). */
  leaseMs: 10_000,
  /** lease-lock: poll interval while the lease is held by someone else (±50 % jitter). */
  leasePollMs: 100,
  /** lease-lock: give up waiting for the lease after this long (then the command is lost). */
  leaseWaitMs: 120_000,
} as const;

export const LEASE_ENTITY = 'bench-lease';

export interface LeaseRecord {
  issueId: string;
  holder: string;
  expiresAt: number;
}

export interface Applied {
  commandId: string;
  /** When the write that applied it succeeded (virtual ms). */
  at: number;
}

export interface SubmitResult {
  applied: Applied[];
  /** Commands a caller gave up on (out of attempts or patience). */
  gaveUp: string[];
}

/** Submits a producer's commands the approach's way; resolves when the caller is done with them. */
export async function submit(approach: ApproachName, commands: CommandEnvelope[]): Promise<SubmitResult> {
  const result: SubmitResult = { applied: [], gaveUp: [] };
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
    default:
      for (const cmd of commands) {
        const at = await applyOne(approach, cmd);
        if (at === undefined) result.gaveUp.push(cmd.commandId);
        else result.applied.push({ commandId: cmd.commandId, at });
      }
      return result;
  }
}

/** Applies one command the caller's way; returns when it was applied, or undefined if given up. */
export function applyOne(approach: ApproachName, cmd: CommandEnvelope): Promise<number | undefined> {
  if (approach === 'naive') return applyNaive(cmd);
  if (approach === 'caller-cas') return applyCas(cmd);
  if (approach === 'lease-lock') return applyLeased(cmd);
  throw new Error(`${approach} does not apply commands in the caller`);
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
async function applyCas(cmd: CommandEnvelope): Promise<number | undefined> {
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
  return undefined;
}

/**
 * The forum's SQL answer carried over to KVS: take a lease (a record with an expiry, written only
 * if absent or expired), poll while someone else holds it, read-modify-write, release it.
 */
async function applyLeased(cmd: CommandEnvelope): Promise<number | undefined> {
  const holder = `${cmd.commandId}:${Math.random().toString(36).slice(2, 10)}`;
  const giveUpAt = Date.now() + CALLER_TUNING.leaseWaitMs;
  while (!(await tryAcquire(cmd.issueId, holder))) {
    if (Date.now() >= giveUpAt) return undefined;
    await sleep(CALLER_TUNING.leasePollMs * (0.5 + Math.random()));
  }
  const next = nextRecord(await loadIssue(cmd.issueId), cmd);
  if (next) await kvs.entity<IssueRecord>(STATE_ENTITY).set(cmd.issueId, next);
  const at = Date.now();
  await release(cmd.issueId, holder);
  return at;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
