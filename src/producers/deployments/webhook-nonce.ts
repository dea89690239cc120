// Nonces of accepted signed web trigger calls. A nonce is recorded only AFTER its request's
// command was enqueued, so a request whose handling failed (a 503) leaves nothing behind and the
// caller can retry the identical signed request. A replay of an accepted request is found by one
// read after authentication. Two identical requests racing each other may both pass the read:
// both enqueue the same command id (derived from the event), which the writer applies once.
import { kvs } from '@forge/kvs';
import { REPLAY_WINDOW_SECONDS } from './webhook-signature';

/**
 * A timestamp is accepted up to the window either side of our clock, so a request stays
 * replayable for twice the window after it is first seen; a minute more covers clock skew.
 */
const NONCE_TTL_MINUTES = (2 * REPLAY_WINDOW_SECONDS) / 60 + 1;

const nonceKey = (nonce: string) => `webhook-nonce:${nonce}`;

/** True if a request with this nonce was accepted before (a replay). */
export async function nonceUsed(nonce: string): Promise<boolean> {
  return (await kvs.get(nonceKey(nonce))) !== undefined;
}

/** Records the nonce of an accepted request (after its command was enqueued). */
export async function recordNonce(nonce: string): Promise<void> {
  await kvs.set(nonceKey(nonce), 1, { ttl: { value: NONCE_TTL_MINUTES, unit: 'MINUTES' } });
}
