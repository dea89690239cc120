// Which commands the reducer accepted during one consumer run, so the consumer can announce them
// (src/consumer). The writer's core has no hook for "applied"; its reducer is the one place every
// accepted command passes, with the version it builds on. Recording happens only inside
// `recordAppliedChanges`, so the reducer stays pure for every other caller (the simulation, views).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApplyContext, ApplyResult } from '../writer';
import type { Command } from './commands';

export interface AppliedChange {
  commandId: string;
  type: string;
  itemId?: string;
  /** The version once this command is committed. */
  version: number;
}

const run = new AsyncLocalStorage<AppliedChange[]>();

/** Runs `fn`, collecting every command the reducer accepts meanwhile (a retried pass may repeat one). */
export async function recordAppliedChanges<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; applied: AppliedChange[] }> {
  const applied: AppliedChange[] = [];
  const result = await run.run(applied, fn);
  return { result, applied };
}

/** Wraps a reducer: unchanged answers, and a note of each accepted command while recording. */
export function noteAccepted<S>(
  apply: (state: S, command: Command, context: ApplyContext) => ApplyResult<S>,
): (state: S, command: Command, context: ApplyContext) => ApplyResult<S> {
  return (state, command, context) => {
    const result = apply(state, command, context);
    const applied = run.getStore();
    if (applied && result.ok) {
      const itemId = (command.payload as { itemId?: unknown }).itemId;
      applied.push({
        commandId: context.commandId,
        type: command.type,
        ...(typeof itemId === 'string' ? { itemId } : {}),
        version: context.version + 1,
      });
    }
    return result;
  };
}
