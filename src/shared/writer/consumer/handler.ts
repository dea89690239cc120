// The queue consumer: the only writer of partition state. Validates the event, settles its
// commands (one read, one pass, conditional commits), and asks for a later retry or dead-letters
// what is left. Every delivery counts as an attempt, a crashed one included (Forge's retryCount
// grows on app-level errors even when the retryData it carries is the previous one), so a crash
// loop ends in the dead letters instead of running for the whole retention window.
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { ForgeKvsAPIError } from '@forge/kvs';
import { sleep } from '../backoff';
import { DRAIN_BUDGET_MS, DRAIN_IDLE_POLLS, DRAIN_POLL_MS } from '../coalescing';
import type { WriterConfig } from '../definition';
import { enqueue } from '../enqueue';
import type { AnyEnvelope } from '../envelope';
import { parseCommandEvent } from '../event-body';
import { describeStorageError } from '../storage-errors';
import { partitionOf } from '../storage-layout';
import { deadLetterCommands, recordMalformed, recordReusedIds } from './dead-letter-writer';
import {
  backoffSeconds,
  DEAD_LETTER_MARGIN_MS,
  encodeRetryData,
  MAX_ATTEMPTS,
  mustDeadLetter,
  readRetryState,
  type RetryContext,
  type RetryData,
} from './retry-policy';
import { settleCommands } from './settle-commands';

/** The part of Forge's async event the consumer reads. */
export interface QueueEvent {
  body: unknown;
  eventId?: string;
  jobId?: string;
  retryContext?: RetryContext;
}

/** Recording malformed input is given up when less than this would be left after a retry. */
const MALFORMED_GIVE_UP_MS = 60_000;
/**
 * When storage keeps refusing a dead letter and less than this would be left of the window after
 * the next retry, the commands move to a new event instead (docs/writer.md#hand-off).
 */
export const HAND_OFF_MARGIN_MS = 10 * 60_000;

export type ConsumerHandler = (event: QueueEvent, context?: unknown) => Promise<InvocationError | undefined>;

export function consumerHandler<S>(config: WriterConfig<S>): ConsumerHandler {
  return async (event) => {
    const retry = readRetryState(event.retryContext);
    const attempt = retry.attempt + 1;
    const parsed = parseCommandEvent(config, event.body);
    const eventId = event.eventId ?? event.jobId ?? 'unknown';
    let malformedRecorded = retry.malformedRecorded ?? false;
    // A record of unreadable input that could not be written: the valid commands go on regardless.
    let malformedError: unknown;
    if (parsed.malformed.length > 0 && !malformedRecorded) {
      for (const m of parsed.malformed) console.error(`Malformed command in event ${eventId}: ${m.reason}`);
      try {
        await recordMalformed(config, eventId, parsed.malformed);
        malformedRecorded = true;
      } catch (error) {
        malformedError = error;
      }
    }
    const deadLetter = async (commands: typeof parsed.commands, reason: string) => {
      if (commands.length === 0) return;
      await deadLetterCommands(config, commands, reason, attempt, { replay: parsed.replay });
      console.warn(`Dead-lettered ${commands.length} command(s) after ${attempt} attempt(s): ${reason}`);
    };
    // Storage refused the dead letter. With time for another retry, retry; with the window closing,
    // push the commands as a new event, whose window starts afresh (a push does not touch storage),
    // rather than let Forge drop them with this one. Receipts keep a command that is also settled
    // meanwhile from being applied twice.
    // Only called when a dead letter was refused, so `commands` is never empty.
    const retryOrHandOff = async (
      commands: AnyEnvelope[],
      error: unknown,
      next: Omit<RetryData, 'attempt'> & { settled: string[] },
      delay: number,
    ): Promise<InvocationError | undefined> => {
      if (retry.remainingMs - delay * 1000 < HAND_OFF_MARGIN_MS) {
        try {
          await enqueue(config, commands, { coalesce: false, ...(parsed.replay ? { replay: true } : {}) });
          console.warn(
            `Handed ${commands.length} command(s) to a new event: the window is closing and dead-lettering failed (${describeStorageError(error)})`,
          );
          return finish(next.settled);
        } catch (pushError) {
          console.error(`Handing off to a new event failed: ${describeStorageError(pushError)}`);
        }
      }
      return retryLater(attempt, error, next, delay);
    };
    // Every command is settled; only the record of malformed input may still be missing. It is
    // retried every few seconds up to a minute while the window lasts, and given up (logged) only
    // when not even one more retry fits.
    const finish = (settled: Iterable<string>): InvocationError | undefined => {
      if (malformedError === undefined) return undefined;
      const delay = Math.min(60, backoffSeconds(attempt));
      if (retry.remainingMs - delay * 1000 < MALFORMED_GIVE_UP_MS) {
        console.error(`Giving up recording the malformed input of event ${eventId}: the window is ending`);
        return undefined;
      }
      return retryLater(attempt, malformedError, { settled: [...settled], malformedRecorded: false }, delay);
    };

    // Delivered this often without settling (crashes and time-outs included), or so close to the
    // end of Forge's retention window that a crash now would lose the event: stop trying.
    if (attempt > MAX_ATTEMPTS || (attempt > 1 && retry.remainingMs < DEAD_LETTER_MARGIN_MS)) {
      const settled = new Set(retry.settled);
      const left = parsed.commands.filter((c) => !settled.has(c.commandId));
      try {
        await deadLetter(
          left,
          `delivered ${attempt} times without settling; ${retry.reason ?? 'crashes or time-outs'}`,
        );
        return finish(parsed.commands.map((c) => c.commandId));
      } catch (error) {
        const next = {
          settled: retry.settled ?? [],
          malformedRecorded,
          ...(retry.reason ? { reason: retry.reason } : {}),
        };
        return retryOrHandOff(left, error, next, 60);
      }
    }

    // A small event on one partition may take the partition's deposits into its pass (coalescing).
    const partitions = new Set(parsed.commands.map((c) => partitionOf(config, c)));
    const drainPartition = parsed.coalesce && partitions.size === 1 ? [...partitions][0] : undefined;
    const result = await settleCommands(config, parsed.commands, {
      alreadySettled: retry.settled,
      replay: parsed.replay,
      // Held back while a drain applied its commands, it is done after this one read.
      receiptsFirst: attempt > 1 || drainPartition !== undefined,
      ...(drainPartition !== undefined
        ? { drain: { partitionId: drainPartition, when: 'hot' as const } }
        : {}),
    });
    // Only in a burst (the pass found other events' deposits): a quiet partition is not polled.
    if (drainPartition !== undefined && result.drained > 0 && result.unsettled.length === 0 && !result.error)
      await keepDraining(config, drainPartition);
    if (result.reusedIds.length > 0) {
      console.error(`${result.reusedIds.length} command(s) reuse the id of a different, settled command`);
      try {
        await recordReusedIds(config, result.reusedIds);
      } catch (error) {
        console.error(`Recording them failed: ${describeStorageError(error)}`);
      }
    }
    if (result.unsettled.length === 0 && !result.error) return finish(result.settled);

    if (result.permanent !== undefined) {
      // Retrying cannot help: fail fast, with the reason, where someone can see and replay it.
      try {
        await deadLetter(result.unsettled, result.permanent);
        return undefined;
      } catch (error) {
        const next = { settled: [...result.settled], malformedRecorded, reason: result.permanent };
        return retryOrHandOff(result.unsettled, error, next, 60);
      }
    }
    const reason = result.error
      ? `storage error: ${describeStorageError(result.error)}`
      : `version conflicts persisted after ${result.conflicts} attempts`;
    const delay = backoffSeconds(attempt);
    if (mustDeadLetter(attempt, retry.remainingMs, delay)) {
      try {
        await deadLetter(result.unsettled, reason);
        return undefined;
      } catch (error) {
        console.error(`Dead-lettering failed: ${describeStorageError(error)}`);
        const next = { settled: [...result.settled], malformedRecorded, reason };
        return retryOrHandOff(result.unsettled, error, next, Math.min(delay, 60));
      }
    }
    return retryLater(
      attempt,
      result.error,
      { settled: [...result.settled], malformedRecorded, reason },
      delay,
    );
  };
}

/**
 * While deposits keep coming (a burst), holds the partition's concurrency slot and applies them as
 * they arrive, within a time budget. Best effort: whatever is left is applied by its own event.
 */
async function keepDraining<S>(config: WriterConfig<S>, partitionId: string) {
  const deadline = Date.now() + DRAIN_BUDGET_MS;
  let idle = 0;
  while (idle < DRAIN_IDLE_POLLS && Date.now() + DRAIN_POLL_MS < deadline) {
    await sleep(DRAIN_POLL_MS);
    const round = await settleCommands(config, [], { drain: { partitionId, when: 'always' } });
    if (round.error !== undefined || round.drainedSettled < round.drained) return;
    idle = round.drained === 0 ? idle + 1 : 0;
  }
}

function retryLater(
  attempt: number,
  error: unknown,
  data: Omit<RetryData, 'attempt'>,
  delay?: number,
): InvocationError {
  const rateLimited = error instanceof ForgeKvsAPIError && error.responseDetails.status === 429;
  return new InvocationError({
    retryAfter: delay ?? backoffSeconds(attempt),
    retryReason: rateLimited
      ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
      : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: encodeRetryData({
      attempt,
      ...data,
      ...(data.reason ? { reason: data.reason.slice(0, 300) } : {}),
    }),
  });
}
