// Announces what a consumer run applied on each issue's Realtime channel, so open panels refresh
// without polling. Best effort: the commit is what counts, and a panel that misses a message falls
// back to polling, so a failure here is logged and never fails the run.
import { publishGlobal, signRealtimeToken } from '@forge/realtime';
import type { Committed } from '../shared/writer';
import type { IssueEnvelope } from '../shared/issue-data/issue-writer';
import { issueChannel, issueChannelClaims, type IssueChangeMessage } from '../shared/resolver-api';

/** Changes listed per message; past it the message says only the version, enough to reload. */
const MAX_LISTED = 50;
/**
 * A publish-only token for an issue's channel, signed for each commit. Not cached in the warm
 * instance: a cache would outlive the run that filled it (two local runtimes in one process, or
 * a replay with the same seed, would differ), and signing is a Realtime call, not a KVS request.
 */
async function publishToken(issueId: string): Promise<string | undefined> {
  const signed = await signRealtimeToken(issueChannel(issueId), issueChannelClaims(issueId), ['publish']);
  if (!signed.token || signed.expiresAt === null) {
    console.warn(`Realtime token for issue ${issueId} not signed: ${describe(signed.errors)}`);
    return undefined;
  }
  return signed.token;
}

/** Publishes one commit on its issue's channel: the version it made and the commands it applied. */
export async function publishCommit(commit: Committed<IssueEnvelope>): Promise<void> {
  const issueId = commit.partitionId;
  const message: IssueChangeMessage = {
    issueId,
    version: commit.version,
    changes:
      commit.applied.length > MAX_LISTED
        ? []
        : commit.applied.map(({ command }) => {
            const itemId = (command.payload as { itemId?: unknown }).itemId;
            return {
              commandId: command.commandId,
              type: command.type,
              ...(typeof itemId === 'string' ? { itemId } : {}),
            };
          }),
  };
  try {
    const token = await publishToken(issueId);
    if (!token) return;
    const result = await publishGlobal(issueChannel(issueId), message, { token });
    if (result.errors?.length)
      console.warn(`Realtime publish for issue ${issueId} failed: ${describe(result.errors)}`);
  } catch (error) {
    console.warn(
      `Realtime publish for issue ${issueId} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function describe(errors: unknown): string {
  const first = (Array.isArray(errors) ? errors[0] : undefined) as { message?: unknown } | undefined;
  return typeof first?.message === 'string' ? first.message : 'no reason given';
}
