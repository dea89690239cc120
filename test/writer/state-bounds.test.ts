// Issue state is bounded by design: every documented limit filled with the worst content it allows
// (3-byte characters to the last one, the longest ids) stays far under Forge's 240 KiB per record,
// removals leave nothing behind, edits of unknown items store nothing, and a write that would
// still pass the size limit (data of an earlier release, say) is refused at once, never retried.
import { kvs } from '@forge/kvs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import {
  MAX_CHECKLIST_ITEMS,
  MAX_EXTERNAL_EVENTS,
  MAX_ITEM_TEXT,
  MAX_REPORT_KINDS,
  MAX_REPORT_STATUSES,
  MAX_STORED_EDITOR,
  emptyIssueState,
} from '../../src/shared/issue-data/issue-state.js';
import { issueWriter, type Command, type IssueState } from '../../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../../src/shared/writer/index.js';
import { envelopeFor, startApp, storedIssue, storedReceipt } from './harness.js';

const FORGE_MAX_VALUE = 240 * 1024;
/** Three bytes in UTF-8, one UTF-16 unit: the most bytes a character limit lets through. */
const WIDE = '語';
const wide = (n: number) => WIDE.repeat(n);

let sequence = 0;
/** Applies commands with the longest command ids (100 characters) through the real reducer. */
function applyAll(state: IssueState, version: number, commands: Command[]) {
  let current = { state, version };
  for (const cmd of commands) {
    sequence += 1;
    const envelope = {
      ...cmd,
      schemaVersion: ENVELOPE_SCHEMA_VERSION as typeof ENVELOPE_SCHEMA_VERSION,
      commandId: `cmd-${sequence}-`.padEnd(100, 'x'),
      issueId: '10001',
      issuedAt: 1_800_000_000_000 + sequence,
      source: 'ui' as const,
    };
    const result = issueWriter.apply(current.state, envelope, current.version);
    if (!result.ok) throw new Error(`${cmd.type} refused: ${result.reason}`);
    current = { state: result.state, version: current.version + 1 };
  }
  return current;
}

const bytesOf = (state: IssueState, version: number) =>
  Buffer.byteLength(JSON.stringify({ issueId: '10001', version, updatedAt: 1_800_000_000_000, state }));

describe('bounded issue state', () => {
  it('keeps every documented limit, filled with the worst content, under the guard with a third of Forge margin', () => {
    let { state, version } = { state: emptyIssueState(), version: 0 };
    // A thousand items added and removed: nothing of them stays.
    for (let i = 0; i < 1000; i++) {
      const itemId = `gone-${i}`;
      ({ state, version } = applyAll(state, version, [
        { type: 'checklist.add', payload: { itemId, text: wide(MAX_ITEM_TEXT) } },
        { type: 'checklist.remove', payload: { itemId } },
      ]));
    }
    expect(state.checklist).toEqual({});
    // Every item at its longest, with all three of its fields set by people with the longest
    // account id a stamp keeps verbatim (a longer one is kept as a shorter hash).
    const by = '557058:'.padEnd(MAX_STORED_EDITOR, 'f');
    for (let i = 0; i < MAX_CHECKLIST_ITEMS; i++) {
      const itemId = `item-${i}-`.padEnd(64, 'x');
      ({ state, version } = applyAll(state, version, [
        {
          type: 'checklist.add',
          payload: { itemId, text: wide(MAX_ITEM_TEXT), rank: i + 0.123456789, by },
        },
        { type: 'checklist.check', payload: { itemId, checked: true, by, basedOn: null } },
        { type: 'checklist.rename', payload: { itemId, text: wide(MAX_ITEM_TEXT), by } },
      ]));
    }
    expect(Object.values(state.checklist).every((e) => e.checked?.stamp.by === by)).toBe(true);
    for (let i = 0; i < MAX_EXTERNAL_EVENTS + 5; i++) {
      ({ state, version } = applyAll(state, version, [
        {
          type: 'activity.external',
          payload: {
            eventId: `deploy-${i}-`.padEnd(100, 'x'),
            kind: 'deployment',
            environment: wide(100),
            status: 'rolled-back',
            at: 1_800_000_000_000 + i,
            url: `https://ci.example.com/${'p'.repeat(470)}`,
          },
        },
      ]));
    }
    for (let k = 0; k < MAX_REPORT_KINDS; k++) {
      const timeInStatusMs = Object.fromEntries(
        Array.from({ length: MAX_REPORT_STATUSES }, (_, s) => [`${s}${wide(99)}`.slice(0, 100), 1e12 + s]),
      );
      ({ state, version } = applyAll(state, version, [
        {
          type: 'report.metrics',
          payload: {
            reportKind: `kind-${k}-`.padEnd(50, 'x'),
            runId: 'r'.repeat(100),
            computedAt: 1_800_000_000_000,
            timeInStatusMs,
            transitions: 1_000_000,
          },
        },
      ]));
    }
    ({ state, version } = applyAll(state, version, [
      { type: 'activity.transition', payload: { from: wide(100), to: wide(100), at: 1_800_000_000_000 } },
      ...Array.from(
        { length: 3 },
        () => ({ type: 'activity.record', payload: { kind: 'commented', at: 1 } }) as const,
      ),
    ]));

    const bytes = bytesOf(state, version);
    expect(bytes).toBeLessThan(issueWriter.config.limits.maxStateBytes);
    expect(bytes).toBeLessThan(FORGE_MAX_VALUE * 0.7);
    // Each limit holds: the next one of each is refused or pushes the oldest out.
    expect(() =>
      applyAll(state, version, [{ type: 'checklist.add', payload: { itemId: 'one-more', text: 'x' } }]),
    ).toThrow(`the checklist is full (${MAX_CHECKLIST_ITEMS} items)`);
    expect(state.activity.external).toHaveLength(MAX_EXTERNAL_EVENTS);
    expect(() =>
      applyAll(state, version, [
        {
          type: 'report.metrics',
          payload: { reportKind: 'another', runId: 'r', computedAt: 1, timeInStatusMs: {}, transitions: 0 },
        },
      ]),
    ).toThrow(`at most ${MAX_REPORT_KINDS} report kinds`);
    expect(() =>
      applyAll(state, version, [
        {
          type: 'checklist.rename',
          payload: { itemId: `item-0-`.padEnd(64, 'x'), text: 'x'.repeat(MAX_ITEM_TEXT + 1) },
        },
      ]),
    ).toThrow(`the limit is ${MAX_ITEM_TEXT}`);
  });
});

describe('the size guard, on the runtime', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('refuses at once, in one delivery, a command that would pass the size limit', async () => {
    rt = await startApp();
    // A record an earlier release could leave: one report result with thousands of statuses, 1 KB
    // under the limit, so that one more item passes it.
    const legacy = emptyIssueState();
    const timeInStatusMs: Record<string, number> = {};
    const stamp = { at: 1, id: 'legacy' };
    legacy.reports['legacy'] = {
      value: { runId: 'r', computedAt: 1, transitions: 0, timeInStatusMs },
      stamp,
    };
    const limit = issueWriter.config.limits.maxStateBytes;
    // Each status adds `"name":n,`: counted as it goes, not by re-encoding the record each time.
    let bytes = bytesOf(legacy, 1);
    for (let i = 0; bytes < limit - 600; i++) {
      const name = `status-${i}-`.padEnd(60, 's');
      timeInStatusMs[name] = i;
      bytes += Buffer.byteLength(JSON.stringify(name)) + String(i).length + 2;
    }
    expect(bytesOf(legacy, 1)).toBeGreaterThan(limit - 600);
    await rt.runAsApp(() =>
      kvs
        .entity(issueWriter.entities.state)
        .set('10001', { issueId: '10001', version: 1, updatedAt: 1, state: legacy }),
    );
    const before = rt.metered();
    const add = envelopeFor('10001', {
      type: 'checklist.add',
      payload: { itemId: 'a', text: wide(MAX_ITEM_TEXT) },
    });
    await rt.runAsApp(() => issueWriter.enqueue(add));
    await rt.runUntilIdle();
    const receipt = storedReceipt(rt, add.commandId);
    expect(receipt).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/^the issue's data would be \d+ bytes, over its limit of 204800$/),
    });
    expect(rt.metered()['events.delivered'] - before['events.delivered']).toBe(1);
    expect(rt.metered()['events.retryRequested'] - before['events.retryRequested']).toBe(0);
    expect(storedIssue(rt, '10001')?.version).toBe(1);
  });

  it('stores nothing for 410 renames of unknown items with long texts, and the next add applies at once', async () => {
    rt = await startApp();
    const renames = Array.from({ length: 410 }, (_, i) =>
      envelopeFor('10001', {
        type: 'checklist.rename',
        payload: { itemId: `ghost-${i}`, text: 'x'.repeat(500) },
      }),
    );
    await rt.runAsApp(() => issueWriter.enqueue(renames));
    await rt.runUntilIdle();
    expect(renames.every((r) => storedReceipt(rt, r.commandId)?.status === 'rejected')).toBe(true);
    const record = storedIssue(rt, '10001');
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(1024);
    const add = envelopeFor('10001', {
      type: 'checklist.add',
      payload: { itemId: 'real', text: 'A real item' },
    });
    const before = rt.metered();
    await rt.runAsApp(() => issueWriter.enqueue(add));
    await rt.runUntilIdle();
    expect(storedReceipt(rt, add.commandId)).toMatchObject({ status: 'applied' });
    expect(rt.metered()['events.delivered'] - before['events.delivered']).toBe(1);
  });
});
