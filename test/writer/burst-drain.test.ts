// The burst drain (src/shared/writer/consumer/handler.ts, keepDraining; coalescing.ts): once an
// event's pass has applied other events' deposits on its partition, the consumer holds the
// partition and applies deposits as they arrive, looking every 250 ms, until two looks in a row
// find nothing or 5 s have gone, and at once when storage fails or a deposit could not be settled.
// Deposits arrive on a schedule in virtual time: each look of the consumer (a deposit query) finds
// those due by then. docs/writer.md, "Coalescing".
import { ForgeKvsAPIError } from '@forge/kvs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import type { AnyEnvelope } from '../../src/shared/writer/index.js';
import { deposit } from '../../src/shared/writer/coalescing.js';
import { appPerTest, recordActivity, storedIssue, storedReceipt } from './harness.js';
import { commitElsewhere, interceptTransactions } from './intercepted-transactions.js';

const config = issueWriter.config;

/** Every 250 ms from `first` until `last`, one new command for issue 10001 each time. */
const steady = (first: number, last: number) =>
  Array.from({ length: Math.floor((last - first) / 250) + 1 }, (_, k) => ({
    at: first + 250 * k,
    cmd: recordActivity('10001'),
  }));

/** 0, 250, ..., `last`: the pass's own query, then a look every 250 ms. */
const looksUntil = (last: number) => Array.from({ length: last / 250 + 1 }, (_, k) => 250 * k);

describe('burst drain', () => {
  const app = appPerTest();
  let first: AnyEnvelope;
  beforeEach(async () => {
    // Issue 10001 was just committed to (hot), and another event's command waits as a deposit.
    await deliver([recordActivity('10001')]);
    first = recordActivity('10001');
    await app().runAsApp(() => deposit(config, [first]));
  });

  const deliver = (commands: AnyEnvelope[], flags: object = {}) =>
    app().runAsApp(() => issueWriter.handler({ body: { v: 1, commands, ...flags }, eventId: 'evt-burst' }));

  /**
   * Deposits arrive as scheduled (ms after the first deposit query, the event's own pass): each
   * deposit query first deposits those due by then. Query n (0 = the pass's) answers with a 503
   * when `failing(n)`, and so does every query after the 40th, which ends a drain that would
   * otherwise never stop. Returns when each query was made, in ms after the first.
   */
  function arrivals(schedule: Array<{ at: number; cmd: AnyEnvelope }>, failing = (_n: number) => false) {
    const made: number[] = [];
    let start = 0;
    const waiting = [...schedule];
    // Every @forge/kvs request goes through the runtime's `__forge_fetch__`.
    const host = globalThis as { __forge_fetch__: NonNullable<typeof globalThis.__forge_fetch__> };
    const fetch = host.__forge_fetch__;
    vi.spyOn(host, '__forge_fetch__').mockImplementation(async (descriptor, path, init) => {
      if (path !== '/api/v1/entity/query') return fetch(descriptor, path, init);
      if (made.length === 0) start = Date.now();
      const now = Date.now() - start;
      made.push(now);
      const due = waiting.filter((a) => a.at <= now);
      waiting.splice(0, due.length);
      await deposit(
        config,
        due.map((a) => a.cmd),
      );
      if (failing(made.length - 1) || made.length > 40)
        throw new ForgeKvsAPIError(
          { status: 503, statusText: 'SERVICE_UNAVAILABLE' },
          { code: 'SERVICE_UNAVAILABLE', message: 'try later' },
        );
      return fetch(descriptor, path, init);
    });
    return made;
  }

  const statusOf = (cmd: AnyEnvelope) => storedReceipt(app(), cmd.commandId)?.status;
  const appliedHere = (cmds: AnyEnvelope[]) =>
    cmds.filter(
      (cmd) => storedReceipt(app(), cmd.commandId)?.coalesced === true && statusOf(cmd) === 'applied',
    );

  it('after a quiet burst, looks twice more, 250 ms apart, and lets the partition go', async () => {
    const looks = arrivals([]);
    const own = recordActivity('10001');
    expect(await deliver([own], { coalesce: true })).toBeUndefined();
    expect(looks).toEqual([0, 250, 500]);
    expect(statusOf(own)).toBe('applied');
    expect(appliedHere([first])).toEqual([first]);
    expect(storedIssue(app(), '10001')?.version).toBe(3);
  });

  it('applies a deposit that arrives between looks, and starts counting empty looks again', async () => {
    const late = recordActivity('10001');
    const tooLate = recordActivity('10001');
    const looks = arrivals([
      { at: 400, cmd: late },
      { at: 1_100, cmd: tooLate },
    ]);
    await deliver([recordActivity('10001')], { coalesce: true });
    // Empty at 250, the deposit at 500, then empty at 750 and 1000.
    expect(looks).toEqual([0, 250, 500, 750, 1_000]);
    expect(appliedHere([first, late, tooLate])).toEqual([first, late]);
    expect(statusOf(tooLate)).toBeUndefined();
  });

  it('keeps applying a steady stream of deposits for at most 5 s, one commit per look', async () => {
    const stream = steady(100, 5_350);
    const looks = arrivals(stream);
    const commits = app().metered()['kvs.transaction'];
    await deliver([recordActivity('10001')], { coalesce: true });
    // The last look starts while another 250 ms still fits before the 5 s are up.
    expect(looks).toEqual(looksUntil(4_750));
    expect(appliedHere(stream.map((a) => a.cmd))).toEqual(stream.slice(0, 19).map((a) => a.cmd));
    expect(app().metered()['kvs.transaction'] - commits).toBe(1 + 19);
    expect(storedIssue(app(), '10001')?.version).toBe(3 + 19);
  });

  it('stops at once when storage fails a look, leaving what arrived to its own event', async () => {
    const stream = steady(100, 2_000);
    const looks = arrivals(stream, (n) => n === 3);
    expect(await deliver([recordActivity('10001')], { coalesce: true })).toBeUndefined();
    expect(looks).toEqual([0, 250, 500, 750]);
    expect(appliedHere(stream.map((a) => a.cmd))).toEqual([stream[0]!.cmd, stream[1]!.cmd]);
    expect(statusOf(stream[2]!.cmd)).toBe('pending');
  });

  it('stops at once when a deposit it took could not be settled', async () => {
    const stream = steady(100, 2_000);
    const looks = arrivals(stream);
    // Every commit of the third look meets a competing one first.
    interceptTransactions(async (tx) => {
      if (looks.length === 4) await commitElsewhere(config, '10001');
      return tx.execute();
    });
    expect(await deliver([recordActivity('10001')], { coalesce: true })).toBeUndefined();
    expect(looks).toEqual([0, 250, 500, 750]);
    expect(appliedHere(stream.map((a) => a.cmd))).toEqual([stream[0]!.cmd, stream[1]!.cmd]);
    expect(statusOf(stream[2]!.cmd)).toBe('pending');
  });

  it('does not hold the partition when its own commands are left for a retry', async () => {
    const looks = arrivals(steady(100, 2_000));
    interceptTransactions(async (tx) => {
      await commitElsewhere(config, '10001');
      return tx.execute();
    });
    const answer = await deliver([recordActivity('10001')], { coalesce: true });
    expect(answer).toMatchObject({ _retry: true });
    expect(looks).toEqual([0]);
    expect(statusOf(first)).toBe('pending');
  });

  it('takes no deposits into an event not marked for coalescing, or on two issues', async () => {
    const looks = arrivals([]);
    await deliver([recordActivity('10001')]);
    await deliver([recordActivity('10001'), recordActivity('10002')], { coalesce: true });
    expect(looks).toEqual([]);
    expect(statusOf(first)).toBe('pending');
    expect(storedIssue(app(), '10001')?.version).toBe(3);
  });
});
