// Forge Realtime on its wire. `@forge/realtime` posts a GraphQL mutation through
// `__forge_fetch__({ type: 'realtime' }, '/')`: `publishRealtimeChannel` or `signRealtimeToken`
// (see the package's publish.js and signRealtimeToken.js). The browser subscribes through the
// Custom UI host (`subscribe` below, over a server-sent event stream). Semantics live in
// realtime-channels.ts and realtime-tokens.ts; this module is the wire, the checks and the meter.
import { jsonResponse, parseJsonBody } from '../kernel/http.js';
import type { ServiceContext } from '../kernel/service-context.js';
import { RealtimeChannels, type Listener } from './realtime-channels.js';
import { RealtimeTokens, type RealtimePermission } from './realtime-tokens.js';

/** The installation every local channel belongs to (`__forge_runtime__.appContext.installationId`). */
export const LOCAL_INSTALLATION_ID = 'local-installation';

export interface SubscribeRequest {
  channelName: string;
  isGlobal: boolean;
  token?: string;
}

export type SubscribeResult =
  { ok: true; unsubscribe: () => void } | { ok: false; status: number; reason: string };

export class RealtimeEmulator {
  readonly channels = new RealtimeChannels();
  private readonly tokens: RealtimeTokens;
  /** The fault switch: while down, every publish, token and subscription fails. */
  private down = false;
  private downListeners = new Set<() => void>();

  constructor(private readonly ctx: ServiceContext) {
    // From the seeded source, so a run's tokens are the same every time.
    this.tokens = new RealtimeTokens(ctx.random.fork('realtime').uuid());
  }

  /** Turns Realtime off (every call fails with 503, open subscriptions end) or back on. */
  setDown(down: boolean): void {
    this.down = down;
    if (!down) return;
    this.channels.close();
    for (const listener of [...this.downListeners]) listener();
    this.downListeners.clear();
  }

  /** Called once when Realtime goes down (open browser streams end); returns its removal. */
  onDown(listener: () => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  isDown(): boolean {
    return this.down;
  }

  /** Serves one `__forge_fetch__({ type: 'realtime' })` call. */
  async fetch(init: RequestInit | undefined): Promise<Response> {
    if (this.down) {
      this.ctx.counters.add('realtime.failed');
      return new Response(null, { status: 503, statusText: 'Service Unavailable' });
    }
    const body = parseJsonBody(init) as { query?: unknown; variables?: Record<string, unknown> } | undefined;
    const query = typeof body?.query === 'string' ? body.query : '';
    const vars = body?.variables ?? {};
    if (/\bsignRealtimeToken\s*\(/.test(query)) return this.sign(vars);
    if (/\bpublishRealtimeChannel\s*\(/.test(query)) return this.publish(vars);
    return graphqlError('The local runtime serves only publishRealtimeChannel and signRealtimeToken', 400);
  }

  private sign(vars: Record<string, unknown>): Response {
    const { channelName, claims, permissions } = vars;
    if (typeof channelName !== 'string' || channelName === '')
      return graphqlError('channelName is required', 400);
    if (!claims || typeof claims !== 'object' || Array.isArray(claims))
      return graphqlError('claims must be an object', 400);
    const perms = permissions ?? undefined;
    if (
      perms !== undefined &&
      !(Array.isArray(perms) && perms.length > 0 && perms.every((p) => p === 'subscribe' || p === 'publish'))
    )
      return graphqlError("permissions must be 'subscribe' and/or 'publish'", 400);
    this.ctx.counters.add('realtime.tokensSigned');
    const token = this.tokens.sign(
      channelName,
      claims as Record<string, unknown>,
      perms as RealtimePermission[] | undefined,
      this.ctx.clock.now(),
    );
    return jsonResponse(200, {
      data: {
        ecosystem: {
          signRealtimeToken: { success: true, errors: null, forgeRealtimeToken: token },
        },
      },
    });
  }

  private publish(vars: Record<string, unknown>): Response {
    const { name, payload, isGlobal, token, installationId } = vars;
    if (typeof name !== 'string' || typeof payload !== 'string')
      return graphqlError('name and payload are required', 400);
    // Docs: publishing to a non-global channel works only from functions the front end invoked,
    // with that front end's context; the runtime emulates global channels only.
    if (isGlobal !== true)
      return graphqlError('The local runtime emulates global channels only: use publishGlobal', 400);
    let claims: Record<string, unknown> | undefined;
    if (typeof token === 'string') {
      const checked = this.tokens.check(token, name, 'publish', this.ctx.clock.now());
      if (!checked.ok) {
        this.ctx.counters.add('realtime.refused');
        return graphqlError(`Realtime token validation failed: ${checked.reason}`, 403);
      }
      claims = checked.payload.claims;
    }
    this.ctx.counters.add('realtime.publishes');
    const scope = {
      installationId: typeof installationId === 'string' ? installationId : LOCAL_INSTALLATION_ID,
      global: true,
      name,
      claims,
    };
    const { event, reached } = this.channels.publish(scope, payload, this.ctx.clock.now());
    this.ctx.counters.add('realtime.deliveries', reached);
    this.ctx.trace.record('realtime.publish', { name, reached });
    return jsonResponse(200, {
      data: {
        ecosystem: {
          publishRealtimeChannel: {
            eventId: event?.eventId ?? null,
            eventTimestamp: event?.eventTimestamp ?? null,
          },
        },
      },
    });
  }

  /** A subscription from the browser (the bridge's `subscribeRealtimeChannel`), checked as Forge does. */
  subscribe(request: SubscribeRequest, listener: Listener): SubscribeResult {
    if (this.down) {
      this.ctx.counters.add('realtime.failed');
      return { ok: false, status: 503, reason: 'Realtime is unavailable' };
    }
    if (!request.isGlobal)
      return {
        ok: false,
        status: 400,
        reason: 'The local runtime emulates global channels only: use subscribeGlobal',
      };
    let claims: Record<string, unknown> | undefined;
    if (request.token !== undefined) {
      const checked = this.tokens.check(
        request.token,
        request.channelName,
        'subscribe',
        this.ctx.clock.now(),
      );
      if (!checked.ok) {
        this.ctx.counters.add('realtime.refused');
        return { ok: false, status: 403, reason: `Realtime token validation failed: ${checked.reason}` };
      }
      claims = checked.payload.claims;
    }
    this.ctx.counters.add('realtime.subscriptions');
    const unsubscribe = this.channels.subscribe(
      { installationId: LOCAL_INSTALLATION_ID, global: true, name: request.channelName, claims },
      listener,
    );
    return { ok: true, unsubscribe };
  }

  close(): void {
    this.channels.close();
    for (const listener of [...this.downListeners]) listener();
    this.downListeners.clear();
  }
}

/** GraphQL answers its errors with HTTP 200 and an `errors` list, as the package expects. */
function graphqlError(message: string, statusCode: number): Response {
  return jsonResponse(200, {
    data: null,
    errors: [
      { message, extensions: { errorType: statusCode === 403 ? 'FORBIDDEN' : 'BAD_REQUEST', statusCode } },
    ],
  });
}
