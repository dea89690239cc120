// The runtime answers the `@forge/*` packages with real fetch `Response` objects.

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The same, for a body already encoded as JSON text (`undefined`: no body). */
export function jsonTextResponse(status: number, text: string | undefined): Response {
  if (status === 204 || text === undefined) return new Response(null, { status });
  return new Response(text, { status, headers: { 'content-type': 'application/json' } });
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
