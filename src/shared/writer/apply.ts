// One command applied to a partition's state: the user's reducer, then the envelope's optional
// whole-partition check. The consumer and every model of it (simulation, benchmark) use this.
import type { ApplyResult, WriterConfig } from './definition';
import type { AnyEnvelope } from './envelope';

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
  if (!result.ok || envelope.expectedVersion === undefined || envelope.expectedVersion === version)
    return result;
  return {
    ok: false,
    reason: `${STALE_VIEW}: the ${config.partitionName} is at version ${version}, the change was made from version ${envelope.expectedVersion}`,
  };
}
