// A minimal writer for tests of the core's pure parts: a counter per partition (a team) that adds
// what a command says and refuses a negative amount.
import { z } from 'zod';
import { defineWriter, type AnyEnvelope } from '../../src/shared/writer/index.js';

export const counterDefinition = {
  name: 'counter',
  queue: 'counter-commands',
  partition: { name: 'team', id: z.string().min(1) },
  commands: z.object({ type: z.literal('count.add'), payload: z.object({ by: z.number().int() }) }),
  initialState: () => ({ total: 0 }),
  apply: (state: { total: number }, { payload }: { payload: { by: number } }) =>
    payload.by < 0
      ? { ok: false as const, reason: 'negative amount' }
      : { ok: true as const, state: { total: state.total + payload.by } },
};

export const counter = defineWriter(counterDefinition);

/** A counter command for `teamId`, issued at `issuedAt` under `commandId`. */
export function add(teamId: string, by: number, commandId: string, issuedAt = 1_000): AnyEnvelope {
  return {
    type: 'count.add',
    payload: { by },
    schemaVersion: 2,
    commandId,
    teamId,
    issuedAt,
    source: 'test',
  } as AnyEnvelope;
}
