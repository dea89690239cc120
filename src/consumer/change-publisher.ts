// Announces what a consumer run applied on each issue's Realtime channel, so open panels refresh
// without polling. Best effort: the commit is what counts, and a panel that misses a message falls
// back to polling, so a failure here is logged and never fails the run.
import { publishGlobal, signRealtimeToken } from '@forge/realtime';
import type { AppliedChange } from '../shared/issue-data/applied-changes';
import { issueChannel, issueChannelClaims, type IssueChangeMessage } from '../shared/resolver-api';

/** Changes listed per message; past it the message says only the version, enough to reload. */
const MAX_LISTED = 50;
/** A token is reused while it has this long left (warm instances publish often on a busy issue). */
const TOKEN_MARGIN_MS = 60_000;
const TOKEN_CACHE_SIZE = 200;

const tokens = new Map<string, { token: string; expiresAtMs: number }>();

/** A publish-only token for an issue's channel, cached per warm instance. */
async function publishToken(issueId: string): Promise<string | undefined> {
  const cached = tokens.get(issueId);
  if (cached && cached.expiresAtMs - TOKEN_MARGIN_MS > Date.now()) return cached.token;
  const signed = await signRealtimeToken(issueChannel(issueId), issueChannelClaims(issueId), ['publish']);
  if (!signed.token || signed.expiresAt === null) {
    console.warn(`Realtime token for issue ${issueId} not signed: ${describe(signed.errors)}`);
    return undefined;
  }
  if (tokens.size >= TOKEN_CACHE_SIZE) tokens.delete(tokens.keys().next().value as string);
  tokens.set(issueId, { token: signed.token, expiresAtMs: signed.expiresAt * 1000 });
  return signed.token;
}

/** Publishes one message per issue: its highest committed version and the commands applied. */
export async function publishChanges(byIssue: ReadonlyMap<string, readonly AppliedChange[]>): Promise<void> {
  for (const [issueId, applied] of byIssue) {
    if (applied.length === 0) continue;
    // A pass retried after a conflict applies a command again: keep its last (highest) version.
    const latest = new Map<string, AppliedChange>();
    for (const change of applied) latest.set(change.commandId, change);
    const changes = [...latest.values()];
    const message: IssueChangeMessage = {
      issueId,
      version: Math.max(...changes.map((c) => c.version)),
      changes:
        changes.length > MAX_LISTED
          ? []
          : changes.map(({ commandId, type, itemId }) => ({
              commandId,
              type,
              ...(itemId === undefined ? {} : { itemId }),
            })),
    };
    try {
      const token = await publishToken(issueId);
      if (!token) continue;
      const result = await publishGlobal(issueChannel(issueId), message, { token });
      if (result.errors?.length)
        console.warn(`Realtime publish for issue ${issueId} failed: ${describe(result.errors)}`);
    } catch (error) {
      console.warn(
        `Realtime publish for issue ${issueId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

function describe(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return 'no reason given';
  const first = errors[0] as { message?: unknown } | undefined;
  return typeof first?.message === 'string' ? first.message : 'no reason given';
}
