// Readable tables of the results, one per scenario.
import type { CaseResult } from './run-case.js';

export interface ScenarioResults {
  name: string;
  /** How the platform held back events over their concurrency limit in these runs. */
  holdBack: string;
  approaches: CaseResult[];
}

const COLUMNS: Array<{ title: string; value: (r: CaseResult) => string }> = [
  { title: 'approach', value: (r) => r.name },
  { title: 'lost', value: (r) => String(r.lostUpdates) },
  { title: 'dup', value: (r) => String(r.duplicateEffects) },
  { title: 'KVS req/cmd', value: (r) => r.kvsRequestsPerCommand.toFixed(2) },
  { title: 'write units/cmd', value: (r) => r.writeUnitsPerCommand.toFixed(2) },
  { title: 'events/cmd', value: (r) => r.eventsPerCommand.toFixed(3) },
  { title: 'conflicts/cmd', value: (r) => r.conflictsPerCommand.toFixed(2) },
  { title: 'p50 ms', value: (r) => String(r.p50Ms) },
  { title: 'p99 ms', value: (r) => String(r.p99Ms) },
  { title: 'makespan s', value: (r) => (r.makespanMs / 1000).toFixed(1) },
  { title: 'quota min', value: (r) => r.forgeQuotaMinutes.toFixed(2) },
];

/** A Markdown table (it reads as plain text too), so the README can take it as printed. */
export function renderTable(scenario: ScenarioResults): string {
  const rows = [
    COLUMNS.map((c) => c.title),
    ...scenario.approaches.map((r) => COLUMNS.map((c) => c.value(r))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  const commands = scenario.approaches[0]?.commands ?? 0;
  return [
    `### ${scenario.name} (${commands} commands; hold-back ${scenario.holdBack})`,
    '',
    line(rows[0]!),
    rule,
    ...rows.slice(1).map(line),
  ].join('\n');
}
