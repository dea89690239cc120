// Calls a UI module's resolver as the front end's `invoke(functionKey, payload)` does: the
// `@forge/resolver` handler gets `{ call, context }` plus the backend payload carrying the user
// (`principal.accountId`), which is also the user `asUser()` acts for.
import type { JiraEmulator } from '../jira/jira-emulator.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import { LOCAL_INSTALL_CONTEXT, resolverContext } from './forge-context.js';
import type { FunctionRunner } from './function-runner.js';
import { errorMessage, InvalidInvocationError, ResolverError, UnknownModuleError } from './module-errors.js';

/** Forge ends a resolver invocation after 25 s, whatever the function's own timeout. */
export const RESOLVER_TIMEOUT_SECONDS = 25;

/** Forge refuses front-end invoke payloads over 500 KB. */
const MAX_PAYLOAD_BYTES = 500 * 1024;

export interface ResolverCall {
  /** The UI module whose resolver is called; default the first module with a resolver. */
  moduleKey?: string;
  /** The key given to `resolver.define(...)`. */
  functionKey: string;
  payload?: unknown;
  /** The user viewing the module; without one the call is anonymous and `asUser()` fails. */
  accountId?: string;
  /** What the module is shown on, e.g. `{ type: 'jira:issuePanel', issue: { id, key, type }, project: { id, key } }`. */
  extension?: Record<string, unknown>;
}

export async function invokeResolver(
  manifest: AppManifest,
  functions: FunctionRunner,
  jira: JiraEmulator,
  call: ResolverCall,
): Promise<unknown> {
  const moduleKey = call.moduleKey ?? manifest.resolvers.keys().next().value;
  if (moduleKey === undefined) throw new UnknownModuleError('manifest.yml has no UI module with a resolver');
  const functionKey = manifest.resolvers.get(moduleKey);
  if (!functionKey) {
    const known = [...manifest.resolvers.keys()].join(', ') || 'none';
    throw new UnknownModuleError(
      `No UI module '${moduleKey}' with a resolver in manifest.yml (modules with one: ${known})`,
    );
  }
  const payload = wireCopy(call.payload ?? {});

  const outcome = await functions.invoke({
    kind: 'resolver',
    functionKey,
    accountId: call.accountId,
    maxTimeoutSeconds: RESOLVER_TIMEOUT_SECONDS,
    args: [
      {
        call: { functionKey: call.functionKey, payload },
        context: resolverContext(moduleKey, call.extension ?? {}, jira),
      },
      {
        principal: call.accountId ? { accountId: call.accountId } : undefined,
        installContext: LOCAL_INSTALL_CONTEXT,
      },
    ],
  });
  switch (outcome.status) {
    case 'returned':
      return outcome.value;
    case 'threw':
      throw new ResolverError(errorMessage(outcome.error), moduleKey, call.functionKey, 'threw', {
        cause: outcome.error,
      });
    case 'crashed':
      throw new ResolverError(
        `Resolver '${call.functionKey}' crashed`,
        moduleKey,
        call.functionKey,
        'crashed',
      );
    case 'timedOut':
      throw new ResolverError(
        `Resolver '${call.functionKey}' timed out`,
        moduleKey,
        call.functionKey,
        'timedOut',
      );
  }
}

/** The payload crosses the wire as JSON, as it would from the browser. */
function wireCopy(payload: unknown): unknown {
  const json = JSON.stringify(payload);
  if (json === undefined) return {};
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw new InvalidInvocationError(
      `The invoke payload is ${Buffer.byteLength(json)} bytes; Forge allows at most 500 KB`,
    );
  }
  return JSON.parse(json) as unknown;
}
