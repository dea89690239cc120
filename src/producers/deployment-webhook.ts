// External deployment events. Until signed-request authentication lands (producers issue), this
// web trigger refuses every call: an unauthenticated write path must never be open.
interface WebTriggerResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

export async function handler(): Promise<WebTriggerResponse> {
  return {
    statusCode: 501,
    headers: { 'Content-Type': ['application/json'] },
    body: JSON.stringify({ error: 'deployment webhooks are not enabled in this version' }),
  };
}
