// The commit path's building blocks, each against the local KVS: the order a pass applies commands
// in, the conditions a receipt is written under, a state record's own lifetime, and the creation of
// a partition's first record. The consumer's tests reach these only through whole deliveries, where
// some cases (a redelivery racing its own dead-lettering, a create that fails for a reason other
// than a racing creator) are rare; here each is set up directly.
import { kvs } from '@forge/kvs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter, type IssueRecord } from '../../src/shared/issue-data/issue-writer.js';
import { writeUnlessConflict } from '../../src/shared/writer/index.js';
import {
  createStateRecords,
  executeTransaction,
  type Transaction,
} from '../../src/shared/writer/consumer/commit.js';
import { passOrder } from '../../src/shared/writer/consumer/settle-pass.js';
import { emptyStateRecord, type ReceiptRecord } from '../../src/shared/writer/storage-layout.js';
import { recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';

const DAY = 24 * 60 * 60 * 1000;
const config = issueWriter.config;

describe('passOrder', () => {
  it('orders by issue time, then by command id, and is antisymmetric', () => {
    const at = (issuedAt: number, commandId: string) => recordActivity('10001', { issuedAt, commandId });
    const [a, b, c] = [at(5, 'cmd-a'), at(5, 'cmd-b'), at(4, 'cmd-z')];
    expect(passOrder(a, b)).toBeLessThan(0);
    expect(passOrder(b, a)).toBeGreaterThan(0);
    expect(passOrder(a, a)).toBe(0);
    expect(passOrder(c, a)).toBeLessThan(0);
    const sameMillisecond = ['cmd-e', 'cmd-c', 'cmd-a', 'cmd-d', 'cmd-b'].map((id) => at(7, id));
    expect(sameMillisecond.sort(passOrder).map((e) => e.commandId)).toEqual([
      'cmd-a',
      'cmd-b',
      'cmd-c',
      'cmd-d',
      'cmd-e',
    ]);
  });
});

describe('the commit path against the local KVS', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => {
    vi.restoreAllMocks();
    rt?.close();
  });

  const receipt = (commandId: string, status: ReceiptRecord['status'], version = 1): ReceiptRecord => ({
    commandId,
    status,
    version,
    settledAt: 1,
    ...(status === 'applied' ? {} : { reason: status === 'pending' ? 'queued' : 'kept failing' }),
  });

  /** Commits one chunk on partition 10001 built on what is stored now; true when it went through. */
  async function commit(
    receipts: ReceiptRecord[],
    write: Parameters<typeof executeTransaction>[2],
    state: IssueRecord['state'] = emptyStateRecord(config, '10001').state,
  ): Promise<boolean> {
    const stored = storedIssue(rt, '10001');
    const version = (stored?.version ?? 0) + 1;
    const transaction: Transaction<IssueRecord['state']> = [
      {
        partitionId: '10001',
        expected: stored ? { version: stored.version, updatedAt: stored.updatedAt } : 'absent',
        record: { issueId: '10001', version, updatedAt: version, state },
        receipts,
      },
    ];
    return rt.runAsApp(() => writeUnlessConflict(() => executeTransaction(config, transaction, write)));
  }

  async function storeReceipt(value: ReceiptRecord): Promise<void> {
    await rt.runAsApp(() => kvs.entity<ReceiptRecord>(config.entities.receipt).set(value.commandId, value));
  }

  it("never lets a new command's commit overwrite a dead-lettered receipt; a replay's may", async () => {
    rt = await startApp();
    // The command was dead-lettered after this delivery read its receipts, before it committed.
    await storeReceipt(receipt('cmd-1', 'dead-lettered'));
    const newOnly = { receipts: 'new-only', replay: false } as const;
    expect(await commit([receipt('cmd-1', 'applied')], newOnly)).toBe(false);
    expect(storedReceipt(rt, 'cmd-1')?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10001')).toBeUndefined();

    expect(await commit([receipt('cmd-1', 'applied')], { receipts: 'new-only', replay: true })).toBe(true);
    expect(storedReceipt(rt, 'cmd-1')?.status).toBe('applied');
    // A settled receipt is never replaced, by a replay either.
    expect(await commit([receipt('cmd-1', 'rejected', 2)], { receipts: 'new-only', replay: true })).toBe(
      false,
    );
    expect(storedReceipt(rt, 'cmd-1')).toMatchObject({ status: 'applied', version: 1 });
  });

  it('writes over a pending deposit, and unconditioned receipts over anything', async () => {
    rt = await startApp();
    await storeReceipt(receipt('cmd-2', 'pending'));
    expect(await commit([receipt('cmd-2', 'applied')], { receipts: 'new-only', replay: false })).toBe(true);
    expect(storedReceipt(rt, 'cmd-2')?.status).toBe('applied');
    await storeReceipt(receipt('cmd-3', 'dead-lettered'));
    expect(await commit([receipt('cmd-3', 'applied', 2)], { receipts: 'unconditioned', replay: false })).toBe(
      true,
    );
    expect(storedReceipt(rt, 'cmd-3')?.status).toBe('applied');
  });

  it("gives a state record the definition's lifetime (a deleted issue's tombstone), and others none", async () => {
    rt = await startApp();
    const live = emptyStateRecord(config, '10001').state;
    expect(await commit([], { receipts: 'new-only', replay: false }, live)).toBe(true);
    await rt.advance(40 * DAY);
    expect(storedIssue(rt, '10001')?.version).toBe(1);

    const tombstone = { ...live, deletedAt: 1 };
    expect(config.expireState(tombstone)).toEqual({ value: 31, unit: 'DAYS' });
    expect(await commit([], { receipts: 'new-only', replay: false }, tombstone)).toBe(true);
    await rt.advance(31 * DAY - 60_000);
    expect(storedIssue(rt, '10001')?.version).toBe(2);
    await rt.advance(2 * 60_000);
    expect(storedIssue(rt, '10001')).toBeUndefined();
  });

  it("creates a partition's empty record, never over one someone else created", async () => {
    rt = await startApp();
    await rt.runAsApp(() => createStateRecords(config, ['10001']));
    expect(storedIssue(rt, '10001')).toEqual(emptyStateRecord(config, '10001'));

    await commit([], { receipts: 'new-only', replay: false });
    expect(storedIssue(rt, '10001')?.version).toBe(1);
    // Another consumer created (and wrote) it first: this create fails, and that is not an error.
    await rt.runAsApp(() => createStateRecords(config, ['10001', '10002']));
    expect(storedIssue(rt, '10001')?.version).toBe(1);
    expect(storedIssue(rt, '10002')).toEqual(emptyStateRecord(config, '10002'));
  });

  it('throws when a create fails and no record was made', async () => {
    rt = await startApp();
    const entity = kvs.entity.bind(kvs);
    vi.spyOn(kvs, 'entity').mockImplementation((name: string) => {
      const real = entity(name);
      return Object.assign(Object.create(Object.getPrototypeOf(real) as object) as typeof real, real, {
        set: () => Promise.reject(new Error('storage is down')),
      });
    });
    await expect(rt.runAsApp(() => createStateRecords(config, ['10003']))).rejects.toThrow('storage is down');
    expect(storedIssue(rt, '10003')).toBeUndefined();
  });
});
