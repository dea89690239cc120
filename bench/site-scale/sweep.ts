// The sweep from one busy team to a large site: for every approach, its use of each limit and
// its cost per command along the way, and its highest sustainable command rate per site size.
import { largestHolding } from './bisect.js';
import { INSTALLATION_LIMITS, perMinute, type InstallationLimit, type Meter } from './limits.js';
import {
  bindingLimit,
  dailyCostPerCommand,
  fits,
  limitShares,
  shortestReportWindowMinutes,
  type MeterFigures,
  type ReportSchedule,
  type SitePoint,
} from './model.js';
import type { ApproachCosts, MeterCosts } from './unit-costs.js';

/** Where the unit costs came from. */
export interface BenchSource {
  /** The command that printed the bench JSON. */
  command: string;
  /** The commit the bench ran at. */
  commit: string;
  /** The saved files it was read from, comma-separated, if any. */
  file?: string;
}

export interface SweepOptions {
  report: ReportSchedule;
  /** Points on the way from the smallest to the largest site, both ends included. */
  steps: number;
  from: SitePoint;
  to: SitePoint;
  /** Site sizes (issues) for the table of highest sustainable rates. */
  tableIssues: number[];
}

export const DEFAULT_SWEEP: SweepOptions = {
  // Overnight: a daily job over every issue of a large site does not fit in one hour at realistic
  // state sizes (docs/site-scale.md), and needs not.
  report: { windowMinutes: 240 },
  steps: 17,
  from: { issues: 10, commandsPerMinute: 1 },
  to: { issues: 100_000, commandsPerMinute: 5_000 },
  tableIssues: [0, 1_000, 10_000, 100_000],
};

export interface LoadPoint extends SitePoint {
  /** Use of each limit in the busiest minute, 1 = the limit. */
  limitShares: MeterFigures;
  /** A day's use per command, the report's included. */
  costPerCommand: MeterFigures;
  binding: Meter | null;
}

export interface Ceiling {
  issues: number;
  /** The largest everyday rate at which every limit holds, report window included; Infinity if none binds. */
  highestCommandsPerMinute: number;
  /** The limit that stops it; at 0, the one the report alone breaks. */
  binding: Meter | null;
  /** False when the report alone breaks a limit within its window (the rate is then 0). */
  reportFits: boolean;
  /** The shortest window the report over these issues fits in, with no everyday traffic. */
  shortestReportWindowMinutes: number;
}

export interface ApproachSweep {
  approach: string;
  form: string | null;
  lostOrDuplicated: number;
  perCommand: MeterCosts;
  perReportIssue: MeterCosts;
  hotIssueCommandsPerSecond: number | null;
  load: LoadPoint[];
  ceilings: Ceiling[];
}

export interface SiteScaleResult {
  bench: BenchSource;
  report: ReportSchedule;
  limits: Array<InstallationLimit & { perMinute: number }>;
  approaches: ApproachSweep[];
}

/** `steps` points spaced evenly on log scales from `from` to `to` (issues rounded to whole ones). */
export function sitePath(from: SitePoint, to: SitePoint, steps: number): SitePoint[] {
  if (!Number.isInteger(steps) || steps < 2) throw new Error('a sweep has at least 2 steps');
  if (from.issues <= 0 || from.commandsPerMinute <= 0 || to.issues <= 0 || to.commandsPerMinute <= 0)
    throw new Error('the sweep runs between positive site sizes (log scale)');
  const between = (a: number, b: number, t: number) => a * (b / a) ** t;
  return Array.from({ length: steps }, (_, i) => {
    const t = i / (steps - 1);
    return {
      issues: Math.round(between(from.issues, to.issues, t)),
      commandsPerMinute: Number(between(from.commandsPerMinute, to.commandsPerMinute, t).toPrecision(4)),
    };
  });
}

export function ceilingAt(costs: ApproachCosts, issues: number, report: ReportSchedule): Ceiling {
  const holds = (commandsPerMinute: number) => fits(costs, { issues, commandsPerMinute }, report);
  const reportFits = holds(0);
  const highest = largestHolding(holds);
  const sharesAt = (r: number) => limitShares(costs, { issues, commandsPerMinute: r }, report);
  return {
    issues,
    highestCommandsPerMinute: highest,
    binding: Number.isFinite(highest) ? bindingLimit(sharesAt(highest)) : null,
    reportFits,
    shortestReportWindowMinutes: shortestReportWindowMinutes(costs, issues),
  };
}

export function sweep(
  approaches: ApproachCosts[],
  bench: BenchSource,
  options: SweepOptions = DEFAULT_SWEEP,
): SiteScaleResult {
  const path = sitePath(options.from, options.to, options.steps);
  const ceilingIssues = [...new Set([...options.tableIssues, ...path.map((p) => p.issues)])].sort(
    (a, b) => a - b,
  );
  return {
    bench,
    report: options.report,
    limits: Object.values(INSTALLATION_LIMITS).map((l) => ({ ...l, perMinute: perMinute(l) })),
    approaches: approaches.map((costs) => ({
      approach: costs.approach,
      form: costs.form,
      lostOrDuplicated: costs.lostOrDuplicated,
      perCommand: costs.perCommand,
      perReportIssue: costs.perReportIssue,
      hotIssueCommandsPerSecond: costs.hotIssueCommandsPerSecond,
      load: path.map((point) => {
        const shares = limitShares(costs, point, options.report);
        return {
          ...point,
          limitShares: shares,
          costPerCommand: dailyCostPerCommand(costs, point),
          binding: bindingLimit(shares),
        };
      }),
      ceilings: ceilingIssues.map((issues) => ceilingAt(costs, issues, options.report)),
    })),
  };
}
