// The shared secret that signs deployment web trigger calls, kept in KVS secrets (encrypted at
// rest, never returned by queries), with an in-memory copy per warm instance so that checking a
// signature usually costs no storage read: anyone holding the web trigger's URL can send requests,
// and each read would spend the installation's KVS quota before the caller is authenticated.
//
// The copy is kept per installation (Forge may reuse a warm process for another tenant; docs:
// tenant-data-isolation) and re-read from storage:
// - when there is none, or it is SECRET_MAX_AGE_MS (60 s) old: a rotation made elsewhere (the
//   rotating resolver is another function, so another instance) stops the old secret within 60 s;
// - when a signature does not match a copy at least SECRET_RECHECK_MS (10 s) old: a caller already
//   signing with a rotated secret is accepted within 10 s.
// So a flood of bad signatures costs at most one read per 10 s per warm instance, and none while
// the copy is younger than 10 s. Rotation also replaces the copy of the instance that rotated.
import { randomBytes } from 'node:crypto';
import { getAppContext } from '@forge/api';
import { kvs } from '@forge/kvs';

export const WEBHOOK_SECRET_KEY = 'deployment-webhook-secret';

/** 32 random bytes, hex: as strong as the HMAC-SHA256 key can use. */
const SECRET_BYTES = 32;

/** A copy older than this is read again before it is used. */
export const SECRET_MAX_AGE_MS = 60_000;
/** A signature that does not match a copy at least this old makes it be read again. */
export const SECRET_RECHECK_MS = 10_000;

interface SecretCopy {
  /** Undefined: no secret is configured (also kept, so an unconfigured app is not read per request). */
  secret: string | undefined;
  readAt: number;
}

/** Per installation id. Module state lives as long as the warm instance. */
const copies = new Map<string, SecretCopy>();

/** Makes a new secret, stores it and returns it. It is shown to the admin once and never logged. */
export async function rotateWebhookSecret(): Promise<string> {
  const secret = randomBytes(SECRET_BYTES).toString('hex');
  await kvs.setSecret(WEBHOOK_SECRET_KEY, secret);
  const installation = installationId();
  if (installation !== undefined) copies.set(installation, { secret, readAt: Date.now() });
  return secret;
}

/** The current secret, read from storage, or undefined when none is configured yet. */
export async function readWebhookSecret(): Promise<string | undefined> {
  const secret = await kvs.getSecret<unknown>(WEBHOOK_SECRET_KEY);
  return typeof secret === 'string' && secret !== '' ? secret : undefined;
}

export type SecretCheck = 'match' | 'mismatch' | 'not-configured';

/**
 * Checks a request against the secret with `matches` (a constant-time comparison), using the
 * in-memory copy when it may be used and reading storage only as the bounds above say.
 */
export async function checkWithSecret(matches: (secret: string) => boolean): Promise<SecretCheck> {
  const installation = installationId();
  const copy = installation === undefined ? undefined : copies.get(installation);
  const age = copy === undefined ? Infinity : Date.now() - copy.readAt;
  // A negative age (a clock that went back) is not trusted either.
  if (copy !== undefined && age >= 0 && age < SECRET_MAX_AGE_MS) {
    if (copy.secret !== undefined && matches(copy.secret)) return 'match';
    if (age < SECRET_RECHECK_MS) return copy.secret === undefined ? 'not-configured' : 'mismatch';
  }
  const secret = await readWebhookSecret();
  if (installation !== undefined) copies.set(installation, { secret, readAt: Date.now() });
  if (secret === undefined) return 'not-configured';
  return matches(secret) ? 'match' : 'mismatch';
}

/** For tests that start a fresh installation in the same process: drops every copy. */
export function forgetSecretCopies(): void {
  copies.clear();
}

/** The installation this invocation serves; undefined (so no copy is kept) if Forge does not say. */
function installationId(): string | undefined {
  try {
    const id = getAppContext().installationAri.installationId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
