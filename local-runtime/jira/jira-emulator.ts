// PLACEHOLDER INTERFACE — the Jira helper replaces this body. Exported names and types are the contract.
import type { ServiceContext } from '../kernel/service-context.js';

export interface JiraFixture {
  users: Array<{ accountId: string; displayName: string; projects: Record<string, Array<'BROWSE_PROJECTS' | 'EDIT_ISSUES'>> }>;
  issues: Array<Record<string, unknown>>;
}

export type JiraCaller = { kind: 'app' } | { kind: 'user'; accountId: string };

export interface JiraEmulator {
  fetch(path: string, init: RequestInit | undefined, caller: JiraCaller): Promise<Response>;
}

export function createJira(_ctx: ServiceContext, _fixture: string | JiraFixture): JiraEmulator {
  throw new Error('not implemented yet');
}
