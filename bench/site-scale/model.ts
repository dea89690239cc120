// Forge use of one installation at a site of `issues` issues receiving `commandsPerMinute`
// everyday commands, plus a daily report that writes one command per issue inside a window of
// `windowMinutes`. The busiest minute is one inside the report's window: both loads at once.
import { INSTALLATION_LIMITS, METERS, perMinute, type Meter } from './limits.js';
import type { ApproachCosts } from './unit-costs.js';

export const MINUTES_PER_DAY = 1_440;

export interface SitePoint {
  issues: number;
  commandsPerMinute: number;
}

export interface ReportSchedule {
  /** The daily report runs over every issue within this many minutes. */
  windowMinutes: number;
}

export type MeterFigures = Record<Meter, number | null>;

function perMeter(f: (meter: Meter) => number | null): MeterFigures {
  return Object.fromEntries(METERS.map((m) => [m, f(m)])) as MeterFigures;
}

function checkPoint({ issues, commandsPerMinute }: SitePoint, { windowMinutes }: ReportSchedule): void {
  if (!(issues >= 0) || !(commandsPerMinute >= 0) || !Number.isFinite(issues + commandsPerMinute))
    throw new Error(`a site point needs finite, non-negative issues and commands a minute`);
  if (!(windowMinutes > 0) || windowMinutes > MINUTES_PER_DAY)
    throw new Error(`the report window is more than 0 and at most ${MINUTES_PER_DAY} minutes`);
}

/** Use per minute in the busiest minute: everyday commands plus the report's share of its window. */
export function busiestMinuteUse(
  costs: ApproachCosts,
  point: SitePoint,
  report: ReportSchedule,
): MeterFigures {
  checkPoint(point, report);
  const reportIssuesPerMinute = point.issues / report.windowMinutes;
  return perMeter((m) => {
    const everyday = costs.perCommand[m];
    const daily = costs.perReportIssue[m];
    if (everyday === null || daily === null) return null;
    return point.commandsPerMinute * everyday + reportIssuesPerMinute * daily;
  });
}

/** Use as a fraction of each limit (1 = the limit), in the busiest minute. */
export function limitShares(costs: ApproachCosts, point: SitePoint, report: ReportSchedule): MeterFigures {
  const use = busiestMinuteUse(costs, point, report);
  return perMeter((m) => (use[m] === null ? null : use[m] / perMinute(INSTALLATION_LIMITS[m])));
}

/** Whether every measured limit holds in the busiest minute. */
export function fits(costs: ApproachCosts, point: SitePoint, report: ReportSchedule): boolean {
  return Object.values(limitShares(costs, point, report)).every((share) => share === null || share <= 1);
}

/** The limit nearest to (or furthest past) its bound; null if nothing is measured or used. */
export function bindingLimit(shares: MeterFigures): Meter | null {
  let binding: Meter | null = null;
  for (const m of METERS) {
    const share = shares[m];
    if (share !== null && share > 0 && (binding === null || share > shares[binding]!)) binding = m;
  }
  return binding;
}

/** A day's use divided by a day's commands (everyday ones and one per issue for the report). */
export function dailyCostPerCommand(costs: ApproachCosts, point: SitePoint): MeterFigures {
  const everydayCommands = point.commandsPerMinute * MINUTES_PER_DAY;
  const commands = everydayCommands + point.issues;
  return perMeter((m) => {
    const everyday = costs.perCommand[m];
    const daily = costs.perReportIssue[m];
    if (everyday === null || daily === null || commands === 0) return null;
    return (everydayCommands * everyday + point.issues * daily) / commands;
  });
}

/**
 * The shortest window the report over `issues` issues fits in with no everyday traffic: its use
 * of each limit spread evenly over the window.
 */
export function shortestReportWindowMinutes(costs: ApproachCosts, issues: number): number {
  return Math.max(
    0,
    ...METERS.map((m) => {
      const daily = costs.perReportIssue[m];
      return daily === null ? 0 : (issues * daily) / perMinute(INSTALLATION_LIMITS[m]);
    }),
  );
}
