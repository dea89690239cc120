// The slice of Atlassian's GraphQL gateway (`/graphql` on stargate) that `@forge/api` uses on its
// own: `webTrigger.getUrl()` / `deleteUrl()`. Anything else answers a GraphQL error, not a guess.
import { jsonResponse, parseJsonBody } from '../kernel/http.js';
import type { AppModules } from './app-modules.js';

interface GraphqlRequest {
  query?: unknown;
  variables?: { input?: { triggerKey?: unknown } };
}

export function serveStargateGraphql(modules: AppModules, init: RequestInit | undefined): Response {
  const request = parseJsonBody(init) as GraphqlRequest | undefined;
  const query = typeof request?.query === 'string' ? request.query : '';
  if (query.includes('createWebTriggerUrl')) {
    const key = request?.variables?.input?.triggerKey;
    if (typeof key !== 'string') return graphqlError('createWebTriggerUrl needs input.triggerKey');
    try {
      return jsonResponse(200, { data: { createWebTriggerUrl: { url: modules.webTriggerUrl(key) } } });
    } catch (error) {
      return graphqlError(error instanceof Error ? error.message : String(error));
    }
  }
  if (query.includes('deleteWebTriggerUrl')) {
    // Local URLs are derived from the module key, so there is nothing to delete.
    return jsonResponse(200, { data: { deleteWebTriggerUrl: { success: true } } });
  }
  return graphqlError(
    'The local Forge runtime serves only the web trigger URL operations of the GraphQL gateway',
  );
}

function graphqlError(message: string): Response {
  return jsonResponse(200, { data: null, errors: [{ message }] });
}
