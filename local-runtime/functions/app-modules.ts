// PLACEHOLDER — the functions helper replaces this: resolvers, product triggers, web triggers, scheduled triggers.
import type { ServiceContext } from '../kernel/service-context.js';
import type { AppManifest } from '../manifest/app-manifest.js';
import type { FunctionRunner } from './function-runner.js';
import type { JiraEmulator } from '../jira/jira-emulator.js';

export class AppModules {
  constructor(
    readonly ctx: ServiceContext,
    readonly manifest: AppManifest,
    readonly functions: FunctionRunner,
    readonly jira: JiraEmulator,
  ) {}
}
