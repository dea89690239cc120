// For the writer's tests: every `kvs.transact()` of the code under test goes through `onExecute`,
// which decides what executing it does (run it, run something first, or answer with an error), and
// each transaction's writes are recorded. `vi.restoreAllMocks()` undoes it.
import { kvs } from '@forge/kvs';
import { vi } from 'vitest';

export interface InterceptedTransaction {
  /** 0 for the first transaction executed after interception began. */
  n: number;
  /** The keys it writes, each with its entity. */
  writes: Array<{ key: string; entityName?: string }>;
  /** Executes it for real. */
  execute(): Promise<unknown>;
}

/** Intercepts transactions; answers the list of those made so far, in order. */
export function interceptTransactions(
  onExecute: (tx: InterceptedTransaction) => Promise<unknown>,
): InterceptedTransaction[] {
  const made: InterceptedTransaction[] = [];
  const transact = kvs.transact.bind(kvs);
  vi.spyOn(kvs, 'transact').mockImplementation(() => {
    const tx = transact();
    const set = tx.set.bind(tx);
    const execute = tx.execute.bind(tx);
    const intercepted: InterceptedTransaction = { n: made.length, writes: [], execute };
    made.push(intercepted);
    tx.set = ((key: string, value: unknown, entity?: { entityName: string }, options?: unknown) => {
      intercepted.writes.push({ key, ...(entity ? { entityName: entity.entityName } : {}) });
      return set(key, value as never, entity as never, options as never);
    }) as typeof tx.set;
    tx.execute = (() => onExecute(intercepted)) as typeof tx.execute;
    return tx;
  });
  return made;
}

/**
 * Another consumer commits on the partition (inside the app's context): the same state, a new
 * commit stamp and, unless told not to, a new version; a missing record is created at version 1.
 */
export async function commitElsewhere<S>(
  config: { entities: { state: string }; idField: string; initialState(): S },
  partitionId: string,
  bumpVersion = true,
): Promise<void> {
  const entity = kvs.entity<{ version: number; updatedAt: number; state: S }>(config.entities.state);
  const stored = (await entity.get(partitionId)) ?? {
    [config.idField]: partitionId,
    version: 0,
    updatedAt: 0,
    state: config.initialState(),
  };
  await entity.set(partitionId, {
    ...stored,
    version: stored.version + (bumpVersion ? 1 : 0),
    updatedAt: stored.updatedAt + 1,
  });
}
