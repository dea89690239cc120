// One command applied to a partition's state: the user's reducer, then the envelope's optional
// whole-partition check, then the size limit. The consumer and every model of it (simulation,
// benchmark) use this, so they agree on every refusal.
import type { ApplyResult, WriterConfig } from './definition';
import type { AnyEnvelope } from './envelope';
import { partitionOf } from './storage-layout';

/** A commit stamp as wide as any real one, so the measured size is the stored size or more. */
const WIDEST_STAMP = 9_999_999_999_999;

export const STALE_VIEW = 'stale view';

export function applyEnvelope<S>(
  config: WriterConfig<S>,
  state: S,
  envelope: AnyEnvelope,
  version: number,
): ApplyResult<S> {
  const result = config.apply(state, envelope, {
    commandId: envelope.commandId,
    issuedAt: envelope.issuedAt,
    source: envelope.source,
    version,
  });
  // The reducer's own refusal names the real cause (a deleted issue, say): it goes first.
  if (!result.ok) return result;
  if (envelope.expectedVersion !== undefined && envelope.expectedVersion !== version) {
    return {
      ok: false,
      reason: `${STALE_VIEW}: the ${config.partitionName} is at version ${version}, the change was made from version ${envelope.expectedVersion}`,
    };
  }
  // Forge would refuse the write, and retrying would fail the same way for hours: refuse it now.
  const record = {
    [config.idField]: partitionOf(config, envelope),
    version: version + 1,
    updatedAt: WIDEST_STAMP,
  };
  const bytes = Buffer.byteLength(JSON.stringify({ ...record, state: result.state }));
  if (bytes > config.limits.maxStateBytes) {
    return {
      ok: false,
      reason: `the ${config.partitionName}'s data would be ${bytes} bytes, over its limit of ${config.limits.maxStateBytes}`,
    };
  }
  return result;
}
