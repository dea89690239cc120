// Shared set-up for the resolver tests: the repository's app on the local runtime, and a typed way
// to call the issue panel's resolvers as a given user on a given issue.
import path from 'node:path';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import type { ResolverName, ResolverResult, ResponseOf } from '../../src/shared/resolver-api.js';

export const appDir = path.resolve(import.meta.dirname, '../..');

export const APP_1 = { id: '10001', key: 'APP-1', type: 'Bug' };
export const APP_2 = { id: '10002', key: 'APP-2', type: 'Story' };
/** user-app-dev may not browse OPS. */
export const OPS_1 = { id: '10019', key: 'OPS-1', type: 'Task' };

export type Account = 'user-admin' | 'user-viewer' | 'user-app-dev';

export function newRuntime(): Promise<LocalForgeRuntime> {
  return createRuntime({ appDir, seed: 7 });
}

export interface CallOptions {
  accountId?: Account | undefined;
  issue?: { id: string; key: string; type?: string };
  /** Replaces the whole extension (to test a context without an issue). */
  extension?: Record<string, unknown>;
}

/** Calls a resolver as the issue panel would; the payload is deliberately untyped input. */
export async function callResolver<N extends ResolverName>(
  rt: LocalForgeRuntime,
  functionKey: N,
  payload: unknown,
  options: CallOptions = {},
): Promise<ResolverResult<ResponseOf<N>>> {
  const accountId = 'accountId' in options ? options.accountId : 'user-admin';
  return (await rt.invokeResolver({
    functionKey,
    payload,
    ...(accountId === undefined ? {} : { accountId }),
    extension: options.extension ?? { type: 'jira:issuePanel', issue: options.issue ?? APP_1 },
  })) as ResolverResult<ResponseOf<N>>;
}

/** The value of a successful result, or a test failure naming the error. */
export function valueOf<T>(result: ResolverResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function pushes(rt: LocalForgeRuntime): number {
  return rt.metered()['events.pushRequests'] ?? 0;
}
