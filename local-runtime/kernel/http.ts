// The runtime answers the `@forge/*` packages with real fetch `Response` objects.

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * The same, for a body already encoded as JSON text (`undefined`: no body), as a `JsonReply`: the
 * storage answers hundreds of requests in every simulated run, and a real `Response` costs far
 * more to build and read than the request it answers.
 */
export function jsonTextResponse(status: number, text: string | undefined, statusText = ''): Response {
  const body = status === 204 || text === undefined ? null : text;
  return new JsonReply(status, body, statusText) as unknown as Response;
}

/**
 * A reply with what callers of fetch read of a `Response`: status, headers and the body, once, as
 * text, JSON, bytes or a stream (a second read fails as it does on a `Response`). Building and
 * reading one takes a few microseconds, a `Response` (undici's checks, web streams) some 40 times
 * that (node, 20,000 of each reading a 250-byte JSON body).
 */
class JsonReply {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'default';
  readonly url = '';
  private used = false;
  private headerMap: Headers | undefined;

  constructor(
    readonly status: number,
    private readonly text_: string | null,
    readonly statusText = '',
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get headers(): Headers {
    return (this.headerMap ??= new Headers(
      this.text_ === null ? {} : { 'content-type': 'application/json' },
    ));
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.text_ === null ? null : new Response(this.consume()).body;
  }

  text(): Promise<string> {
    try {
      return Promise.resolve(this.consume());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): JsonReply {
    if (this.used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new JsonReply(this.status, this.text_, this.statusText);
  }

  private consume(): string {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.text_ ?? '';
  }
}

export function emptyResponse(status: number): Response {
  return new Response(null, { status });
}

/** Reads a JSON request body; `undefined` when the body is absent or not JSON. */
export function parseJsonBody(init: RequestInit | undefined): unknown {
  const body = init?.body;
  if (typeof body !== 'string' || body.length === 0) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
