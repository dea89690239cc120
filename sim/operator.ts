// The person who looks after dead letters: replays them now and then while the weather is still
// bad (a replay may fail again, and must stay replayable), sometimes twice in a row, and finally,
// in calm weather, replays until nothing is left dead-lettered.
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import type { SeededRandom } from '../local-runtime/kernel/random.js';
import type { AnyWriter, ReceiptRecord } from '../src/shared/writer/index.js';

const HOUR = 60 * 60_000;

/** Ids of commands whose receipt says dead-lettered: the letters still waiting for someone. */
export function deadLetteredIds(rt: LocalForgeRuntime, writer: AnyWriter): string[] {
  return rt.storage
    .listEntity(writer.entities.receipt)
    .map((i) => i.value as ReceiptRecord)
    .filter((r) => r.status === 'dead-lettered')
    .map((r) => r.commandId)
    .sort();
}

/** What the operator did while the faults were on. */
export interface OperatorLog {
  /** Replays that re-enqueued at least one dead letter while the faults were on. */
  replaysUnderFaults: number;
}

/**
 * Replays during the run, faults on: every few hours for the first day. Failures are shrugged off.
 * `log` counts the replays that went through, as they happen.
 */
export function replayDuringRun(
  rt: LocalForgeRuntime,
  writer: AnyWriter,
  random: SeededRandom,
  log: OperatorLog,
): void {
  if (!random.chance(0.5)) return;
  for (let at = random.int(1, 4) * HOUR; at < 24 * HOUR; at += random.int(2, 6) * HOUR) {
    const twice = random.chance(0.3);
    rt.clock.setTimer(at, () => {
      // As an operator would: through the writer's API, open letters first page.
      const replay = () =>
        rt
          .runAsApp(async () => {
            const page = await writer.deadLetters.list('open', { limit: 25 });
            if (page.deadLetters.length === 0) return;
            await writer.deadLetters.replay(page.deadLetters.map((l) => l.deadLetterId));
            log.replaysUnderFaults += 1;
          })
          .catch(() => undefined);
      void replay().then(() => (twice ? replay() : undefined));
    });
  }
}

/** Calm weather: replays until no command is dead-lettered (a few rounds at most). */
export async function replayUntilSettled(rt: LocalForgeRuntime, writer: AnyWriter): Promise<void> {
  rt.setFaults({});
  for (let round = 0; round < 5; round++) {
    const ids = deadLetteredIds(rt, writer);
    if (ids.length === 0) return;
    for (let i = 0; i < ids.length; i += 25) {
      await rt.runAsApp(() => writer.deadLetters.replay(ids.slice(i, i + 25)));
    }
    await rt.runUntilIdle();
  }
}
