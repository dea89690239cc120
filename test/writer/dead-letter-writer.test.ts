// The dead-letter writer on commands settled meanwhile: it leaves them, and stores nothing for them
// (found by the simulation's settled-work-ends check: a redelivery of dead-lettered commands created
// an empty record for each issue they named).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { deadLetterCommands, recordMalformed } from '../../src/shared/writer/consumer/dead-letter-writer.js';
import { deadLetterKey, type AnyEnvelope } from '../../src/shared/writer/index.js';
import { recordActivity, startApp, storedIssue, storedReceipt } from './harness.js';
import { interceptTransactions, type InterceptedTransaction } from './intercepted-transactions.js';

describe('dead-letter writer', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => {
    vi.restoreAllMocks();
    rt?.close();
  });

  const config = issueWriter.config;
  const letter = (id: string) =>
    rt.storage.getEntity(config.entities.deadLetter, deadLetterKey(id)) as
      | { status: string; reason: string; attempts: number; envelope: { raw?: string }; issueId?: string }
      | undefined;

  /** Intercepts transactions, making transaction n fail when `fail(n)` says so. */
  const watchTransactions = (fail: (n: number) => boolean = () => false) =>
    interceptTransactions((tx) => (fail(tx.n) ? Promise.reject(new Error('refused')) : tx.execute()));
  /** The dead-letter keys each transaction wrote. */
  const lettersOf = (made: InterceptedTransaction[]) =>
    made.map((tx) => tx.writes.filter((w) => w.entityName === config.entities.deadLetter).map((w) => w.key));
  const keysOf = (cmds: AnyEnvelope[]) => cmds.map((c) => deadLetterKey(c.commandId));

  it('writes 12 commands per transaction, each delivery starting at another group', async () => {
    rt = await startApp();
    const cmds = Array.from({ length: 30 }, () => recordActivity('10001'));
    const seen = watchTransactions();
    // Delivery 1 starts at the second group: a crash loop that dies after one write still moves on.
    await rt.runAsApp(() => deadLetterCommands(config, cmds, 'kept failing', 1));
    expect(lettersOf(seen)).toEqual([
      keysOf(cmds.slice(12, 24)),
      keysOf([...cmds.slice(24), ...cmds.slice(0, 6)]),
      keysOf(cmds.slice(6, 12)),
    ]);
    seen.length = 0;
    await rt.runAsApp(() => deadLetterCommands(config, cmds, 'again', 5));
    // 5 % 3 groups = the third group first (its refused write finds every command settled already).
    expect(lettersOf(seen)[0]).toEqual(keysOf([...cmds.slice(24), ...cmds.slice(0, 6)]));
    for (const cmd of cmds) expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
  });

  it('takes one transaction per full group of 12: none for no command, one for 12, two for 24', async () => {
    rt = await startApp();
    const seen = watchTransactions();
    await rt.runAsApp(() => deadLetterCommands(config, [], 'nothing', 1));
    expect(seen).toHaveLength(0);
    const twelve = Array.from({ length: 12 }, () => recordActivity('10001'));
    await rt.runAsApp(() => deadLetterCommands(config, twelve, 'kept failing', 1));
    expect(lettersOf(seen)).toEqual([keysOf(twelve)]);
    seen.length = 0;
    const cmds = Array.from({ length: 24 }, () => recordActivity('10002'));
    await rt.runAsApp(() => deadLetterCommands(config, cmds, 'kept failing', 1));
    expect(lettersOf(seen)).toEqual([keysOf(cmds.slice(12)), keysOf(cmds.slice(0, 12))]);
  });

  it('leaves the letter of a command dead-lettered already, and rewrites it, open, when its replay fails', async () => {
    rt = await startApp();
    const cmd = recordActivity('10001');
    await rt.runAsApp(() => deadLetterCommands(config, [cmd], 'first delivery', 5));
    // A redelivery of the same event: the letter and the receipt still say why it first failed.
    await rt.runAsApp(() => deadLetterCommands(config, [cmd], 'redelivered', 6));
    expect(letter(cmd.commandId)).toMatchObject({ status: 'open', reason: 'first delivery', attempts: 5 });
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({
      status: 'dead-lettered',
      reason: 'first delivery',
    });
    // Its replay failing: the letter says why the replay failed, and after how many attempts.
    await rt.runAsApp(() => deadLetterCommands(config, [cmd], 'replay failed', 2, { replay: true }));
    expect(letter(cmd.commandId)).toMatchObject({ status: 'open', reason: 'replay failed', attempts: 2 });
    expect(storedReceipt(rt, cmd.commandId)).toMatchObject({
      status: 'dead-lettered',
      reason: 'replay failed',
    });
  });

  it('retries refused groups per issue, checked against the issue, up to three rounds, then throws', async () => {
    rt = await startApp();
    const [a, b] = [recordActivity('10001'), recordActivity('10002')];
    const seen = watchTransactions((n) => n === 0);
    await rt.runAsApp(() => deadLetterCommands(config, [a, b], 'kept failing', 1));
    // The first write fails; the next round writes one transaction per issue.
    expect(lettersOf(seen)).toEqual([keysOf([a, b]), keysOf([a]), keysOf([b])]);
    expect(storedReceipt(rt, a.commandId)?.status).toBe('dead-lettered');
    expect(storedReceipt(rt, b.commandId)?.status).toBe('dead-lettered');

    vi.restoreAllMocks();
    const c = recordActivity('10003');
    const always = watchTransactions(() => true);
    await expect(rt.runAsApp(() => deadLetterCommands(config, [c], 'kept failing', 1))).rejects.toThrow(
      'could not dead-letter 1 command(s)',
    );
    expect(always).toHaveLength(4);
  });

  it('records malformed input in transactions of 25, with its issue when it names one, for 30 days', async () => {
    rt = await startApp();
    const raws: unknown[] = [{ issueId: '10001', type: 'x' }, 'just text', undefined, null];
    const items = Array.from({ length: 30 }, (_, index) => ({ index, reason: 'bad', raw: raws[index] }));
    const seen = watchTransactions();
    await rt.runAsApp(() => recordMalformed(config, 'evt-9', items));
    expect(lettersOf(seen).map((ids) => ids.length)).toEqual([25, 5]);
    seen.length = 0;
    await rt.runAsApp(() => recordMalformed(config, 'evt-8', items.slice(0, 25)));
    expect(lettersOf(seen).map((ids) => ids.length)).toEqual([25]);
    expect(letter('malformed:evt-9:0')).toMatchObject({ status: 'malformed', issueId: '10001' });
    expect(letter('malformed:evt-9:1')?.issueId).toBeUndefined();
    expect(letter('malformed:evt-9:1')?.envelope.raw).toBe('"just text"');
    expect(letter('malformed:evt-9:2')?.envelope.raw).toBe('undefined');
    expect(letter('malformed:evt-9:3')).toMatchObject({ status: 'malformed', envelope: { raw: 'null' } });
    expect(letter('malformed:evt-9:3')?.issueId).toBeUndefined();
    await rt.advance(30 * 24 * 60 * 60 * 1000 + 60_000);
    expect(letter('malformed:evt-9:0')).toBeUndefined();
  });

  it('keeps the first 8 KB of malformed input, and input JSON cannot write as text', async () => {
    rt = await startApp();
    const circular: Record<string, unknown> = { issueId: '10001' };
    circular['self'] = circular;
    await rt.runAsApp(() =>
      recordMalformed(config, 'evt-10', [
        { index: 0, reason: 'too long', raw: { text: 'x'.repeat(20_000) } },
        { index: 1, reason: 'circular', raw: circular },
      ]),
    );
    expect(letter('malformed:evt-10:0')?.envelope.raw).toHaveLength(8 * 1024);
    expect(letter('malformed:evt-10:1')).toMatchObject({
      issueId: '10001',
      envelope: { raw: '[object Object]' },
    });
  });

  it('creates no record for an issue whose commands are all settled already', async () => {
    rt = await startApp();
    const cmd = recordActivity('10009');
    await rt.runAsApp(() => deadLetterCommands(issueWriter.config, [cmd], 'first delivery', 5));
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10009')).toBeUndefined();

    // A later delivery of the same event reaches the dead-letter writer again.
    await rt.runAsApp(() => deadLetterCommands(issueWriter.config, [cmd], 'redelivered', 6));
    expect(storedReceipt(rt, cmd.commandId)?.status).toBe('dead-lettered');
    expect(storedIssue(rt, '10009')).toBeUndefined();
  });
});
