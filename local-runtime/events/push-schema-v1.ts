// `@forge/events` 1.x pushes with schema `ari:cloud:ecosystem::forge/app-event`: `payload` holds
// the pushed values themselves (objects, strings, numbers or booleans: its `Payload` type) and
// one `delayInSeconds` for the whole push. 2.x and later send `forge/app-event-2`, each event
// `{ body, delayInSeconds?, concurrency? }`. Forge delivers both the same way: each value becomes
// an event whose body the consumer receives, so a 1.x push is read here as its 2.x equivalent.
export const APP_EVENT_SCHEMA_V1 = 'ari:cloud:ecosystem::forge/app-event';

/** The publish request with a 1.x push's payloads as 2.x events; any other request as it is. */
export function upgradePushRequest(request: Record<string, unknown>): Record<string, unknown> {
  if (request.schema !== APP_EVENT_SCHEMA_V1 || !Array.isArray(request.payload)) return request;
  const { delayInSeconds, ...rest } = request;
  return {
    ...rest,
    payload: request.payload.map((body: unknown) => ({
      body,
      ...(delayInSeconds !== undefined ? { delayInSeconds } : {}),
    })),
  };
}
