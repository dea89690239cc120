// Readable tables of the results, one per scenario.
import type { CaseResult } from './run-case.js';

export interface ScenarioResults {
  name: string;
  /** How the platform held back events over their concurrency limit in these runs. */
  holdBack: string;
  approaches: CaseResult[];
}

const FORM_TAG = { 'as usually written': 'usual', 'best form': 'best', variant: 'variant' } as const;

const COLUMNS: Array<{ title: string; value: (r: CaseResult) => string }> = [
  { title: 'approach', value: (r) => r.name },
  { title: 'form', value: (r) => FORM_TAG[r.form] },
  { title: 'lost', value: (r) => String(r.lostUpdates) },
  { title: 'dup', value: (r) => String(r.duplicateEffects) },
  { title: 'KVS req/cmd', value: (r) => r.perCommand.kvsRequests.toFixed(2) },
  { title: 'read units/cmd', value: (r) => r.perCommand.readUnits.toFixed(2) },
  { title: 'write units/cmd', value: (r) => r.perCommand.writeUnits.toFixed(2) },
  { title: 'events/cmd', value: (r) => r.perCommand.events.toFixed(3) },
  { title: 'conflicts/cmd', value: (r) => r.perCommand.conflicts.toFixed(2) },
  { title: 'p50 ms', value: (r) => String(r.p50Ms) },
  { title: 'p99 ms', value: (r) => String(r.p99Ms) },
  { title: 'makespan s', value: (r) => (r.makespanMs / 1000).toFixed(1) },
  { title: 'quota min', value: (r) => r.forgeQuotaMinutes.toFixed(2) },
  { title: 'binds', value: (r) => r.bindingLimit },
];

/** A Markdown table (it reads as plain text too), so the docs can take it as printed. */
export function renderTable(scenario: ScenarioResults): string {
  const rows = [
    COLUMNS.map((c) => c.title),
    ...scenario.approaches.map((r) => COLUMNS.map((c) => c.value(r))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const left = (i: number) => i <= 1 || i === COLUMNS.length - 1;
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (left(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (left(i) ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  const first = scenario.approaches[0];
  const size = first
    ? `; checklists of ${first.stateSize.checklistItemsMin} to ${first.stateSize.checklistItemsMax} items, records of ${(first.stateSize.meanRecordBytes / 1024).toFixed(1)} KB on average`
    : '';
  const gaveUp = scenario.approaches.filter((r) => r.gaveUp > 0).map((r) => `${r.name} ${r.gaveUp}`);
  return [
    `### ${scenario.name} (${first?.commands ?? 0} commands; hold-back ${scenario.holdBack}${size})`,
    '',
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
    ...(gaveUp.length > 0
      ? ['', `Commands whose delivery ran out of its retry budget: ${gaveUp.join(', ')}`]
      : []),
  ].join('\n');
}
