// The issue's stored record shaped for the panel: the visible checklist with ranks, activity, and
// the latest result of each report kind.
import { checklistView, type IssueRecord } from '../shared/issue-data/issue-writer';
import type { IssueStateView } from '../shared/resolver-api';

export function issueStateView(
  record: IssueRecord,
  issue: { id: string; key: string },
  viewer: IssueStateView['viewer'],
): IssueStateView {
  const { state } = record;
  const transition = state.activity.lastTransition?.value;
  return {
    issue,
    version: record.version,
    updatedAt: record.updatedAt,
    checklist: checklistView(state).map((item) => ({
      ...item,
      rank: state.checklist[item.itemId]?.rank?.value ?? 0,
    })),
    activity: {
      counts: { ...state.activity.counts },
      ...(transition ? { lastTransition: { ...transition } } : {}),
      external: state.activity.external.map((e) => ({ ...e })),
    },
    reports: Object.entries(state.reports)
      .map(([reportKind, register]) => ({ reportKind, ...register.value }))
      .sort((a, b) => b.computedAt - a.computedAt),
    viewer,
  };
}
