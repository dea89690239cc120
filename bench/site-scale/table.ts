// The sweep's headline as a Markdown table: per approach, what one command costs and the highest
// everyday rate one installation sustains, with the limit that stops it.
import { INSTALLATION_LIMITS, type Meter } from './limits.js';
import type { Ceiling, SiteScaleResult } from './sweep.js';

const SHORT: Record<Meter, string> = {
  events: 'events',
  kvsRequests: 'KVS requests/s',
  readUnits: 'read units',
  writeUnits: 'write units',
};

/** 3 significant digits, thousands separated; "unbounded" for Infinity. */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return 'unbounded';
  if (n === 0) return '0';
  const rounded = Number(n.toPrecision(3));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function ceilingCell(c: Ceiling | undefined): string {
  if (!c) return 'n/a';
  if (!c.reportFits) return `0 (report alone: ${SHORT[c.binding!]})`;
  return c.binding ? `${formatRate(c.highestCommandsPerMinute)} (${SHORT[c.binding]})` : formatRate(Infinity);
}

const cost = (n: number | null, digits: number) => (n === null ? 'n/m' : n.toFixed(digits));

function markdownTable(header: string[], rows: string[][], leftColumns: number): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const rule = line(header.map((_, i) => (i < leftColumns ? '---' : '---:')));
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Two Markdown tables: what a command costs per approach, then its highest sustainable rates. */
export function renderCeilingTable(result: SiteScaleResult, tableIssues: number[]): string {
  const costs = markdownTable(
    [
      'approach',
      'form',
      'lost + dup in the run',
      'events/cmd',
      'KVS req/cmd',
      'read units/cmd',
      'write units/cmd',
      'report: events/issue',
      'report: write units/issue',
      'one hot issue, cmd/s',
    ],
    result.approaches.map((a) => [
      a.approach,
      a.form ?? 'n/a',
      a.lostOrDuplicated.toLocaleString('en-US'),
      cost(a.perCommand.events, 3),
      cost(a.perCommand.kvsRequests, 2),
      cost(a.perCommand.readUnits, 2),
      cost(a.perCommand.writeUnits, 2),
      cost(a.perReportIssue.events, 3),
      cost(a.perReportIssue.writeUnits, 2),
      a.hotIssueCommandsPerSecond === null ? 'n/a' : formatRate(a.hotIssueCommandsPerSecond),
    ]),
    2,
  );
  const largest = Math.max(...tableIssues);
  const ceilings = markdownTable(
    [
      'approach',
      ...tableIssues.map((n) => (n === 0 ? 'no report' : `${n.toLocaleString('en-US')} issues`)),
      `shortest report window, ${largest.toLocaleString('en-US')} issues`,
    ],
    result.approaches.map((a) => {
      const atLargest = a.ceilings.find((x) => x.issues === largest);
      return [
        a.approach,
        ...tableIssues.map((n) => ceilingCell(a.ceilings.find((c) => c.issues === n))),
        atLargest ? `${formatRate(atLargest.shortestReportWindowMinutes)} min` : 'n/a',
      ];
    }),
    1,
  );
  const limits = Object.values(INSTALLATION_LIMITS)
    .map((l) => l.label)
    .join('; ');
  return [
    costs,
    '',
    `Highest sustainable everyday commands a minute, with the daily report in its ${result.report.windowMinutes}-minute window:`,
    '',
    ceilings,
    '',
    `Limits per installation: ${limits}. In brackets: the limit that stops the rate; "report alone":`,
    'the report breaks it within its window with no everyday traffic. n/m: not measured by this bench run.',
  ].join('\n');
}
