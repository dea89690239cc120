// What a writer is made of: the user's part (commands, state, how a command changes the state, the
// partition key, names and limits), and the settings derived from it that the core works with.
import { z } from 'zod';
import { envelopeSchemas, type AnyEnvelope, type Envelope, type EnvelopeSchemas } from './envelope';
import { MAX_EVENT_BYTES } from './enqueue';
import { WriterError } from './errors';

/** Every command has a `type`; the user's union of command schemas is the writer's language. */
export type AnyCommand = { type: string };

/** What `apply` knows about the command besides its type and payload. */
export interface ApplyContext {
  commandId: string;
  /** When the producer built the command, epoch ms: a fair tie-breaker for last-writer-wins fields. */
  issuedAt: number;
  source: string;
  /** How many commands the partition has applied so far (the version this command builds on). */
  version: number;
}

export type ApplyResult<S> = { ok: true; state: S } | { ok: false; reason: string };

export interface Ttl {
  value: number;
  unit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';
}

export interface EntityNames {
  /** One record per partition: its state and version. */
  state: string;
  /** One per settled command: its outcome, and the deduplication ledger. */
  receipt: string;
  /** Commands given up on, kept until replayed or discarded. */
  deadLetter: string;
}

export interface WriterLimits {
  /** A JSON-encoded envelope larger than this is refused at enqueue. */
  maxEnvelopeBytes: number;
  /** Commands per queue event: enough for one consumer run to settle well inside its time-out. */
  maxCommandsPerEvent: number;
  /**
   * A partition's stored record (JSON, UTF-8) may not grow past this: a command that would make it
   * larger is refused at once with the sizes in its reason, never retried. Forge refuses values
   * over 240 KiB; the default leaves 40 KiB of margin.
   */
  maxStateBytes: number;
}

export interface WriterDefinition<Commands extends z.ZodType<AnyCommand>, S, Name extends string> {
  /** Names the writer in logs and, by default, its entities (`<name>-state`, ...). Unique per app. */
  name: string;
  /** The queue in manifest.yml whose consumer function exports `writer.handler`. */
  queue: string;
  /**
   * The unit of serialization: commands for one partition are applied one after another, each
   * exactly once. `name: 'issue'` gives envelopes an `issueId` field; `id` validates it.
   */
  partition: { name: Name; id: z.ZodType<string> };
  /** A zod union of command schemas, each with a literal `type`. */
  commands: Commands;
  /** The state of a partition no command has touched yet. */
  initialState: () => S;
  /**
   * The pure reducer: the new state, or a reason to refuse the command for good. It must not read
   * the clock or storage: the consumer may run it again on a reload, and must get the same answer.
   */
  apply: (state: S, command: z.infer<Commands>, context: ApplyContext) => ApplyResult<S>;
  /** Where commands may come from; recorded on every envelope. Default: any short string. */
  sources?: readonly [string, ...string[]];
  /** Custom entity names, declared in manifest.yml. Default: `<name>-state`, `-receipt`, `-dead-letter`. */
  entities?: Partial<EntityNames>;
  limits?: Partial<WriterLimits>;
  /** A TTL for a state record that may disappear on its own (a deleted issue's tombstone). */
  expireState?: (state: S) => Ttl | undefined;
  /**
   * Called by the consumer after each of its transactions commits, with the partition's new
   * version and the commands it applied (live updates, say). Best effort: it runs after the
   * commit, an error it throws is logged and ignored, and a crash in between skips it.
   */
  onCommit?: (commit: Committed<Envelope<z.infer<Commands>, Name>>) => Promise<void> | void;
}

/** What one transaction of the consumer committed on one partition. */
export interface Committed<E = AnyEnvelope> {
  partitionId: string;
  /** The partition's version after the transaction. */
  version: number;
  /** The commands the transaction applied (not those it refused), each with its version. */
  applied: Array<{ command: E; version: number }>;
}

export const DEFAULT_LIMITS: WriterLimits = {
  maxEnvelopeBytes: 16 * 1024,
  maxCommandsPerEvent: 240,
  maxStateBytes: 200 * 1024,
};

/** Forge's limit on one stored value. */
export const FORGE_MAX_VALUE_BYTES = 240 * 1024;

/** The names and limits the core derives from a definition: all that needs no state type. */
export interface WriterLayout {
  name: string;
  queue: string;
  partitionName: string;
  /** The partition's field on envelopes, receipts and state records, e.g. `issueId`. */
  idField: string;
  idSchema: z.ZodType<string>;
  /** The receipt entity's index by partition, e.g. `by-issue`. */
  receiptIndex: string;
  entities: EntityNames;
  limits: WriterLimits;
  /** The envelope's schema, and a parser of every version ever produced. */
  envelope: EnvelopeSchemas;
}

/**
 * The definition with every default filled in. Method syntax on purpose: tools built on the core
 * (simulation, benchmark) hold any writer as `WriterConfig<unknown>`.
 */
export interface WriterConfig<S> extends WriterLayout {
  initialState(): S;
  apply(state: S, command: AnyCommand, context: ApplyContext): ApplyResult<S>;
  expireState(state: S): Ttl | undefined;
  onCommit(commit: Committed): Promise<void> | void;
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const QUEUE = /^[a-zA-Z0-9-_]{1,36}$/;

export function resolveDefinition<Commands extends z.ZodType<AnyCommand>, S, Name extends string>(
  definition: WriterDefinition<Commands, S, Name>,
): WriterConfig<S> {
  const { name, partition, queue } = definition;
  if (!NAME.test(name)) throw new WriterError('invalid-definition', `name must match ${NAME}, got '${name}'`);
  if (!NAME.test(partition.name))
    throw new WriterError('invalid-definition', `partition.name must match ${NAME}, got '${partition.name}'`);
  if (!QUEUE.test(queue))
    throw new WriterError(
      'invalid-definition',
      `queue must be 1 to 36 letters, digits, - or _, got '${queue}'`,
    );
  const limits = { ...DEFAULT_LIMITS, ...definition.limits };
  if (!(limits.maxCommandsPerEvent >= 1 && limits.maxEnvelopeBytes >= 256))
    throw new WriterError('invalid-definition', 'limits must allow at least one command of 256 bytes');
  // A command travels in one event; a larger one could never be pushed.
  if (!(limits.maxEnvelopeBytes < MAX_EVENT_BYTES))
    throw new WriterError('invalid-definition', `limits.maxEnvelopeBytes must be under ${MAX_EVENT_BYTES}`);
  if (!(limits.maxStateBytes > 0 && limits.maxStateBytes <= FORGE_MAX_VALUE_BYTES))
    throw new WriterError(
      'invalid-definition',
      `limits.maxStateBytes must be at most ${FORGE_MAX_VALUE_BYTES}`,
    );
  const idField = `${partition.name}Id`;
  const sources = definition.sources ? z.enum(definition.sources) : z.string().min(1).max(50);
  return {
    name,
    queue,
    partitionName: partition.name,
    idField,
    idSchema: partition.id,
    receiptIndex: `by-${partition.name}`,
    entities: {
      state: `${name}-state`,
      receipt: `${name}-receipt`,
      deadLetter: `${name}-dead-letter`,
      ...definition.entities,
    },
    limits,
    envelope: envelopeSchemas({ idField, idSchema: partition.id, sources, commands: definition.commands }),
    initialState: definition.initialState,
    // The consumer passes only commands its own schema parsed: the cast restores that link.
    apply: definition.apply as WriterConfig<S>['apply'],
    expireState: definition.expireState ?? (() => undefined),
    onCommit: (definition.onCommit as WriterConfig<S>['onCommit'] | undefined) ?? (() => undefined),
  };
}
