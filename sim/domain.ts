// A domain the simulation can drive: a writer, the app that runs it, and its producers. The core
// and the invariants are the same for every domain; only the workload differs.
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { SeededRandom } from '../local-runtime/kernel/random.js';
import type { AnyWriter, StateRecord } from '../src/shared/writer/index.js';
import type { IndependentModel } from './invariants.js';
import type { Ledger } from './ledger.js';

export interface SimDomain {
  name: string;
  /** The Forge app (manifest.yml, src/) whose consumer runs `writer.handler`. */
  appDir: string;
  writer: AnyWriter;
  /** The partitions one run works on. */
  partitions(random: SeededRandom): string[];
  /** One producer action, drawn from `random`: what a webhook, job or person does. */
  action(random: SeededRandom, partitions: string[], ledger: Ledger): () => Promise<void>;
  /**
   * Records stored before the run, as an earlier release could have left them (the model starts
   * from them). Default: none.
   */
  storedBefore?(random: SeededRandom, partitions: string[]): Map<string, StateRecord<unknown>>;
  /**
   * A model of a partition's state that does not use the writer's reducer (`independent-model`):
   * what the applied commands must have left, computed more simply. Default: none.
   */
  independentModel?: IndependentModel;
}

/** Schedules 4 to 12 actions over the first minute of virtual time; resolves when all have run. */
export function startProducers(
  rt: LocalForgeRuntime,
  domain: SimDomain,
  random: SeededRandom,
  ledger: Ledger,
  partitions: string[],
): Promise<void> {
  const runs: Promise<void>[] = [];
  const actions = random.int(4, 12);
  for (let i = 0; i < actions; i++) {
    const at = random.int(0, 60_000);
    const action = domain.action(random.fork(`action-${i}`), partitions, ledger);
    runs.push(
      new Promise<void>((resolve, reject) =>
        rt.clock.setTimer(at, () => rt.runAsApp(action).then(resolve, reject)),
      ),
    );
  }
  return Promise.all(runs).then(() => undefined);
}
