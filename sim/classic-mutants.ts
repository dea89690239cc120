// Classic mutants: small, named breakages of the writer that the simulation itself must catch.
// Each is a source edit applied to a copy of the repository (mutant-workspace.ts), never to the
// working tree; its text must occur exactly once, so a catalogue that no longer matches the code
// fails loudly instead of testing nothing. `seeds` are seeds that catch it (the smallest fast ones
// found by `npm run mutants -- --search`); test/writer/classic-mutants.test.ts runs each on them
// inside `npm test`. See docs/simulation.md#classic-mutants.
import type { Invariant } from './invariants.js';

export interface SourceEdit {
  /** Relative to the repository. */
  file: string;
  /** Exact text, occurring exactly once in the file. */
  find: string;
  replace: string;
}

export interface ClassicMutant {
  name: string;
  /** What the edit breaks, in one line. */
  breaks: string;
  edits: SourceEdit[];
  /** The simulation domain whose seeds catch it (default `issues`). */
  domain?: string;
  /** Seeds on which the simulation reports a violation of the mutant (none if it is not caught). */
  seeds: number[];
  /** The invariants those seeds report broken. */
  caughtBy: Invariant[];
  /** For a mutant the simulation does not catch: why, and how far it was searched. */
  notCaught?: string;
}

const COMMIT = 'src/shared/writer/consumer/commit.ts';
const SETTLE = 'src/shared/writer/consumer/settle-commands.ts';

export const CLASSIC_MUTANTS: ClassicMutant[] = [
  {
    name: 'later-chunk-version-condition-dropped',
    breaks:
      "an event's second and later transactions on one partition overwrite its record without checking it is the one the first wrote",
    edits: [
      {
        file: COMMIT,
        find: '      current.push(chunk);',
        replace: '      current.push(round > 0 ? { ...chunk, later: true } : chunk);',
      },
      {
        file: COMMIT,
        find: '{ entityName: config.entities.state, conditions: unchangedSince(chunk.expected) },',
        replace:
          "{ entityName: config.entities.state, ...('later' in chunk ? {} : { conditions: unchangedSince(chunk.expected) }) },",
      },
    ],
    domain: 'issue-stampedes',
    seeds: [4, 9],
    caughtBy: ['exactly-once', 'no-lost-update', 'independent-model'],
  },
  {
    name: 'record-condition-dropped',
    breaks: "every commit overwrites its partition's record without checking it is the one it read",
    edits: [
      {
        file: COMMIT,
        find: '{ entityName: config.entities.state, conditions: unchangedSince(chunk.expected) },',
        replace: '{ entityName: config.entities.state },',
      },
    ],
    seeds: [12],
    caughtBy: ['exactly-once', 'no-lost-update', 'independent-model'],
  },
  {
    name: 'receipt-condition-dropped',
    breaks: 'receipts are written over existing ones, so a redelivered command is applied twice',
    edits: [{ file: COMMIT, find: "if (write.receipts === 'new-only') {", replace: 'if (false) {' }],
    seeds: [4, 5],
    caughtBy: ['exactly-once'],
  },
  {
    name: 'settled-ids-ignored-on-retry',
    breaks:
      "commands whose receipts were just read as settled stay pending: the pass still skips them, but a delivery with nothing left to do goes on as if it had work, and on a hot issue drains and commits other events' deposits",
    edits: [
      {
        file: SETTLE,
        find: '      pending = pending.filter((c) => !settled.has(c.commandId));\n      const drain = options.drain;',
        replace: '      const drain = options.drain;',
      },
    ],
    seeds: [11, 14],
    caughtBy: ['settled-work-ends'],
  },
  {
    name: 'reload-skipped-on-conflict',
    breaks:
      "after a failed commit the retry keeps the state it first read and takes only the new version and stamp, so it writes over the other writer's commit",
    edits: [
      {
        file: SETTLE,
        find: `      const loaded = await loadStatesAndReceipts(
        config,
        [...byPartition.keys()],
        lookUpReceipts ? pending.map((c) => c.commandId) : [],
      );`,
        replace: `      const fresh = await loadStatesAndReceipts(
        config,
        [...byPartition.keys()],
        lookUpReceipts ? pending.map((c) => c.commandId) : [],
      );
      const first = (firstRead ??= fresh);
      const loaded = {
        ...fresh,
        states: new Map(
          [...fresh.states].map(([id, r]) => [id, { ...r, state: (first.states.get(id) ?? r).state }]),
        ),
      };`,
      },
      {
        file: SETTLE,
        find: '  const committed: Committed[] = [];',
        replace: '  const committed: Committed[] = [];\n  let firstRead: Loaded<S> | undefined;',
      },
    ],
    seeds: [8, 12],
    caughtBy: ['no-lost-update', 'independent-model'],
  },
  {
    name: 'replay-flag-inverted',
    breaks:
      'ordinary events are read as replays and replays as ordinary events, so dead letters are never applied',
    edits: [
      {
        file: 'src/shared/writer/event-body.ts',
        find: 'replay: parsed.data.replay === true,',
        replace: 'replay: parsed.data.replay !== true,',
      },
    ],
    seeds: [28, 31],
    caughtBy: ['nothing-vanishes'],
  },
  {
    name: 'tombstone-ignored',
    breaks: 'commands for a deleted issue are applied to its tombstone instead of refused',
    edits: [
      {
        file: 'src/shared/issue-data/reducer.ts',
        find: '  if (stored.deletedAt !== undefined) return refuse(ISSUE_DELETED);\n',
        replace: '',
      },
    ],
    seeds: [44],
    caughtBy: ['independent-model'],
  },
  {
    name: 'deposit-overrides',
    breaks: "a coalescing deposit is written with OVERRIDE, so it can cover a command's settled receipt",
    edits: [
      {
        file: 'src/shared/writer/coalescing.ts',
        find: "{ keyPolicy: 'FAIL_IF_EXISTS', ttl: RECEIPT_TTL }",
        replace: "{ keyPolicy: 'OVERRIDE', ttl: RECEIPT_TTL }",
      },
    ],
    seeds: [26, 37],
    caughtBy: ['exactly-once', 'no-lost-update'],
  },
  {
    name: 'pending-counted-as-settled',
    breaks: 'a deposit (a pending receipt) counts as settled, so its command is never applied',
    edits: [
      {
        file: 'src/shared/writer/storage-layout.ts',
        find: "if (!receipt || receipt.status === 'pending') return false;",
        replace: 'if (!receipt) return false;',
      },
    ],
    seeds: [3, 5],
    caughtBy: ['nothing-vanishes'],
  },
  {
    name: 'deposits-for-failed-pushes',
    breaks: 'commands whose push failed are deposited anyway, so a command reported not enqueued is applied',
    edits: [
      {
        file: 'src/shared/writer/enqueue.ts',
        find: 'pushed.filter((e) => (e.body as unknown as CommandEventBody).coalesce)',
        replace: 'events.filter((e) => (e.body as unknown as CommandEventBody).coalesce)',
      },
    ],
    seeds: [100, 275],
    caughtBy: ['exactly-once'],
  },
];
