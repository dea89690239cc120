// One simulated run: random producers against the writer on the local runtime, with faults on,
// then a calm replay of the dead letters, then every invariant checked.
import { createRuntime, type FaultOptions, type HandlerSource } from '../local-runtime/index.js';
import { SeededRandom } from '../local-runtime/kernel/random.js';
import type { ReceiptRecord } from '../src/shared/writer/index.js';
import { startProducers } from './domain.js';
import { DEFAULT_DOMAIN, DOMAINS } from './domains/index.js';
import { checkInvariants, type Violation } from './invariants.js';
import { newLedger } from './ledger.js';

export interface SeedResult {
  seed: number;
  commands: number;
  applied: number;
  rejected: number;
  deadLettered: number;
  violations: Violation[];
  /** The runtime's whole trace as JSON, when asked for. */
  trace?: string;
}

/** The weather of one run: how often each fault strikes, drawn from the seed. */
function faultsFor(random: SeededRandom): FaultOptions {
  const storm = random.chance(0.2) ? 4 : 1;
  return {
    kvs: {
      serverError: random.between(0, 0.05) * storm,
      rateLimited: random.between(0, 0.03) * storm,
      timeout: random.between(0, 0.02) * storm,
    },
    push: {
      serverError: random.between(0, 0.05),
      rateLimited: random.between(0, 0.03),
      partial: random.between(0, 0.05),
    },
    delivery: {
      duplicate: random.between(0, 0.2),
      reorder: random.between(0, 0.4),
      reorderMaxDelayMs: 30_000,
    },
    crash: { probability: random.between(0, 0.15), afterStorageCalls: [1, 3], kinds: ['consumer'] },
  };
}

export interface SeedOptions {
  /** Which domain's writer and producers to run (default: this app's issues). */
  domain?: string;
  /** Run the app's sources (default) or its Forge bundle (`npm run bundle`). */
  handlers?: HandlerSource;
  /** Record the runtime's trace and return it (for source-against-bundle comparisons). */
  trace?: boolean;
}

export async function runSeed(seed: number, options: SeedOptions = {}): Promise<SeedResult> {
  const domain = DOMAINS[options.domain ?? DEFAULT_DOMAIN];
  if (!domain) throw new Error(`no simulation domain '${options.domain}'`);
  const { writer } = domain;
  const random = new SeededRandom(seed).fork('simulation');
  const partitions = domain.partitions(random);
  const rt = await createRuntime({
    appDir: domain.appDir,
    seed,
    handlers: options.handlers ?? 'source',
    trace: options.trace ?? false,
    latency: { kvsRead: [2, 30], kvsWrite: [5, 50], push: [5, 40], delivery: [0, 2000], jira: 0 },
    faults: faultsFor(random),
    // Some runs shorten the retention window so that dead-lettering is exercised too.
    events: { retentionMs: random.chance(0.25) ? 20 * 60_000 : 24 * 60 * 60_000 },
  });
  try {
    const ledger = newLedger();
    await startProducers(rt, domain, random.fork('producers'), ledger, partitions);
    await rt.runUntilIdle();

    const deadLettered = rt.storage
      .listEntity(writer.entities.receipt)
      .filter((i) => (i.value as ReceiptRecord).status === 'dead-lettered').length;
    // Calm weather: replay every open dead letter; deduplication makes that safe.
    rt.setFaults({});
    await rt.runAsApp(async () => {
      for (;;) {
        const page = await writer.deadLetters.list('open', { limit: 25 });
        if (page.deadLetters.length === 0) break;
        await writer.deadLetters.replay(page.deadLetters.map((d) => d.deadLetterId));
      }
    });
    await rt.runUntilIdle();

    const receipts = rt.storage.listEntity(writer.entities.receipt).map((i) => i.value as ReceiptRecord);
    return {
      seed,
      commands: ledger.accepted.size,
      applied: receipts.filter((r) => r.status === 'applied').length,
      rejected: receipts.filter((r) => r.status === 'rejected').length,
      deadLettered,
      violations: checkInvariants(seed, rt, writer, ledger),
      ...(options.trace ? { trace: JSON.stringify(rt.trace()) } : {}),
    };
  } finally {
    await rt.close();
  }
}
