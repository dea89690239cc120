// The queue consumer: the only writer of partition state. Validates the event, settles its
// commands (one read, one pass, conditional commits), and asks for a later retry or dead-letters
// what is left.
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { ForgeKvsAPIError } from '@forge/kvs';
import type { WriterConfig } from '../definition';
import { parseCommandEvent } from '../event-body';
import { describeStorageError } from '../storage-errors';
import { deadLetterCommands, recordMalformed } from './dead-letter-writer';
import {
  backoffSeconds,
  encodeRetryData,
  mustDeadLetter,
  readRetryState,
  type RetryContext,
} from './retry-policy';
import { settleCommands } from './settle-commands';

/** The part of Forge's async event the consumer reads. */
export interface QueueEvent {
  body: unknown;
  eventId?: string;
  jobId?: string;
  retryContext?: RetryContext;
}

export type ConsumerHandler = (event: QueueEvent, context?: unknown) => Promise<InvocationError | undefined>;

export function consumerHandler<S>(config: WriterConfig<S>): ConsumerHandler {
  return async (event) => {
    const retry = readRetryState(event.retryContext);
    const parsed = parseCommandEvent(config, event.body);
    let malformedRecorded = retry.malformedRecorded ?? false;
    if (parsed.malformed.length > 0 && !malformedRecorded) {
      for (const m of parsed.malformed)
        console.error(`Malformed command in event ${event.eventId ?? '?'}: ${m.reason}`);
      try {
        await recordMalformed(config, event.eventId ?? event.jobId ?? 'unknown', parsed.malformed);
        malformedRecorded = true;
      } catch (error) {
        return retryLater(retry.attempt + 1, error, retry.settled ?? [], false);
      }
    }

    const result = await settleCommands(config, parsed.commands, {
      alreadySettled: retry.settled,
      replay: parsed.replay,
    });
    if (result.unsettled.length === 0 && !result.error) return undefined;

    const attempt = retry.attempt + 1;
    const reason = result.error
      ? `storage error: ${describeStorageError(result.error)}`
      : `version conflicts persisted after ${result.conflicts} attempts`;
    let delay = backoffSeconds(attempt);
    if (mustDeadLetter(attempt, retry.remainingMs, delay)) {
      try {
        await deadLetterCommands(config, result.unsettled, reason, attempt);
        console.warn(
          `Dead-lettered ${result.unsettled.length} command(s) after ${attempt} attempts: ${reason}`,
        );
        return undefined;
      } catch (error) {
        console.error(`Dead-lettering failed, retrying in a minute: ${describeStorageError(error)}`);
        delay = Math.min(delay, 60);
      }
    }
    return retryLater(attempt, result.error, [...result.settled], malformedRecorded, delay);
  };
}

function retryLater(
  attempt: number,
  error: unknown,
  settled: string[],
  malformedRecorded: boolean,
  delay?: number,
): InvocationError {
  const rateLimited = error instanceof ForgeKvsAPIError && error.responseDetails.status === 429;
  return new InvocationError({
    retryAfter: delay ?? backoffSeconds(attempt),
    retryReason: rateLimited
      ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
      : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: encodeRetryData({ attempt, settled, malformedRecorded }),
  });
}
