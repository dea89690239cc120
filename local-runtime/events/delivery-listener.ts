// What a test may watch of each consumer delivery (`rt.events.onDelivery`): the event, when the
// consumer ran, how the attempt ended, and which faults the runtime injected into it. See
// docs/local-runtime.md, "Watching consumer deliveries".
import type { InjectedFaults, KvsRequests } from '../kernel/invocation-tally.js';

export type { InjectedFaultKind, InjectedFaults, KvsRequests } from '../kernel/invocation-tally.js';

/**
 * How the attempt ended for the platform: the consumer succeeded, asked for a retry, failed (threw,
 * crashed, timed out), or a platform-level error struck after it ran.
 */
export type DeliveryOutcomeKind = 'success' | 'retryRequested' | 'failed' | 'platformError';

export interface ConsumerDelivery {
  eventId: string;
  jobId: string;
  queueName: string;
  body: Record<string, unknown>;
  /** An at-least-once second delivery of the event. */
  duplicate: boolean;
  retryCount: number;
  /** Virtual times (ms) at which the consumer was started and its attempt ended. */
  startedAt: number;
  endedAt: number;
  outcome: DeliveryOutcomeKind;
  /** Faults the runtime injected into this invocation: KVS and push faults, a crash, a platform error. */
  faults: InjectedFaults;
  /** KVS requests the consumer made in this invocation (a transaction counts as a write). */
  kvs: KvsRequests;
}

export type DeliveryListener = (delivery: ConsumerDelivery) => void;
