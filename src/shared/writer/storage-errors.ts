// How Forge storage reports a failed transaction condition is not documented (docs/platform.md,
// "unconfirmed"). This is the one place that decides what counts as a conflict.
import { ForgeKvsAPIError } from '@forge/kvs';

export function isCommitConflict(error: unknown): boolean {
  if (!(error instanceof ForgeKvsAPIError)) return false;
  return (
    error.responseDetails.status === 409 ||
    error.code === 'CONDITIONAL_CHECK_FAILED' ||
    error.code === 'KEY_CONFLICT'
  );
}

/** Runs a conditional write; true if it was made, false if its condition (or key policy) failed. */
export async function writeUnlessConflict(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isCommitConflict(error)) return false;
    throw error;
  }
}

/** A storage error as one short line: code and status, or the message. */
export function describeStorageError(error: unknown): string {
  if (error instanceof ForgeKvsAPIError) return `${error.code} (${error.responseDetails.status ?? '?'})`;
  return error instanceof Error ? error.message : String(error);
}
