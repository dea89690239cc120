// The one door: `defineWriter({ ... })` takes your part (commands, state, how a command changes
// the state, the partition key) and returns everything an app needs to write through the queue.
// Types are inferred from your zod schema. See docs/use-in-your-app.md.
import type { z } from 'zod';
import { applyEnvelope } from './apply';
import { deadLetterCommands } from './consumer/dead-letter-writer';
import { consumerHandler, type ConsumerHandler } from './consumer/handler';
import { discardDeadLetters, listDeadLetters, replayDeadLetters, type DeadLetterPage } from './dead-letters';
import {
  resolveDefinition,
  type AnyCommand,
  type ApplyResult,
  type EntityNames,
  type WriterConfig,
  type WriterDefinition,
} from './definition';
import { enqueue, type EnqueueOptions, type EnqueueResult } from './enqueue';
import { ENVELOPE_SCHEMA_VERSION, type Envelope, type ParsedEnvelope, type PartitionField } from './envelope';
import { manifestEntities, type ManifestEntity } from './manifest-entities';
import { loadState } from './state-store';
import { readStatuses, type CommandOutcome, type ReadStatusesOptions } from './statuses';
import type { DeadLetterStatus, StateRecord } from './storage-layout';

export interface CommandOptions {
  /** Where the command comes from (one of the definition's `sources`). */
  source: string;
  /** The idempotency key; supply your own to make a retried request safe. Default: a fresh UUID. */
  commandId?: string;
  /** Refuse the command unless the partition is still at this version (whole-partition check). */
  expectedVersion?: number;
}

/** A partition's stored state: `{ [name]Id, version, updatedAt, state }`. */
export type StoredState<S, Name extends string> = StateRecord<S> & PartitionField<Name>;

export interface Writer<Cmd extends AnyCommand, S, Name extends string> {
  readonly queue: string;
  readonly partition: Name;
  readonly entities: EntityNames;
  /** Wraps a command in an envelope for partition `id`: the unit `enqueue` takes. */
  command(id: string, command: Cmd, options: CommandOptions): Envelope<Cmd, Name>;
  /**
   * Validates and pushes envelopes. Throws CommandValidationError (nothing pushed) or EnqueueError
   * (names every command not enqueued); both are WriterErrors.
   */
  enqueue(
    envelopes: Envelope<Cmd, Name> | readonly Envelope<Cmd, Name>[],
    options?: EnqueueOptions,
  ): Promise<EnqueueResult>;
  /** The queue consumer: export it as the handler of the queue's consumer function. */
  readonly handler: ConsumerHandler;
  /** What became of commands: pending, applied, rejected (with a reason) or dead-lettered. */
  readStatuses(commandIds: readonly string[], options?: ReadStatusesOptions): Promise<CommandOutcome[]>;
  /** A partition's current state and version (one strongly consistent read). */
  load(id: string): Promise<StoredState<S, Name>>;
  /** Applies one envelope as the consumer would (your reducer, then `expectedVersion`). */
  apply(state: S, envelope: Envelope<Cmd, Name>, version: number): ApplyResult<S>;
  /** The current envelope's zod schema: the command union plus the envelope's own fields. */
  readonly envelopeSchema: z.ZodType<Envelope<Cmd, Name>>;
  /** Reads an envelope of any schema version this writer has produced. */
  parseEnvelope(raw: unknown): ParsedEnvelope;
  readonly deadLetters: {
    list(status?: DeadLetterStatus, options?: { limit?: number; cursor?: string }): Promise<DeadLetterPage>;
    replay(ids: readonly string[]): Promise<EnqueueResult>;
    discard(ids: readonly string[]): Promise<void>;
    /**
     * Keeps commands a producer could not enqueue (pushes kept failing) as open dead letters, so
     * they are listed and replayable instead of lost. Commands already settled are left alone.
     */
    park(envelopes: readonly Envelope<Cmd, Name>[], reason: string): Promise<void>;
  };
  /** The custom entities to declare in manifest.yml. */
  manifestEntities(): ManifestEntity[];
  /** The resolved definition, for tools built on the core (console, simulation, benchmark). */
  readonly config: WriterConfig<S>;
}

/** Any writer, as tools built on the core (simulation, benchmark, console) hold it. */
export type AnyWriter = Writer<AnyCommand, unknown, string>;

export function defineWriter<Commands extends z.ZodType<AnyCommand>, S, Name extends string>(
  definition: WriterDefinition<Commands, S, Name>,
): Writer<z.infer<Commands>, S, Name> {
  type Cmd = z.infer<Commands>;
  const config = resolveDefinition(definition);
  return {
    queue: config.queue,
    partition: definition.partition.name,
    entities: config.entities,
    command(id, command, options) {
      return {
        ...command,
        schemaVersion: ENVELOPE_SCHEMA_VERSION,
        commandId: options.commandId ?? crypto.randomUUID(),
        [config.idField]: id,
        issuedAt: Date.now(),
        source: options.source,
        ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
      } as Envelope<Cmd, Name>;
    },
    enqueue: (envelopes, options) =>
      enqueue(config, Array.isArray(envelopes) ? envelopes : [envelopes], options),
    handler: consumerHandler(config),
    readStatuses: (ids, options) => readStatuses(config, ids, options),
    load: (id) => loadState(config, id) as Promise<StoredState<S, Name>>,
    apply: (state, envelope, version) => applyEnvelope(config, state, envelope, version),
    envelopeSchema: config.envelope.current as unknown as z.ZodType<Envelope<Cmd, Name>>,
    parseEnvelope: (raw) => config.envelope.parse(raw),
    deadLetters: {
      list: (status, options) => listDeadLetters(config, status, options),
      replay: (ids) => replayDeadLetters(config, ids),
      discard: (ids) => discardDeadLetters(config, ids),
      park: (envelopes, reason) => deadLetterCommands(config, [...envelopes], reason, 0),
    },
    manifestEntities: () => manifestEntities(config),
    config,
  };
}
