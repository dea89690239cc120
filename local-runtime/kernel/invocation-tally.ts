// What happened in one watched invocation, tallied where it happens: the faults the runtime
// injected into it and the KVS requests it made. A test can then tell an outcome the app chose from
// one the runtime forced on it, and see what a run cost (docs/local-runtime.md, "Watching consumer
// deliveries"). Only invocations someone watches are tallied: for the others each note is one
// failed map lookup.
import { currentInvocation, type Invocation } from './invocation.js';

export type InjectedFaultKind =
  | 'kvs.serverError'
  | 'kvs.rateLimited'
  | 'kvs.timeout'
  /** The emulated installation quota refused the request. */
  | 'kvs.quota'
  | 'push.serverError'
  | 'push.rateLimited'
  | 'push.partial'
  | 'crash'
  | 'platformError';

export interface InjectedFaults {
  count: number;
  byKind: Partial<Record<InjectedFaultKind, number>>;
}

/** KVS requests the invocation made, by access (a transaction is a write), refused ones included. */
export interface KvsRequests {
  reads: number;
  writes: number;
  /** Writes that succeeded (a refused write, a failed condition included, changed nothing). */
  writesApplied: number;
}

export interface InvocationTally {
  faults: InjectedFaults;
  kvs: KvsRequests;
}

const tallies = new WeakMap<Invocation, InvocationTally>();

/** Starts tallying `invocation`. */
export function watchInvocation(invocation: Invocation): void {
  tallies.set(invocation, {
    faults: { count: 0, byKind: {} },
    kvs: { reads: 0, writes: 0, writesApplied: 0 },
  });
}

/** Counts a fault against the invocation running now, if it is watched. */
export function noteInjectedFault(kind: InjectedFaultKind, invocation = currentInvocation()): void {
  const tally = invocation && tallies.get(invocation);
  if (!tally) return;
  tally.faults.count++;
  tally.faults.byKind[kind] = (tally.faults.byKind[kind] ?? 0) + 1;
}

/** Counts a KVS request of the invocation running now, if it is watched. */
export function noteKvsRequest(access: 'read' | 'write'): void {
  const invocation = currentInvocation();
  const tally = invocation && tallies.get(invocation);
  if (!tally) return;
  if (access === 'read') tally.kvs.reads++;
  else tally.kvs.writes++;
}

/** Counts a successful KVS write of the invocation running now, if it is watched. */
export function noteKvsWriteApplied(): void {
  const invocation = currentInvocation();
  const tally = invocation && tallies.get(invocation);
  if (tally) tally.kvs.writesApplied++;
}

/** A copy of what the watched `invocation` tallied so far (zeros if it is not watched). */
export function tallyOf(invocation: Invocation | undefined): InvocationTally {
  const tally = invocation && tallies.get(invocation);
  return {
    faults: tally
      ? { count: tally.faults.count, byKind: { ...tally.faults.byKind } }
      : { count: 0, byKind: {} },
    kvs: tally ? { ...tally.kvs } : { reads: 0, writes: 0, writesApplied: 0 },
  };
}
