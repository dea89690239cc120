// One pass over a partition's commands, cut into commits that each fit one transaction, and the
// packing of several partitions' commits into as few transactions as Forge allows (25 operations).
import { describe, expect, it } from 'vitest';
import {
  packTransactions,
  TRANSACTION_LIMIT,
  type CommitChunk,
} from '../../src/shared/writer/consumer/commit.js';
import { passOrder, RECEIPTS_PER_CHUNK, settlePass } from '../../src/shared/writer/consumer/settle-pass.js';
import { fingerprintOf } from '../../src/shared/writer/fingerprint.js';
import { add, counter } from './counter-writer.js';

const config = counter.config;
const id = (n: number) => `cmd-pass-${String(n).padStart(3, '0')}`;
const stored = { teamId: 't1', version: 5, updatedAt: 2_000, state: { total: 10 } };

describe('a settle pass', () => {
  it('applies commands in issue order, then by id, whatever order they came in', () => {
    const commands = [add('t1', 1, id(3), 30), add('t1', 2, id(2), 10), add('t1', 4, id(1), 30)];
    const [chunk] = settlePass(config, 't1', stored, true, commands, 5_000);
    expect(chunk!.receipts.map((r) => [r.commandId, r.version])).toEqual([
      [id(2), 6],
      [id(1), 7],
      [id(3), 8],
    ]);
    expect(chunk!.record).toEqual({ teamId: 't1', version: 8, updatedAt: 5_000, state: { total: 17 } });
    expect(passOrder(add('t1', 1, id(1), 5), add('t1', 1, id(1), 5))).toBe(0);
  });

  it('records a refusal at the version it met, with its reason, and applies what follows', () => {
    const commands = [add('t1', 1, id(1), 1), add('t1', -1, id(2), 2), add('t1', 1, id(3), 3)];
    const [chunk] = settlePass(config, 't1', stored, true, commands, 5_000);
    expect(chunk!.receipts).toEqual([
      {
        commandId: id(1),
        teamId: 't1',
        status: 'applied',
        version: 6,
        settledAt: 5_000,
        fingerprint: fingerprintOf(config, commands[0]!),
      },
      {
        commandId: id(2),
        teamId: 't1',
        status: 'rejected',
        version: 6,
        reason: 'negative amount',
        settledAt: 5_000,
        fingerprint: fingerprintOf(config, commands[1]!),
      },
      {
        commandId: id(3),
        teamId: 't1',
        status: 'applied',
        version: 7,
        settledAt: 5_000,
        fingerprint: fingerprintOf(config, commands[2]!),
      },
    ]);
    expect(chunk!.record.state).toEqual({ total: 12 });
  });

  it(`cuts ${RECEIPTS_PER_CHUNK} receipts per commit, each commit conditioned on the one before`, () => {
    const commands = Array.from({ length: 2 * RECEIPTS_PER_CHUNK + 1 }, (_, i) => add('t1', 1, id(i), i));
    // The clock reads earlier than the stored stamp: every commit still stamps later than the last.
    const chunks = settlePass(config, 't1', stored, true, commands, 1_500);
    expect(chunks.map((c) => c.receipts.length)).toEqual([RECEIPTS_PER_CHUNK, RECEIPTS_PER_CHUNK, 1]);
    expect(chunks.map((c) => c.expected)).toEqual([
      { version: 5, updatedAt: 2_000 },
      { version: 5 + RECEIPTS_PER_CHUNK, updatedAt: 2_001 },
      { version: 5 + 2 * RECEIPTS_PER_CHUNK, updatedAt: 2_002 },
    ]);
    expect(chunks.map((c) => [c.record.version, c.record.updatedAt])).toEqual([
      [5 + RECEIPTS_PER_CHUNK, 2_001],
      [5 + 2 * RECEIPTS_PER_CHUNK, 2_002],
      [6 + 2 * RECEIPTS_PER_CHUNK, 2_003],
    ]);
    expect(RECEIPTS_PER_CHUNK + 1).toBe(TRANSACTION_LIMIT);
  });

  it('builds the first commit of a partition with no record on its absence, and nothing for no commands', () => {
    const empty = { teamId: 't2', version: 0, updatedAt: 0, state: { total: 0 } };
    const exactly = Array.from({ length: RECEIPTS_PER_CHUNK }, (_, i) => add('t2', 1, id(i), i));
    const chunks = settlePass(config, 't2', empty, false, exactly, 7_000);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.expected).toBe('absent');
    expect(chunks[0]!.record).toMatchObject({ version: RECEIPTS_PER_CHUNK, updatedAt: 7_000 });
    expect(settlePass(config, 't2', empty, false, [], 7_000)).toEqual([]);
  });
});

describe('packing commits into transactions', () => {
  const chunk = (partitionId: string, receipts: number): CommitChunk => ({
    partitionId,
    expected: 'absent',
    record: { teamId: partitionId, version: 1, updatedAt: 1, state: {} },
    receipts: Array.from({ length: receipts }, (_, i) => ({
      commandId: `${partitionId}-${i}`,
      status: 'applied' as const,
      version: 1,
      settledAt: 1,
    })),
  });
  const shape = (transactions: CommitChunk[][]) =>
    transactions.map((t) => t.map((c) => `${c.partitionId}:${c.receipts.length}`));

  it('fills a transaction up to exactly 25 operations (a record and its receipts each count one)', () => {
    expect(shape(packTransactions([[chunk('a', 19)], [chunk('b', 4)]]))).toEqual([['a:19', 'b:4']]);
    expect(shape(packTransactions([[chunk('a', 19)], [chunk('b', 5)]]))).toEqual([['a:19'], ['b:5']]);
    const tenSmall = Array.from({ length: 10 }, (_, i) => [chunk(`p${i}`, 2)]);
    expect(packTransactions(tenSmall).map((t) => t.length)).toEqual([8, 2]);
  });

  it("never puts a partition's later commit in a transaction before, or with, its earlier one", () => {
    const packed = packTransactions([
      [chunk('a', 24), chunk('a', 1)],
      [chunk('b', 1)],
      [chunk('c', 1), chunk('c', 2)],
    ]);
    expect(shape(packed)).toEqual([['a:24'], ['b:1', 'c:1'], ['a:1', 'c:2']]);
    expect(packTransactions([])).toEqual([]);
    expect(packTransactions([[], []])).toEqual([]);
  });
});
