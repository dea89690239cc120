// Everything the writer throws is a WriterError with a typed `code`, and says whether trying the
// same call again can help. Documented in docs/writer/errors.md.
import type { z } from 'zod';

export type WriterErrorCode =
  /** A command or envelope does not match the writer's schemas. Nothing was enqueued. */
  | 'invalid-command'
  /** A command id (an idempotency key) was already used for a different command. Pick a new id. */
  | 'command-id-reused'
  /** A push failed after its retries; `notEnqueued` names the commands that are not on the queue. */
  | 'not-enqueued'
  /** More ids than one storage request reads (25). */
  | 'too-many-ids'
  /** An id storage cannot hold as a key (characters, length), so no command ever had it. */
  | 'invalid-id'
  /** Storage failed to answer a read (transient). */
  | 'storage-unavailable'
  /** No dead letter with that id. */
  | 'dead-letter-not-found'
  /** The dead letter is not in a state that allows the operation (e.g. discarding an applied one). */
  | 'dead-letter-not-open'
  /** `defineWriter` was given something it cannot work with. */
  | 'invalid-definition';

const RETRYABLE: Record<WriterErrorCode, boolean> = {
  'invalid-command': false,
  'command-id-reused': false,
  'not-enqueued': true,
  'too-many-ids': false,
  'invalid-id': false,
  'storage-unavailable': true,
  'dead-letter-not-found': false,
  'dead-letter-not-open': false,
  'invalid-definition': false,
};

export class WriterError extends Error {
  /** True when the same call, made again later, may succeed. */
  readonly retryable: boolean;

  constructor(
    readonly code: WriterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WriterError';
    this.retryable = RETRYABLE[code];
  }
}

export interface CommandProblem {
  /** Position in the list given to `enqueue` (-1: the list itself). */
  index: number;
  /** zod's issues for a schema mismatch (path, code, message); empty for other problems. */
  issues: z.core.$ZodIssue[];
  /** One line, for logs and people. */
  reason: string;
}

/** Some commands were invalid; nothing was pushed. */
export class CommandValidationError extends WriterError {
  constructor(readonly problems: CommandProblem[]) {
    super(
      'invalid-command',
      `refused ${problems.length} invalid command(s): ${problems.map((p) => `#${p.index}: ${p.reason}`).join(' | ')}`,
    );
    this.name = 'CommandValidationError';
  }
}

/** A push failed after its retries. Every command is in exactly one of the two lists. */
export class EnqueueError extends WriterError {
  constructor(
    readonly enqueued: string[],
    readonly notEnqueued: string[],
    cause: unknown,
  ) {
    super(
      'not-enqueued',
      `${notEnqueued.length} command(s) were not enqueued: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'EnqueueError';
  }
}

/** zod's issues as one line: `path: message; ...` (at most five). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
