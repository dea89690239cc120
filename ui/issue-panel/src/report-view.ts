// The latest report result for this issue, and (for Jira administrators) the report job controls.
import type { ReportJobSummary, ReportResultView } from '../../../src/shared/resolver-api.js';
import { h } from '../../shared/dom.js';
import { formatDuration, formatTime } from './format.js';

export function latestReport(report: ReportResultView | undefined): HTMLElement {
  if (!report)
    return h('p', { class: 'muted', 'data-testid': 'report-empty' }, 'No report has run for this issue yet.');
  const entries = Object.entries(report.timeInStatusMs).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0) || 1;
  return h(
    'div',
    { 'data-testid': 'report' },
    h(
      'p',
      { class: 'muted' },
      `Time in status, computed ${formatTime(report.computedAt)} · ${report.transitions} transition${report.transitions === 1 ? '' : 's'}`,
    ),
    h(
      'table',
      { class: 'report' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col' }, 'Time'),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Share')),
        ),
      ),
      h(
        'tbody',
        {},
        ...entries.map(([status, ms]) =>
          h(
            'tr',
            { 'data-testid': 'report-row' },
            h('th', { scope: 'row' }, status),
            h('td', {}, formatDuration(ms)),
            h(
              'td',
              { class: 'bar-cell' },
              h('span', { class: 'bar', style: `width: ${Math.max(2, Math.round((ms / total) * 100))}%` }),
            ),
          ),
        ),
      ),
    ),
  );
}

export interface JobActions {
  start(): void;
  cancel(job: ReportJobSummary): void;
}

export function jobControls(
  job: ReportJobSummary | undefined,
  busy: boolean,
  actions: JobActions,
): HTMLElement {
  const running = job?.state === 'running';
  return h(
    'div',
    { class: 'jobs', 'data-testid': 'report-job' },
    job
      ? h(
          'p',
          { 'data-testid': 'report-job-state' },
          `Report job ${job.state}`,
          job.total !== null ? `: ${job.done} of ${job.total} issues` : `: ${job.done} issues`,
          job.failed > 0 ? `, ${job.failed} failed` : '',
          running
            ? h('progress', {
                max: job.total ?? 1,
                value: job.total ? job.done : 0,
                'aria-label': 'Report progress',
              })
            : '',
        )
      : '',
    running
      ? h(
          'button',
          {
            type: 'button',
            class: 'button',
            disabled: busy,
            'data-testid': 'report-cancel',
            onclick: () => job && actions.cancel(job),
          },
          'Cancel report',
        )
      : h(
          'button',
          {
            type: 'button',
            class: 'button',
            disabled: busy,
            'data-testid': 'report-start',
            onclick: () => actions.start(),
          },
          'Run report now',
        ),
  );
}
