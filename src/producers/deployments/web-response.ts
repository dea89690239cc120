// Web trigger responses in Forge's shape, always JSON.
export interface WebTriggerResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

export function jsonResponse(
  statusCode: number,
  body: Record<string, unknown>,
  headers: Record<string, string[]> = {},
): WebTriggerResponse {
  return {
    statusCode,
    headers: { 'content-type': ['application/json'], ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(
  statusCode: number,
  error: string,
  message: string,
  headers: Record<string, string[]> = {},
): WebTriggerResponse {
  return jsonResponse(statusCode, { error, message }, headers);
}
