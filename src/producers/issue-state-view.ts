// The issue's stored record shaped for the panel: the visible checklist with ranks, activity, and
// the latest result of each report kind.
import { checklistView, type IssueRecord } from '../shared/issue-data/issue-writer';
import type { Register } from '../shared/issue-data/issue-state';
import type { FieldRevision, IssueStateView } from '../shared/resolver-api';

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
    checklist: checklistView(state).map((item) => {
      const entry = state.checklist[item.itemId];
      return {
        ...item,
        rank: entry?.rank?.value ?? 0,
        revisions: {
          text: revisionOf(entry?.text),
          checked: revisionOf(entry?.checked),
          rank: revisionOf(entry?.rank),
        },
      };
    }),
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

function revisionOf<T>(register: Register<T> | undefined): FieldRevision | null {
  if (!register) return null;
  const { at, id, by } = register.stamp;
  return by === undefined ? { at, id } : { at, id, by };
}
