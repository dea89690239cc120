// The installation the local runtime pretends to be: one Jira site with a fixed cloud id. Every
// module invoker builds its Forge `context` from here, so all of them agree.
import type { JiraEmulator } from '../jira/jira-emulator.js';

export const LOCAL_CLOUD_ID = '00000000-0000-4000-8000-00000000c10d';
export const LOCAL_INSTALL_CONTEXT = `ari:cloud:jira::site/${LOCAL_CLOUD_ID}`;
/** Matches `__forge_runtime__.appContext` in the sandbox. */
export const LOCAL_ENVIRONMENT = { environmentId: 'local', environmentType: 'DEVELOPMENT' } as const;

/** The `context` a UI module's resolver receives from the front end (before `@forge/resolver` adds to it). */
export function resolverContext(moduleKey: string, extension: Record<string, unknown>, jira: JiraEmulator) {
  return {
    localId: `${moduleKey}-local`,
    cloudId: LOCAL_CLOUD_ID,
    moduleKey,
    siteUrl: jira.baseUrl,
    extension,
    ...LOCAL_ENVIRONMENT,
    locale: 'en-US',
    timezone: 'UTC',
  };
}

/** The second argument of trigger, web trigger and scheduled trigger handlers. */
export function moduleContext(moduleKey: string) {
  return { cloudId: LOCAL_CLOUD_ID, moduleKey, installContext: LOCAL_INSTALL_CONTEXT };
}
