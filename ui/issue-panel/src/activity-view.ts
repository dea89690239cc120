// Activity on the issue: event counts, the last status change, and external deployment events.
import type { IssueStateView } from '../../../src/shared/resolver-api.js';
import { h } from '../../shared/dom.js';
import { formatTime } from './format.js';

export function activityView(activity: IssueStateView['activity']): HTMLElement {
  const { counts, lastTransition, external } = activity;
  return h(
    'div',
    { 'data-testid': 'activity' },
    h(
      'dl',
      { class: 'stats' },
      stat('Created', counts.created, 'count-created'),
      stat('Updates', counts.updated, 'count-updated'),
      stat('Comments', counts.commented, 'count-commented'),
    ),
    h(
      'p',
      { class: 'transition', 'data-testid': 'last-transition' },
      lastTransition
        ? h(
            'span',
            {},
            'Last status change: ',
            h('span', { class: 'lozenge' }, lastTransition.from || 'none'),
            ' → ',
            h('span', { class: 'lozenge' }, lastTransition.to),
            ` on ${formatTime(lastTransition.at)}`,
          )
        : 'No status changes recorded yet.',
    ),
    external.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'deployments-empty' }, 'No deployments or builds reported.')
      : h(
          'ul',
          { class: 'events', 'aria-label': 'Deployments and builds', 'data-testid': 'deployments' },
          ...external.map((e) =>
            h(
              'li',
              { 'data-testid': 'deployment' },
              h('span', { class: `lozenge ${statusTone(e.status)}` }, e.status),
              ' ',
              e.url
                ? h(
                    'a',
                    { href: e.url, target: '_blank', rel: 'noreferrer' },
                    `${e.kind} to ${e.environment}`,
                  )
                : `${e.kind} to ${e.environment}`,
              h('span', { class: 'muted' }, ` · ${formatTime(e.at)}`),
            ),
          ),
        ),
  );
}

function stat(label: string, value: number, testId: string): HTMLElement {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
}

function statusTone(status: string): string {
  if (status === 'succeeded') return 'success';
  if (status === 'failed' || status === 'rolled-back') return 'danger';
  return 'progress';
}
