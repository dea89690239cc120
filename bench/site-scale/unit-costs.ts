// What each approach uses per command, taken from one `npm run bench -- --json` output: the
// everyday traffic from `spread`, the daily report from `report` (per issue), and the one-issue
// ceiling from `hot-issue`. Nothing here is estimated: a figure the bench did not print is null.
import { z } from 'zod';
import { METERS, type Meter } from './limits.js';

const use = z.number().nonnegative();

/** Forge use per command as the bench prints it (`perCommand`); before it, flat `...PerCommand` fields. */
const caseResult = z
  .looseObject({
    name: z.string(),
    commands: z.number().int().positive(),
    lostUpdates: z.number(),
    duplicateEffects: z.number(),
    makespanMs: use,
    perCommand: z
      .looseObject({ events: use, kvsRequests: use, readUnits: use.optional(), writeUnits: use })
      .optional(),
    eventsPerCommand: use.optional(),
    kvsRequestsPerCommand: use.optional(),
    readUnitsPerCommand: use.optional(),
    writeUnitsPerCommand: use.optional(),
  })
  .refine(
    (r) =>
      r.perCommand !== undefined ||
      (r.eventsPerCommand !== undefined &&
        r.kvsRequestsPerCommand !== undefined &&
        r.writeUnitsPerCommand !== undefined),
    { message: 'each approach needs perCommand { events, kvsRequests, readUnits, writeUnits }' },
  );

const benchOutput = z.looseObject({
  meta: z.looseObject({ commit: z.string().optional() }).optional(),
  approaches: z.array(z.looseObject({ name: z.string(), form: z.string().optional() })).optional(),
  scenarios: z
    .array(
      z.looseObject({ name: z.string(), holdBack: z.string().optional(), approaches: z.array(caseResult) }),
    )
    .min(1),
});

export type BenchOutput = z.infer<typeof benchOutput>;
type CaseFigures = z.infer<typeof caseResult>;

/** Per meter, what one unit of work uses; null where the bench did not measure it. */
export type MeterCosts = Record<Meter, number | null>;

export interface ApproachCosts {
  approach: string;
  /** Which form of the approach the bench measured ("as usually written", "best form"), if it says. */
  form: string | null;
  /** One everyday command (`spread`: webhook deliveries over many issues). */
  perCommand: MeterCosts;
  /** One issue of the daily report (`report`). */
  perReportIssue: MeterCosts;
  /** Commands a second one hot issue took (`hot-issue`: commands / makespan); null if not run. */
  hotIssueCommandsPerSecond: number | null;
  /** Lost plus duplicated updates over every scenario of the run (0: it kept every update once). */
  lostOrDuplicated: number;
}

/** The hold-back model whose hot-issue run gives the one-issue ceiling (the bench's default). */
export const HOT_ISSUE_HOLD_BACK = 'doubling-4s';

export function parseBenchOutput(raw: unknown): BenchOutput {
  const parsed = benchOutput.safeParse(raw);
  if (!parsed.success)
    throw new Error(`not the JSON of npm run bench -- --json: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Several runs as one, scenario by scenario: runs of different scenarios at one commit (say,
 * `spread,report,hot-issue` and then `faults`). Runs that name different commits are refused.
 */
export function mergeBenchOutputs(outputs: BenchOutput[]): BenchOutput {
  const commits = new Set(outputs.flatMap((o) => (o.meta?.commit === undefined ? [] : [o.meta.commit])));
  if (commits.size > 1)
    throw new Error(`the bench runs are of different commits: ${[...commits].join(', ')}`);
  const [first, ...rest] = outputs;
  if (!first) throw new Error('no bench output to read');
  const approaches = outputs.flatMap((o) => o.approaches ?? []);
  return {
    ...first,
    ...(approaches.length > 0
      ? { approaches: approaches.filter((a, i) => approaches.findIndex((b) => b.name === a.name) === i) }
      : {}),
    scenarios: [...first.scenarios, ...rest.flatMap((o) => o.scenarios)],
  };
}

function meterCosts(figures: CaseFigures): MeterCosts {
  const per = figures.perCommand;
  const costs: MeterCosts = {
    events: per?.events ?? figures.eventsPerCommand ?? null,
    kvsRequests: per?.kvsRequests ?? figures.kvsRequestsPerCommand ?? null,
    readUnits: per ? (per.readUnits ?? null) : (figures.readUnitsPerCommand ?? null),
    writeUnits: per?.writeUnits ?? figures.writeUnitsPerCommand ?? null,
  };
  for (const meter of METERS)
    if (costs[meter] !== null && !Number.isFinite(costs[meter])) costs[meter] = null;
  return costs;
}

/**
 * Every approach that ran both `spread` and `report`. Throws if the run has neither, since the
 * sweep would have nothing to project.
 */
export function unitCosts(output: BenchOutput): ApproachCosts[] {
  const scenario = (name: string, holdBack?: string) =>
    output.scenarios.find((s) => s.name === name && (holdBack === undefined || s.holdBack === holdBack)) ??
    output.scenarios.find((s) => s.name === name);
  const spread = scenario('spread');
  const report = scenario('report');
  if (!spread || !report)
    throw new Error(
      'the bench output needs the spread and report scenarios (npm run bench -- --json --scenario spread,report,hot-issue)',
    );
  const hot = scenario('hot-issue', HOT_ISSUE_HOLD_BACK);
  return spread.approaches.flatMap((everyday): ApproachCosts[] => {
    const daily = report.approaches.find((a) => a.name === everyday.name);
    if (!daily) return [];
    const hotRun = hot?.approaches.find((a) => a.name === everyday.name);
    const runs = output.scenarios.flatMap((s) => s.approaches.filter((a) => a.name === everyday.name));
    return [
      {
        approach: everyday.name,
        form: output.approaches?.find((a) => a.name === everyday.name)?.form ?? null,
        perCommand: meterCosts(everyday),
        perReportIssue: meterCosts(daily),
        hotIssueCommandsPerSecond:
          hotRun && hotRun.makespanMs > 0 ? hotRun.commands / (hotRun.makespanMs / 1000) : null,
        lostOrDuplicated: runs.reduce((sum, r) => sum + r.lostUpdates + r.duplicateEffects, 0),
      },
    ];
  });
}
