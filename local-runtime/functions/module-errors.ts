// Errors the module invokers raise, and a JSON-safe view of an invocation's outcome.
import type { InvokeOutcome } from './function-runner.js';

/** The manifest has no such module (or the module no function): a caller mistake, not an app failure. */
export class UnknownModuleError extends Error {
  override readonly name = 'UnknownModuleError';
}

/** The request itself is invalid (a payload Forge would refuse). */
export class InvalidInvocationError extends Error {
  override readonly name = 'InvalidInvocationError';
}

/** The call's extension contradicts the module (another module kind, an issue the local Jira lacks). */
export class InvalidExtensionError extends Error {
  override readonly name = 'InvalidExtensionError';
}

/** The manifest asks for something the local runtime does not emulate (a remote resolver). */
export class NotEmulatedError extends Error {
  override readonly name = 'NotEmulatedError';
}

/**
 * A resolver did not return: it threw (its message is kept: Forge hands it to the front end's
 * `invoke`), crashed or timed out.
 */
export class ResolverError extends Error {
  override readonly name = 'ResolverError';
  constructor(
    message: string,
    readonly moduleKey: string,
    readonly functionKey: string,
    readonly outcome: Exclude<InvokeOutcome['status'], 'returned'>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type OutcomeView =
  | { status: 'returned'; value: unknown }
  | { status: 'threw'; error: { name: string; message: string } }
  | { status: 'crashed'; afterStorageCalls: number }
  | { status: 'timedOut' };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function viewOutcome(outcome: InvokeOutcome): OutcomeView {
  if (outcome.status !== 'threw') return outcome;
  const error = outcome.error;
  return {
    status: 'threw',
    error: { name: error instanceof Error ? error.name : 'Error', message: errorMessage(error) },
  };
}
