// Realtime tokens: what `signRealtimeToken` returns, checked when a channel is subscribed to. A
// JWT (HS256) signed with this runtime's own key. Its payload has the shape `@forge/realtime`
// reads when it checks a token before publishing (utils.js): `channel.name`, `exp` in seconds, and
// `permissions` when the token is restricted.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RealtimePermission = 'subscribe' | 'publish';

export interface TokenPayload {
  channel: { name: string };
  /** The app's own claims: part of the channel's scope, matched exactly (canonical JSON). */
  claims: Record<string, unknown>;
  permissions?: RealtimePermission[];
  iat: number;
  exp: number;
}

/**
 * How long a token lives. Forge's docs do not say (they only tell apps to compare `expiresAt`);
 * an hour is the runtime's choice, recorded in docs/platform.md.
 */
export const TOKEN_LIFETIME_SECONDS = 3600;

export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; reason: string };

export class RealtimeTokens {
  constructor(private readonly key: string) {}

  sign(
    channelName: string,
    claims: Record<string, unknown>,
    permissions: RealtimePermission[] | undefined,
    nowMs: number,
  ): { jwt: string; expiresAt: number } {
    const iat = Math.floor(nowMs / 1000);
    const payload: TokenPayload = {
      channel: { name: channelName },
      claims,
      ...(permissions ? { permissions } : {}),
      iat,
      exp: iat + TOKEN_LIFETIME_SECONDS,
    };
    const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64(JSON.stringify(payload));
    return { jwt: `${head}.${body}.${this.mac(`${head}.${body}`)}`, expiresAt: payload.exp };
  }

  /** Checks the signature, the expiry, the channel name and the permission a use of it needs. */
  check(token: string, channelName: string, needs: RealtimePermission, nowMs: number): TokenCheck {
    const [head, body, mac] = token.split('.');
    if (!head || !body || !mac) return { ok: false, reason: 'INVALID_TOKEN' };
    const expected = Buffer.from(this.mac(`${head}.${body}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: 'INVALID_TOKEN' };
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return { ok: false, reason: 'INVALID_TOKEN' };
    }
    if (nowMs / 1000 >= payload.exp) return { ok: false, reason: 'TOKEN_EXPIRED' };
    if (payload.channel?.name !== channelName) return { ok: false, reason: 'CHANNEL_NAME_MISMATCH' };
    if (payload.permissions && !payload.permissions.includes(needs))
      return { ok: false, reason: 'MISSING_PERMISSION' };
    return { ok: true, payload };
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
