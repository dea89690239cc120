// Calls a UI module's resolver as the front end's `invoke(functionKey, payload)` does, for any
// module kind with `resolver.function`: the `@forge/resolver` handler gets `{ call, context }`, the
// context being the module's (`ui-module-context.ts`, the same `view.getContext()` answers), plus
// the backend payload carrying the user (`principal.accountId`), who is also the user `asUser()`
// acts for, and the installation.
import type { JiraEmulator } from '../jira/jira-emulator.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import type { LocalSite } from './forge-context.js';
import type { FunctionRunner } from './function-runner.js';
import {
  errorMessage,
  InvalidInvocationError,
  NotEmulatedError,
  ResolverError,
  UnknownModuleError,
} from './module-errors.js';
import { uiModuleContext } from './ui-module-context.js';

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
  /**
   * What the module is shown on, e.g. `{ issue: { key: 'APP-1' } }` (completed from the local Jira),
   * `{ project: { key: 'APP' } }` or `{ space: { key: 'DS' } }`. `type` is the module's kind.
   */
  extension?: Record<string, unknown>;
}

export async function invokeResolver(
  manifest: AppManifest,
  functions: FunctionRunner,
  jira: JiraEmulator,
  site: LocalSite,
  call: ResolverCall,
): Promise<unknown> {
  const moduleKey = call.moduleKey ?? manifest.resolvers.keys().next().value;
  if (moduleKey === undefined) throw new UnknownModuleError('manifest.yml has no UI module with a resolver');
  const module = manifest.uiModules.get(moduleKey);
  if (module?.resolverEndpoint) {
    throw new NotEmulatedError(
      `${module.type} '${moduleKey}' has a remote resolver (endpoint ${module.resolverEndpoint}); Forge Remote is not emulated`,
    );
  }
  const functionKey = module?.resolverFunction;
  if (!module || !functionKey) {
    const known = [...manifest.resolvers.keys()].join(', ') || 'none';
    throw new UnknownModuleError(
      `No UI module '${moduleKey}' with a resolver in manifest.yml (modules with one: ${known})`,
    );
  }
  if (!manifest.functions.has(functionKey)) {
    throw new UnknownModuleError(
      `${module.type} '${moduleKey}' names the resolver function '${functionKey}', which manifest.yml does not define`,
    );
  }
  const payload = wireCopy(call.payload ?? {});
  const context = uiModuleContext(module, site, jira, call);

  const outcome = await functions.invoke({
    kind: 'resolver',
    functionKey,
    accountId: call.accountId,
    maxTimeoutSeconds: RESOLVER_TIMEOUT_SECONDS,
    args: [
      {
        call: { functionKey: call.functionKey, payload },
        context,
      },
      {
        principal: call.accountId ? { accountId: call.accountId } : undefined,
        installContext: site.installContext,
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
