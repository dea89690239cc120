// Authentication of signed web trigger calls. Forge web triggers have none of their own, so the
// caller signs each request with the shared secret:
//
//   x-forge-timestamp: <unix seconds>
//   x-forge-nonce:     <a fresh random id per request, e.g. a UUID>
//   x-forge-signature: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${nonce}.${rawBody}`)>
//
// The nonce is inside the signed text: if it were not, anyone who saw one request could replay it
// within the window under a new nonce.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-forge-signature';
export const TIMESTAMP_HEADER = 'x-forge-timestamp';
export const NONCE_HEADER = 'x-forge-nonce';

/** How far a request's timestamp may be from our clock, either way. */
export const REPLAY_WINDOW_SECONDS = 5 * 60;

const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;
const TIMESTAMP_FORMAT = /^[0-9]{1,12}$/;
/** Letters, digits, dash and underscore: it becomes part of a KVS key. */
const NONCE_FORMAT = /^[A-Za-z0-9_-]{16,128}$/;

export interface SignedHeaders {
  timestamp: string;
  nonce: string;
  signature: Buffer;
}

export type AuthFailure = {
  ok: false;
  error: 'missing-signature' | 'bad-signature' | 'stale-timestamp';
  message: string;
};

/** Reads and checks the form of the auth headers, and the timestamp's window. No secret needed. */
export function readSignedHeaders(
  headers: Record<string, readonly string[]>,
  nowMs: number,
): { ok: true; signed: SignedHeaders } | AuthFailure {
  const signature = single(headers, SIGNATURE_HEADER);
  const timestamp = single(headers, TIMESTAMP_HEADER);
  const nonce = single(headers, NONCE_HEADER);
  if (signature === undefined || timestamp === undefined || nonce === undefined) {
    return {
      ok: false,
      error: 'missing-signature',
      message: `send exactly one each of ${SIGNATURE_HEADER}, ${TIMESTAMP_HEADER} and ${NONCE_HEADER}`,
    };
  }
  const hex = SIGNATURE_FORMAT.exec(signature)?.[1];
  if (hex === undefined) {
    return {
      ok: false,
      error: 'bad-signature',
      message: `${SIGNATURE_HEADER} must be sha256=<64 hex digits>`,
    };
  }
  if (!NONCE_FORMAT.test(nonce)) {
    return {
      ok: false,
      error: 'bad-signature',
      message: `${NONCE_HEADER} must be 16 to 128 letters, digits, '-' or '_'`,
    };
  }
  if (!TIMESTAMP_FORMAT.test(timestamp)) {
    return { ok: false, error: 'stale-timestamp', message: `${TIMESTAMP_HEADER} must be Unix seconds` };
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
    return {
      ok: false,
      error: 'stale-timestamp',
      message: `${TIMESTAMP_HEADER} is more than ${REPLAY_WINDOW_SECONDS} s from the server's clock`,
    };
  }
  return { ok: true, signed: { timestamp, nonce, signature: Buffer.from(hex, 'hex') } };
}

/** Constant-time: both sides are 32-byte digests, so timingSafeEqual never sees unequal lengths. */
export function signatureMatches(secret: string, signed: SignedHeaders, rawBody: string): boolean {
  const expected = digest(secret, signed.timestamp, signed.nonce, rawBody);
  return signed.signature.length === expected.length && timingSafeEqual(signed.signature, expected);
}

/** The signature header value a caller sends; for callers' scripts and the tests. */
export function signRequest(secret: string, timestamp: string, nonce: string, rawBody: string): string {
  return `sha256=${digest(secret, timestamp, nonce, rawBody).toString('hex')}`;
}

function digest(secret: string, timestamp: string, nonce: string, rawBody: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${nonce}.${rawBody}`).digest();
}

function single(headers: Record<string, readonly string[]>, name: string): string | undefined {
  const values = headers[name];
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string'
    ? values[0]
    : undefined;
}
