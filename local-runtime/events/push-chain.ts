// Forge's cyclic invocation limit: one initial invocation may start a chain of at most 1000 push
// requests (a consumer pushing to a queue whose consumer pushes again, ...). The chain an event
// belongs to travels with the consumer's async context, so a push made by that consumer is counted
// against it; pushes from anywhere else start a new chain.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Forge: 1000 push requests per chain (HTTP 405, `InvocationLimitReachedError`). */
export const CYCLIC_PUSH_LIMIT = 1000;

// One storage for every runtime: each enabled AsyncLocalStorage costs every promise in the process.
const storage = new AsyncLocalStorage<{ owner: PushChains; chain: number }>();

export class PushChains {
  private readonly counts = new Map<number, number>();
  private nextId = 1;

  constructor(private readonly limit: number) {}

  /** Counts one push request in the current chain; returns its id, or undefined over the limit. */
  countPush(): number | undefined {
    const current = storage.getStore();
    const chain = current?.owner === this ? current.chain : this.nextId++;
    const count = (this.counts.get(chain) ?? 0) + 1;
    if (count > this.limit) return undefined;
    this.counts.set(chain, count);
    return chain;
  }

  /** Runs a consumer so the pushes it makes count against `chain`. */
  run<T>(chain: number, fn: () => T): T {
    return storage.run({ owner: this, chain }, fn);
  }
}
