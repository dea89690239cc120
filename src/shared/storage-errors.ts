// How Forge storage reports a failed transaction condition is not documented (see
// FORGE-PLATFORM.md, UNCONFIRMED). This is the one place that decides what counts as a conflict.
import { ForgeKvsAPIError } from '@forge/kvs';

export function isCommitConflict(error: unknown): boolean {
  if (!(error instanceof ForgeKvsAPIError)) return false;
  return (
    error.responseDetails.status === 409 ||
    error.code === 'CONDITIONAL_CHECK_FAILED' ||
    error.code === 'KEY_CONFLICT'
  );
}
