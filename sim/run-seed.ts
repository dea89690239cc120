// One simulated run: random producers against a writer on the local runtime, under the platform
// profile asked for, with faults on (and in some runs an outage of crashing consumers), an
// operator replaying dead letters while faults are still on, then a calm replay of whatever is
// left, then every invariant checked.
import { kvs } from '@forge/kvs';
import { createRuntime, type HandlerSource, type PlatformProfileName } from '../local-runtime/index.js';
import { SeededRandom } from '../local-runtime/kernel/random.js';
import type { ReceiptRecord } from '../src/shared/writer/index.js';
import { startProducers } from './domain.js';
import { DEFAULT_DOMAIN, DOMAINS } from './domains/index.js';
import { checkInvariants, type Violation } from './invariants.js';
import { newLedger } from './ledger.js';
import { readRecords } from './records.js';
import { replayDuringRun, replayUntilSettled, type OperatorLog } from './operator.js';
import { watchSettledWork } from './settled-work-ends.js';
import { countShapes, type Shapes } from './shapes.js';
import { faultsFor, scheduleBrownout, scheduleOutage } from './weather.js';

export interface SeedResult {
  seed: number;
  commands: number;
  applied: number;
  rejected: number;
  deadLettered: number;
  /** Applied from their deposit by another event's consumer (coalescing). */
  coalesced: number;
  /** Runs whose consumers crashed on nearly every delivery for hours. */
  outages: number;
  /** What the run exhibited (sim/shapes.ts): events, commands or 1 per run, by shape. */
  shapes: Shapes;
  violations: Violation[];
  /** The runtime's whole trace as JSON, when asked for. */
  trace?: string;
}

export interface SeedOptions {
  /** Which domain's writer and producers to run (default: this app's issues). */
  domain?: string;
  /** Run the app's sources (default) or its Forge bundle (`npm run bundle`). */
  handlers?: HandlerSource;
  /** How the platform answers where Forge's docs are silent (default: the runtime's default). */
  profile?: PlatformProfileName;
  /** Record the runtime's trace and return it (for source-against-bundle comparisons). */
  trace?: boolean;
}

export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedResult> {
  const domain = DOMAINS[options.domain ?? DEFAULT_DOMAIN];
  if (!domain) throw new Error(`no simulation domain '${options.domain}'`);
  const { writer } = domain;
  const random = new SeededRandom(seed).fork('simulation');
  const partitions = domain.partitions(random);
  const faults = faultsFor(random);
  const retentionMs = random.chance(0.25) ? 20 * 60_000 : 24 * 60 * 60_000;
  // The concurrency key on (as the app's producers enqueue) or, in some runs, off: consumers of one
  // partition then run in parallel, and only the writer's conditions keep them apart.
  const concurrencyKey = random.chance(0.7);
  const rt = await createRuntime({
    appDir: domain.appDir,
    seed,
    handlers: options.handlers ?? 'source',
    trace: options.trace ?? false,
    ...(options.profile ? { platform: options.profile } : {}),
    latency: { kvsRead: [2, 30], kvsWrite: [5, 50], push: [5, 40], delivery: [0, 2000], jira: 0 },
    faults,
    // Some runs shorten the retention window so that dead-lettering is exercised too.
    events: { retentionMs },
  });
  const settledWorkViolations = watchSettledWork(rt, writer, seed);
  try {
    const storedBefore = domain.storedBefore?.(random.fork('stored-before'), partitions) ?? new Map();
    rt.setFaults({}); // stored before the run began, in calm weather
    for (const [id, record] of storedBefore) {
      await rt.runAsApp(() => kvs.entity(writer.entities.state).set(id, record));
    }
    rt.setFaults(faults);
    const ledger = newLedger(concurrencyKey ? {} : { concurrencyKey: false });
    // Crash loops and brownouts need Forge's real retention window: no window of minutes outlasts
    // them.
    const fullWindow = retentionMs >= 24 * 60 * 60_000;
    const outage = fullWindow ? scheduleOutage(rt, random.fork('outage'), faults) : undefined;
    if (fullWindow && !outage) scheduleBrownout(rt, random.fork('brownout'), faults);
    const operator: OperatorLog = { replaysUnderFaults: 0 };
    replayDuringRun(rt, writer, random.fork('operator'), operator);
    await startProducers(rt, domain, random.fork('producers'), ledger, partitions);
    await rt.runUntilIdle();

    const deadLettered = rt.storage
      .listEntity(writer.entities.receipt)
      .filter((i) => (i.value as ReceiptRecord).status === 'dead-lettered').length;
    await replayUntilSettled(rt, writer);

    const records = readRecords(rt, writer);
    const metered = rt.metered();
    const receipts = [...records.receipts.values()];
    return {
      seed,
      commands: ledger.accepted.size,
      applied: receipts.filter((r) => r.status === 'applied').length,
      rejected: receipts.filter((r) => r.status === 'rejected').length,
      deadLettered,
      coalesced: receipts.filter((r) => r.coalesced === true && r.status !== 'pending').length,
      outages: outage ? 1 : 0,
      shapes: countShapes(records, metered, writer, ledger, { concurrencyKey, operator }),
      violations: [
        ...checkInvariants(seed, records, metered, writer, ledger, storedBefore, domain.independentModel),
        ...settledWorkViolations(),
      ],
      ...(options.trace ? { trace: JSON.stringify(rt.trace()) } : {}),
    };
  } finally {
    await rt.close();
  }
}
