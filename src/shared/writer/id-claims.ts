// Claims of client-chosen command ids. A caller that lets people (or other systems) choose a
// command's id, to make a retried request safe, claims each id with the command's fingerprint
// before pushing: the same command again (a retry) passes, a different command under a used id is
// refused at once with `command-id-reused`, before anything is queued. One write per command, and
// a read only when the id was claimed before.
import { kvs } from '@forge/kvs';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';
import { WriterError } from './errors';
import { fingerprintOf } from './fingerprint';
import { RECEIPT_TTL } from './storage-layout';

const claimKey = (config: WriterLayout, commandId: string) => `${config.name}:command-id:${commandId}`;

export async function claimCommandIds(
  config: WriterLayout,
  envelopes: readonly AnyEnvelope[],
): Promise<void> {
  for (const envelope of envelopes) {
    const key = claimKey(config, envelope.commandId);
    const fingerprint = fingerprintOf(config, envelope);
    try {
      // As long as receipts live: a retry within that time is recognised as one.
      await kvs.set(key, fingerprint, { keyPolicy: 'FAIL_IF_EXISTS', ttl: RECEIPT_TTL });
      continue;
    } catch (error) {
      // Whether it failed because the id is taken is read back, not guessed from the error code.
      const claimed = await kvs.get<string>(key);
      if (claimed === undefined) throw error;
      if (claimed !== fingerprint) {
        throw new WriterError(
          'command-id-reused',
          `command id ${envelope.commandId} was already used for a different command; use a new id for a new change`,
        );
      }
    }
  }
}
