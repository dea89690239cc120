// The site-scale sweep: its arithmetic on inputs whose answer is known, the bisection, the bench
// JSON it reads (both shapes), and the charts: well-formed SVG with one series per approach.
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { largestHolding } from '../../bench/site-scale/bisect.js';
import { renderCharts } from '../../bench/site-scale/charts.js';
import {
  dailyCostPerCommand,
  fits,
  limitShares,
  shortestReportWindowMinutes,
} from '../../bench/site-scale/model.js';
import { ceilingAt, sitePath, sweep } from '../../bench/site-scale/sweep.js';
import { renderCeilingTable } from '../../bench/site-scale/table.js';
import {
  mergeBenchOutputs,
  parseBenchOutput,
  unitCosts,
  type ApproachCosts,
} from '../../bench/site-scale/unit-costs.js';

const none = { events: 0, kvsRequests: 0, readUnits: 0, writeUnits: 0 };
const approach = (over: Partial<ApproachCosts>): ApproachCosts => ({
  approach: 'a',
  form: null,
  perCommand: { ...none },
  perReportIssue: { ...none },
  hotIssueCommandsPerSecond: null,
  lostOrDuplicated: 0,
  ...over,
});
const hour = { windowMinutes: 60 };

describe('the model', () => {
  it('puts a limit at exactly 100 % at the rate that reaches it, and past it just above', () => {
    const oneEvent = approach({ perCommand: { ...none, events: 1 } });
    expect(limitShares(oneEvent, { issues: 0, commandsPerMinute: 500 }, hour).events).toBe(1);
    expect(fits(oneEvent, { issues: 0, commandsPerMinute: 500 }, hour)).toBe(true);
    expect(fits(oneEvent, { issues: 0, commandsPerMinute: 500.01 }, hour)).toBe(false);
  });

  it('compares a per-second limit on its own window: 1,000 KVS requests a second is 60,000 a minute', () => {
    const sixty = approach({ perCommand: { ...none, kvsRequests: 60 } });
    expect(limitShares(sixty, { issues: 0, commandsPerMinute: 1_000 }, hour).kvsRequests).toBe(1);
  });

  it("adds the report's window to the everyday load, and the lowest ceiling binds", () => {
    // 6,000 report issues in 60 minutes take 100 of the 500 events a minute: 400 are left.
    const costs = approach({
      perCommand: { ...none, events: 1, kvsRequests: 60 },
      perReportIssue: { ...none, events: 1 },
    });
    const ceiling = ceilingAt(costs, 6_000, hour);
    expect(ceiling.highestCommandsPerMinute).toBeCloseTo(400, 6);
    expect(ceiling.binding).toBe('events');
    expect(ceiling.reportFits).toBe(true);
    // Without the report, KVS requests (1,000 a minute of commands) would bind past events' 500.
    expect(ceilingAt(costs, 0, hour).highestCommandsPerMinute).toBeCloseTo(500, 6);
  });

  it('gives 0, and the limit the report breaks, when the report alone does not fit its window', () => {
    const costs = approach({
      perCommand: { ...none, events: 1 },
      perReportIssue: { ...none, writeUnits: 8 },
    });
    // 30,000 issues x 8 write units = 240,000 units, 60 minutes at 4,000 a minute: exactly fits.
    expect(ceilingAt(costs, 30_000, hour).reportFits).toBe(true);
    const ceiling = ceilingAt(costs, 30_001, hour);
    expect(ceiling).toMatchObject({ highestCommandsPerMinute: 0, binding: 'writeUnits', reportFits: false });
    expect(shortestReportWindowMinutes(costs, 30_000)).toBe(60);
  });

  it("averages a day's use over a day's commands, the report's included", () => {
    const costs = approach({
      perCommand: { ...none, writeUnits: 1 },
      perReportIssue: { ...none, writeUnits: 3 },
    });
    // 1,440 everyday commands at 1 unit and 1,440 report commands at 3: 2 units a command.
    expect(dailyCostPerCommand(costs, { issues: 1_440, commandsPerMinute: 1 }).writeUnits).toBe(2);
  });

  it('leaves an unmeasured meter out of the limits instead of guessing it', () => {
    const costs = approach({
      perCommand: { ...none, readUnits: null },
      perReportIssue: { ...none, readUnits: null },
    });
    expect(limitShares(costs, { issues: 10, commandsPerMinute: 10 }, hour).readUnits).toBeNull();
    expect(ceilingAt(costs, 10, hour)).toMatchObject({ highestCommandsPerMinute: Infinity, binding: null });
  });

  it('refuses a negative load or a report window past a day', () => {
    const costs = approach({});
    expect(() => fits(costs, { issues: -1, commandsPerMinute: 1 }, hour)).toThrow(/non-negative/);
    expect(() => fits(costs, { issues: 1, commandsPerMinute: 1 }, { windowMinutes: 2_000 })).toThrow(
      /window/,
    );
  });

  it('walks from one busy team to a large site on log steps, both ends included', () => {
    const path = sitePath(
      { issues: 10, commandsPerMinute: 1 },
      { issues: 100_000, commandsPerMinute: 5_000 },
      5,
    );
    expect(path.map((p) => p.issues)).toEqual([10, 100, 1_000, 10_000, 100_000]);
    expect(path[0]!.commandsPerMinute).toBe(1);
    expect(path[4]!.commandsPerMinute).toBe(5_000);
  });
});

describe('largestHolding (bisection)', () => {
  it('finds the edge of a threshold', () => {
    expect(largestHolding((x) => x <= 123.456)).toBeCloseTo(123.456, 6);
    expect(largestHolding((x) => x * x <= 2)).toBeCloseTo(Math.SQRT2, 8);
  });

  it('answers 0 when nothing holds and Infinity when everything does', () => {
    expect(largestHolding(() => false)).toBe(0);
    expect(largestHolding(() => true)).toBe(Infinity);
  });
});

/** A bench output in the shape `npm run bench -- --json` prints: `perCommand` per case. */
function benchOutput(names: string[]) {
  const run = (name: string, i: number, scale: number) => ({
    name,
    commands: 500,
    lostUpdates: name === 'naive' ? 3 : 0,
    duplicateEffects: 0,
    makespanMs: 10_000 * (i + 1),
    perCommand: {
      events: i === 0 ? 0 : scale / (i + 1),
      kvsRequests: 2 * scale,
      readUnits: 3 * scale,
      writeUnits: (i + 1) * scale,
    },
  });
  return {
    meta: { commit: 'abc1234' },
    approaches: names.map((name) => ({ name, form: 'best form' })),
    scenarios: [
      { name: 'hot-issue', holdBack: 'doubling-4s', approaches: names.map((n, i) => run(n, i, 2)) },
      { name: 'spread', holdBack: 'doubling-4s', approaches: names.map((n, i) => run(n, i, 1)) },
      { name: 'report', holdBack: 'doubling-4s', approaches: names.map((n, i) => run(n, i, 0.5)) },
    ],
  };
}

describe('reading the bench JSON', () => {
  it('takes per-command costs from spread, per-issue ones from report, and the hot issue rate', () => {
    const [naive, writer] = unitCosts(parseBenchOutput(benchOutput(['naive', 'writer'])));
    expect(naive).toMatchObject({
      approach: 'naive',
      lostOrDuplicated: 9,
      form: 'best form',
      hotIssueCommandsPerSecond: 50,
    });
    expect(writer!.perCommand).toEqual({ events: 0.5, kvsRequests: 2, readUnits: 3, writeUnits: 2 });
    expect(writer!.perReportIssue.writeUnits).toBe(1);
  });

  it('reads the older flat shape, whose read units were not measured, as null', () => {
    const flat = {
      scenarios: ['spread', 'report'].map((name) => ({
        name,
        approaches: [
          {
            name: 'writer',
            commands: 10,
            lostUpdates: 0,
            duplicateEffects: 0,
            makespanMs: 1,
            eventsPerCommand: 1,
            kvsRequestsPerCommand: 2,
            writeUnitsPerCommand: 1,
          },
        ],
      })),
    };
    expect(unitCosts(parseBenchOutput(flat))[0]!.perCommand).toEqual({
      events: 1,
      kvsRequests: 2,
      readUnits: null,
      writeUnits: 1,
    });
  });

  it('says what is wrong with input that is not a bench output', () => {
    expect(() => parseBenchOutput({ scenarios: [] })).toThrow(/not the JSON of npm run bench/);
    expect(() => unitCosts(parseBenchOutput({ scenarios: [{ name: 'hot-issue', approaches: [] }] }))).toThrow(
      /spread and report/,
    );
  });
});

describe('the charts and the table', () => {
  const names = ['naive', 'caller-cas', 'writer', 'writer-batched'];
  const result = sweep(
    unitCosts(parseBenchOutput(benchOutput(names))),
    { command: 'test', commit: 'abc1234' },
    {
      report: hour,
      steps: 5,
      from: { issues: 10, commandsPerMinute: 1 },
      to: { issues: 100_000, commandsPerMinute: 5_000 },
      tableIssues: [0, 100_000],
    },
  );

  it('are well-formed SVG with one line series per approach, titled with the bench commit', async () => {
    const charts = await renderCharts(result);
    expect(Object.keys(charts).sort()).toEqual(['ceiling', 'costPerCommand', 'limitUse']);
    for (const svg of Object.values(charts)) {
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toContain('abc1234');
      const series = [
        ...svg.matchAll(
          /class="mark-line role-mark approaches_marks"[^>]*><path aria-label="[^"]*approach: ([^";]+)/g,
        ),
      ];
      expect(new Set(series.map((m) => m[1]))).toEqual(new Set(names));
    }
    // The limit line is drawn in every panel of the limit chart.
    expect(charts.limitUse).toContain('limit_marks');
  }, 20_000);

  it('tables each approach twice: its costs, then its highest rates with the limit that binds', () => {
    const tables = renderCeilingTable(result, [0, 100_000])
      .split('\n\n')
      .filter((block) => block.startsWith('| approach'));
    expect(tables).toHaveLength(2);
    for (const table of tables) expect(table.split('\n').length).toBe(2 + names.length);
    expect(tables[0]).toMatch(/\| writer \| best form \| 0 \|/);
    expect(tables[1]).toMatch(/\| writer \| [0-9,.]+ \((events|KVS requests\/s|read units|write units)\) \|/);
  });
});

describe('several bench runs as one', () => {
  it('joins the scenarios of runs at one commit, and refuses runs of different commits', () => {
    const a = parseBenchOutput({
      ...benchOutput(['writer']),
      scenarios: benchOutput(['writer']).scenarios.slice(0, 2),
    });
    const b = parseBenchOutput({
      ...benchOutput(['writer']),
      scenarios: benchOutput(['writer']).scenarios.slice(2),
    });
    expect(mergeBenchOutputs([a, b]).scenarios.map((s) => s.name)).toEqual(['hot-issue', 'spread', 'report']);
    expect(unitCosts(mergeBenchOutputs([a, b]))).toHaveLength(1);
    const other = parseBenchOutput({ ...benchOutput(['writer']), meta: { commit: 'def5678' } });
    expect(() => mergeBenchOutputs([a, other])).toThrow(/different commits: abc1234, def5678/);
  });
});
