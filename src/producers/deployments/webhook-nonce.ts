// Nonce deduplication for signed web trigger calls: the first request with a nonce claims it with
// one atomic write; any later one within the window finds it taken and is a replay.
import { kvs } from '@forge/kvs';
import { writeUnlessConflict } from '../../shared/writer';
import { REPLAY_WINDOW_SECONDS } from './webhook-signature';

/**
 * A timestamp is accepted up to the window either side of our clock, so a request stays
 * replayable for twice the window after it is first seen; a minute more covers clock skew.
 */
const NONCE_TTL_MINUTES = (2 * REPLAY_WINDOW_SECONDS) / 60 + 1;

const nonceKey = (nonce: string) => `webhook-nonce:${nonce}`;

/** True if this call claimed the nonce, false if it was already used (a replay). */
export async function claimNonce(nonce: string): Promise<boolean> {
  return writeUnlessConflict(async () => {
    await kvs.set(nonceKey(nonce), 1, {
      ttl: { value: NONCE_TTL_MINUTES, unit: 'MINUTES' },
      keyPolicy: 'FAIL_IF_EXISTS',
    });
  });
}

/**
 * Frees a nonce whose request failed on our side, so the caller may retry the same signed request.
 * Safe: the command ids come from the event id, so even a duplicate would apply once.
 */
export async function releaseNonce(nonce: string): Promise<void> {
  try {
    await kvs.delete(nonceKey(nonce));
  } catch {
    // Best effort: at worst the caller must sign the retry with a new nonce.
  }
}
