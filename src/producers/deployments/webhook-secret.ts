// The shared secret that signs deployment web trigger calls, kept in KVS secrets (encrypted at
// rest, never returned by queries). Rotation replaces it at once: callers must switch together.
import { randomBytes } from 'node:crypto';
import { kvs } from '@forge/kvs';

export const WEBHOOK_SECRET_KEY = 'deployment-webhook-secret';

/** 32 random bytes, hex: as strong as the HMAC-SHA256 key can use. */
const SECRET_BYTES = 32;

/** Makes a new secret, stores it and returns it. It is shown to the admin once and never logged. */
export async function rotateWebhookSecret(): Promise<string> {
  const secret = randomBytes(SECRET_BYTES).toString('hex');
  await kvs.setSecret(WEBHOOK_SECRET_KEY, secret);
  return secret;
}

/** The current secret, or undefined when none is configured yet. */
export async function readWebhookSecret(): Promise<string | undefined> {
  const secret = await kvs.getSecret<unknown>(WEBHOOK_SECRET_KEY);
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}
