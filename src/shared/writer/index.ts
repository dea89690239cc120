// The serialized writer: a domain-free core. `defineWriter` is the door; the rest is its types,
// its errors, and helpers for tools built on it. Nothing here imports an app's domain.
export {
  defineWriter,
  type AnyWriter,
  type CommandOptions,
  type StoredState,
  type Writer,
} from './define-writer';
export type {
  AnyCommand,
  ApplyContext,
  ApplyResult,
  Committed,
  EntityNames,
  Ttl,
  WriterConfig,
  WriterLayout,
  WriterDefinition,
  WriterLimits,
} from './definition';
export {
  commandId,
  ENVELOPE_SCHEMA_VERSION,
  type AnyEnvelope,
  type Envelope,
  type EnvelopeBase,
} from './envelope';
export {
  CommandValidationError,
  EnqueueError,
  WriterError,
  describeIssues,
  type CommandProblem,
  type WriterErrorCode,
} from './errors';
export type { EnqueueOptions, EnqueueResult } from './enqueue';
export type { CommandOutcome, ReadStatusesOptions } from './statuses';
export type { ConsumerHandler, QueueEvent } from './consumer/handler';
export { deadLetterKey, RECEIPT_TTL } from './storage-layout';
export type {
  CommandStatus,
  DeadLetter,
  DeadLetterRecord,
  Receipt,
  DeadLetterStatus,
  ReceiptRecord,
  SettledStatus,
  StateRecord,
} from './storage-layout';
export { STALE_VIEW } from './apply';
export { BACKOFF, backoffMs, backoffSeconds, type BackoffPolicy } from './backoff';
export { isCommitConflict, writeUnlessConflict } from './storage-errors';
export { versionCondition } from './consumer/commit';
export type { ManifestEntity } from './manifest-entities';
