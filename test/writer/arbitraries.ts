// fast-check generators for commands and envelopes, shared by the writer's property tests.
import fc from 'fast-check';
import { type IssueEnvelope, type Command } from '../../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../../src/shared/writer/index.js';

const itemIds = ['a', 'b', 'c', 'd', 'e'];
const texts = ['Write docs', 'Fix bug', 'Ship it', 'Review', 'Test'];
const statuses = ['To Do', 'In Progress', 'In Review', 'Done'];

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    type: fc.constant('checklist.add' as const),
    payload: fc.record({ itemId: fc.constantFrom(...itemIds), text: fc.constantFrom(...texts) }),
  }),
  fc.record({
    type: fc.constant('checklist.rename' as const),
    payload: fc.record({ itemId: fc.constantFrom(...itemIds), text: fc.constantFrom(...texts) }),
  }),
  fc.record({
    type: fc.constant('checklist.check' as const),
    payload: fc.record({ itemId: fc.constantFrom(...itemIds), checked: fc.boolean() }),
  }),
  fc.record({
    type: fc.constant('checklist.remove' as const),
    payload: fc.record({ itemId: fc.constantFrom(...itemIds) }),
  }),
  fc.record({
    type: fc.constant('checklist.reorder' as const),
    payload: fc.record({ itemId: fc.constantFrom(...itemIds), rank: fc.integer({ min: -100, max: 100 }) }),
  }),
  fc.record({
    type: fc.constant('activity.record' as const),
    payload: fc.record({
      kind: fc.constantFrom('created' as const, 'updated' as const, 'commented' as const),
      at: fc.nat(1000),
    }),
  }),
  fc.record({
    type: fc.constant('activity.transition' as const),
    payload: fc.record({
      from: fc.constantFrom(...statuses),
      to: fc.constantFrom(...statuses),
      at: fc.nat(1000),
    }),
  }),
  fc.record({
    type: fc.constant('report.metrics' as const),
    payload: fc.record({
      reportKind: fc.constantFrom('time-in-status', 'cycle'),
      runId: fc.constantFrom('r1', 'r2'),
      computedAt: fc.nat(1000),
      timeInStatusMs: fc.dictionary(fc.constantFrom(...statuses), fc.nat(10_000)),
      transitions: fc.nat(20),
    }),
  }),
);

/** Envelopes with distinct ids and issue times for one issue. */
export function envelopesArb(maxLength = 30): fc.Arbitrary<IssueEnvelope[]> {
  return fc.array(fc.tuple(commandArb, fc.nat(1000)), { maxLength }).map((pairs) =>
    pairs.map(([cmd, at], i) => ({
      ...cmd,
      schemaVersion: ENVELOPE_SCHEMA_VERSION,
      commandId: `cmd-${String(i).padStart(4, '0')}`,
      issueId: '10001',
      issuedAt: at,
      source: 'ui' as const,
    })),
  );
}
