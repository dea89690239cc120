// Checks a finished run against a sequential model of the accepted commands: replaying every
// applied command in the order the writer versioned it must give exactly the stored state.
import { isDeepStrictEqual } from 'node:util';
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { CommandEnvelope } from '../src/shared/command-envelope.js';
import { emptyIssueState, type IssueState } from '../src/shared/issue-state.js';
import { applyCommand } from '../src/shared/reducer.js';
import type { DeadLetterRecord, IssueRecord, ReceiptRecord } from '../src/shared/storage-layout.js';
import type { Ledger } from './workload.js';

export type Invariant =
  'no-lost-update' | 'exactly-once' | 'nothing-vanishes' | 'rejections-justified' | 'malformed-recorded';

export interface Violation {
  seed: number;
  invariant: Invariant;
  detail: string;
}

export function checkInvariants(seed: number, rt: LocalForgeRuntime, ledger: Ledger): Violation[] {
  const violations: Violation[] = [];
  const fail = (invariant: Invariant, detail: string) => violations.push({ seed, invariant, detail });
  const receipts = new Map(
    rt.storage.listEntity('command-receipt').map((i) => [i.key, i.value as ReceiptRecord]),
  );
  const issues = new Map(rt.storage.listEntity('issue-state').map((i) => [i.key, i.value as IssueRecord]));

  // 3. Nothing vanishes: every accepted command is settled; nothing the caller was refused is.
  for (const [id] of ledger.accepted) {
    const receipt = receipts.get(id);
    if (!receipt) fail('nothing-vanishes', `accepted command ${id} has no receipt`);
    else if (receipt.status === 'dead-lettered')
      fail('nothing-vanishes', `command ${id} is still dead-lettered after replay`);
  }
  for (const id of ledger.refused) {
    if (receipts.has(id)) fail('exactly-once', `command ${id} was reported not enqueued, yet has a receipt`);
  }
  for (const [id] of receipts) {
    if (!ledger.accepted.has(id) && !ledger.refused.has(id))
      fail('exactly-once', `receipt for unknown command ${id}`);
  }
  if (rt.metered()['events.dropped'] > 0)
    fail('nothing-vanishes', `${rt.metered()['events.dropped']} event(s) dropped by retention`);

  // 1 and 2. Per issue, applied commands carry versions 1..V exactly once, and replaying them in
  // that order through the reducer gives the stored state.
  const byIssue = new Map<string, Array<{ receipt: ReceiptRecord; cmd: CommandEnvelope }>>();
  for (const receipt of receipts.values()) {
    const cmd = ledger.accepted.get(receipt.commandId);
    if (!cmd) continue;
    byIssue.set(receipt.issueId, [...(byIssue.get(receipt.issueId) ?? []), { receipt, cmd }]);
  }
  const issueIds = new Set([...byIssue.keys(), ...issues.keys()]);
  for (const issueId of issueIds) {
    const settled = byIssue.get(issueId) ?? [];
    const applied = settled
      .filter((s) => s.receipt.status === 'applied')
      .sort((a, b) => a.receipt.version - b.receipt.version);
    const stored = issues.get(issueId);
    const version = stored?.version ?? 0;
    if (applied.length !== version) {
      fail('exactly-once', `issue ${issueId}: version ${version} but ${applied.length} applied receipts`);
    }
    applied.forEach((s, i) => {
      if (s.receipt.version !== i + 1)
        fail(
          'exactly-once',
          `issue ${issueId}: applied versions are not 1..${applied.length} (found ${s.receipt.version} at ${i + 1})`,
        );
    });
    const states: IssueState[] = [emptyIssueState()];
    let state = states[0]!;
    for (const [i, { cmd }] of applied.entries()) {
      const result = applyCommand(state, cmd, i);
      if (!result.ok) {
        fail(
          'no-lost-update',
          `issue ${issueId}: ${cmd.commandId} is applied at version ${i + 1} but the model refuses it: ${result.reason}`,
        );
        break;
      }
      state = result.state;
      states.push(state);
    }
    if (stored && !isDeepStrictEqual(stored.state, state)) {
      fail(
        'no-lost-update',
        `issue ${issueId}: stored state differs from the sequential model of ${applied.length} applied commands`,
      );
    }
    // Reducer rejections are final and justified: at the version they name, the model refuses them too.
    for (const { receipt, cmd } of settled.filter((s) => s.receipt.status === 'rejected')) {
      const at = states[receipt.version];
      if (!at) {
        fail(
          'rejections-justified',
          `issue ${issueId}: ${cmd.commandId} rejected at unknown version ${receipt.version}`,
        );
      } else if (applyCommand(at, cmd, receipt.version).ok) {
        fail(
          'rejections-justified',
          `issue ${issueId}: ${cmd.commandId} rejected at version ${receipt.version} ("${receipt.reason}") but the model accepts it there`,
        );
      }
    }
  }

  // 5. Malformed events are recorded, once each.
  const letters = rt.storage.listEntity('dead-letter').map((i) => i.value as DeadLetterRecord);
  const malformed = letters.filter((l) => l.status === 'malformed').length;
  if (malformed !== ledger.malformedPushed) {
    fail('malformed-recorded', `${ledger.malformedPushed} malformed event(s) pushed, ${malformed} recorded`);
  }
  return violations;
}
