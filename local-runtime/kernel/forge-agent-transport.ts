// `@forge/api` 3.x and 4.x do not call `__forge_fetch__`: they reach Forge with node-fetch on
// `https://{remote}{path}` (remote `jira`, `confluence`, `bitbucket`, `stargate`), with the agent
// set to the string 'FORGE_PRODUCT_REQUEST' and an `authorization: Forge app|user|none` header
// (their api/fetch.js); Forge's Node runtime recognises that agent and sends the request through
// its proxy. Here `https.request` recognises it too and hands the request to `__forge_fetch__`
// with the descriptor today's `@forge/api` would send, so both transports reach the same
// emulators with the same auth: `Forge user` acts as the invocation's user, `app` and `none` as
// the app. Requests with any other agent go to the network untouched.
import http from 'node:http';
import https from 'node:https';
import { Readable, Writable } from 'node:stream';
import type { FetchDescriptor } from './invocation.js';

/** The agent node-fetch is given by `@forge/api` 3.x/4.x for product requests. */
export const FORGE_PRODUCT_AGENT = 'FORGE_PRODUCT_REQUEST';
/** The agent of `asUser().withProvider(...).fetch` (external auth). */
export const EXTERNAL_AUTH_AGENT = 'EXTERNAL_AUTH_REQUEST';

type ForgeFetch = (descriptor: FetchDescriptor, path: string, init?: RequestInit) => Promise<Response>;

/** What node-fetch 2 passes to `https.request`: the URL's parts, method, headers and agent. */
interface NodeRequestOptions {
  agent?: unknown;
  hostname?: string | null;
  host?: string | null;
  path?: string | null;
  method?: string;
  headers?: Record<string, string | string[] | number | undefined>;
}

let installed = false;

export function installForgeAgentTransport(forgeFetch: () => ForgeFetch): void {
  if (installed) return;
  installed = true;
  for (const module of [https, http]) {
    const realRequest = module.request.bind(module) as (...args: unknown[]) => http.ClientRequest;
    module.request = ((...args: unknown[]) => {
      const options = args[0];
      if (isForgeRequest(options)) return new ForgeProxyRequest(options, forgeFetch()) as never;
      return realRequest(...args);
    }) as typeof module.request;
  }
}

function isForgeRequest(options: unknown): options is NodeRequestOptions {
  if (typeof options !== 'object' || options === null || !('agent' in options)) return false;
  return options.agent === FORGE_PRODUCT_AGENT || options.agent === EXTERNAL_AUTH_AGENT;
}

/** `Forge app|user|none` → the provider `__forge_fetch__` descriptors carry. */
function providerOf(authorization: string | undefined): string {
  const match = /^Forge\s+(app|user|none)\b/i.exec(authorization ?? '');
  return match ? match[1]!.toLowerCase() : 'none';
}

/**
 * Enough of `http.ClientRequest` for node-fetch 2: it writes the body, ends, and listens for
 * `response` (an `IncomingMessage`-like stream with statusCode, statusMessage and lower-case headers)
 * or `error`.
 */
class ForgeProxyRequest extends Writable {
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly options: NodeRequestOptions,
    private readonly forgeFetch: ForgeFetch,
  ) {
    super();
    this.once('finish', () => {
      this.send().catch((error: unknown) => this.emit('error', error));
    });
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), encoding));
    callback();
  }

  abort(): void {}
  setTimeout(): this {
    return this;
  }

  private async send(): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.options.headers ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
    }
    const remote = this.options.hostname ?? this.options.host ?? '';
    const path = this.options.path ?? '/';
    const provider = providerOf(headers.get('authorization') ?? undefined);
    // Forge's proxy consumes its own authorization header; the product sees the proxied identity.
    if (/^Forge\s/i.test(headers.get('authorization') ?? '')) headers.delete('authorization');
    const method = (this.options.method ?? 'GET').toUpperCase();
    const body = this.chunks.length > 0 ? Buffer.concat(this.chunks).toString('utf8') : undefined;
    const descriptor: FetchDescriptor =
      this.options.agent === EXTERNAL_AUTH_AGENT
        ? { type: 'tpp', provider, remote }
        : { type: 'fpp', provider, remote };
    const response = await this.forgeFetch(descriptor, path, {
      method,
      headers,
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    });
    const payload = Buffer.from(await response.arrayBuffer());
    const incoming = Object.assign(Readable.from(payload.length > 0 ? [payload] : []), {
      statusCode: response.status,
      statusMessage: response.statusText || http.STATUS_CODES[response.status] || '',
      headers: Object.fromEntries(response.headers),
    });
    this.emit('response', incoming);
  }
}
