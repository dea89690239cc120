// A readable digest of one issue's stored state. Records written by older deployments may lack
// fields, so every part is optional here and missing parts read as empty.
import { checklistView, type IssueState } from '../../src/shared/issue-data/issue-writer.js';
import type { IssueSummary } from '../console-types.js';

const MAX_ITEMS = 50;
const MAX_EXTERNAL = 3;

export function summarizeIssue(state: IssueState | undefined): IssueSummary {
  const items = state?.checklist ? checklistView(state) : [];
  const activity = state?.activity;
  const transition = activity?.lastTransition?.value;
  return {
    checklist: {
      total: items.length,
      done: items.filter((i) => i.checked).length,
      items: items.slice(0, MAX_ITEMS),
    },
    activity: {
      created: activity?.counts?.created ?? 0,
      updated: activity?.counts?.updated ?? 0,
      commented: activity?.counts?.commented ?? 0,
      ...(transition
        ? { lastTransition: { from: transition.from, to: transition.to, at: transition.at } }
        : {}),
      external: (activity?.external ?? []).slice(0, MAX_EXTERNAL).map((e) => ({
        kind: e.kind,
        environment: e.environment,
        status: e.status,
        at: e.at,
      })),
    },
    reports: Object.entries(state?.reports ?? {})
      .map(([kind, register]) => ({
        kind,
        runId: register.value.runId,
        computedAt: register.value.computedAt,
        transitions: register.value.transitions,
        statuses: Object.keys(register.value.timeInStatusMs ?? {}).length,
      }))
      .sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    ...(state?.deletedAt !== undefined ? { deletedAt: state.deletedAt } : {}),
  };
}
