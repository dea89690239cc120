// Typed calls to the panel's resolvers through the real @forge/bridge. A rejected bridge call (the
// resolver crashed, the network failed) becomes the same typed failure the resolvers return.
import { invoke } from '@forge/bridge';
import type {
  PayloadOf,
  ResolverName,
  ResolverResult,
  ResponseOf,
} from '../../../src/shared/resolver-api.js';

export async function call<N extends ResolverName>(
  name: N,
  payload: PayloadOf<N>,
): Promise<ResolverResult<ResponseOf<N>>> {
  try {
    const result = await invoke<ResolverResult<ResponseOf<N>>>(name, payload as Record<string, unknown>);
    if (typeof result === 'object' && result !== null && 'ok' in result) return result;
    return {
      ok: false,
      error: { code: 'unavailable', message: 'The app answered in a way the panel does not understand.' },
    };
  } catch (error) {
    return {
      ok: false,
      error: {
        code: 'unavailable',
        message: `The app could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}
