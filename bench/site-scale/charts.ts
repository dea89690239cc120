// The sweep as SVG charts, drawn by Vega-Lite and rendered by Vega in Node (no browser): cost per
// command and use of each limit along the sweep, and the highest sustainable rate per site size.
import type { TopLevelSpec } from 'vega-lite';
import { INSTALLATION_LIMITS, METERS, type Meter } from './limits.js';
import type { SiteScaleResult } from './sweep.js';

export const CHART_FILES = {
  costPerCommand: 'cost-per-command.svg',
  limitUse: 'limit-use.svg',
  ceiling: 'highest-sustainable-rate.svg',
} as const;
export type ChartName = keyof typeof CHART_FILES;

const PANEL_TITLES: Record<Meter, string> = {
  events: 'async events',
  kvsRequests: 'KVS requests',
  readUnits: 'KVS read units (10 KB)',
  writeUnits: 'KVS write units (10 KB)',
};

const COMMANDS_AXIS = 'everyday commands a minute';

/** The subtitle's first lines: which bench run, and what the x axis walks through. */
function source(result: SiteScaleResult): string[] {
  const load = result.approaches[0]?.load ?? [];
  const first = load[0];
  const last = load[load.length - 1];
  const path =
    first && last
      ? `the site grows from ${first.issues.toLocaleString('en-US')} issues at ${first.commandsPerMinute} a minute to ${last.issues.toLocaleString('en-US')} at ${last.commandsPerMinute.toLocaleString('en-US')}`
      : '';
  return [
    `costs measured by ${result.bench.command} at ${result.bench.commit}`,
    `${path}; a daily report writes one command per issue within ${result.report.windowMinutes} minutes`,
  ];
}

function unmeasured(result: SiteScaleResult): Meter[] {
  return METERS.filter((m) => result.approaches.every((a) => a.perCommand[m] === null));
}

function subtitle(result: SiteScaleResult, ...extra: string[]): string[] {
  const missing = unmeasured(result);
  return [
    ...source(result),
    ...extra,
    ...(missing.length > 0
      ? [`not measured in this run, so not drawn: ${missing.map((m) => PANEL_TITLES[m]).join(', ')}`]
      : []),
  ];
}

const colorBy = (result: SiteScaleResult) => ({
  field: 'approach',
  type: 'nominal' as const,
  title: 'approach',
  sort: result.approaches.map((a) => a.approach),
  scale: { scheme: 'category10' },
  legend: { orient: 'bottom' as const, columns: 4, labelLimit: 200 },
});

/** Lines of approaches with the same costs coincide: a shape per approach keeps each one visible. */
const shapeBy = (result: SiteScaleResult) => ({
  field: 'approach',
  type: 'nominal' as const,
  title: 'approach',
  sort: result.approaches.map((a) => a.approach),
  scale: {
    range: [
      'circle',
      'square',
      'triangle-up',
      'diamond',
      'cross',
      'triangle-down',
      'triangle-right',
      'triangle-left',
      'wedge',
      'arrow',
    ],
  },
  legend: { orient: 'bottom' as const, columns: 4, labelLimit: 200 },
});

const POINTS = { filled: false, size: 45 };

const panelOrder = METERS.map((m) => PANEL_TITLES[m]);

export function costPerCommandSpec(result: SiteScaleResult): TopLevelSpec {
  const values = result.approaches.flatMap((a) =>
    a.load.flatMap((p) =>
      METERS.flatMap((m) => {
        const value = p.costPerCommand[m];
        return value !== null && value > 0
          ? [
              {
                approach: a.approach,
                panel: PANEL_TITLES[m],
                commandsPerMinute: p.commandsPerMinute,
                issues: p.issues,
                value,
              },
            ]
          : [];
      }),
    ),
  );
  return {
    title: {
      text: 'Forge use per command as the site grows (a day, the daily report included)',
      subtitle: subtitle(
        result,
        'log scales; 0 is not drawn: an approach that pushes no event for a command has only its report in events',
      ),
    },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panelOrder },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300,
      height: 200,
      layer: [
        {
          name: 'approaches',
          mark: { type: 'line', point: POINTS },
          encoding: {
            x: {
              field: 'commandsPerMinute',
              type: 'quantitative',
              scale: { type: 'log' },
              title: COMMANDS_AXIS,
            },
            y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'per command' },
            color: colorBy(result),
            shape: shapeBy(result),
          },
        },
      ],
    },
  };
}

export function limitUseSpec(result: SiteScaleResult): TopLevelSpec {
  const values = result.approaches.flatMap((a) =>
    a.load.flatMap((p) =>
      METERS.flatMap((m) => {
        const share = p.limitShares[m];
        return share !== null && share > 0
          ? [
              {
                approach: a.approach,
                panel: PANEL_TITLES[m],
                commandsPerMinute: p.commandsPerMinute,
                issues: p.issues,
                percent: share * 100,
              },
            ]
          : [];
      }),
    ),
  );
  const limits = METERS.map((m) => `${PANEL_TITLES[m]} ${INSTALLATION_LIMITS[m].label.split(', ')[1]}`).join(
    '; ',
  );
  return {
    title: {
      text: "Use of each installation limit in the busiest minute (everyday commands + the report's window)",
      subtitle: subtitle(
        result,
        `100 % (red) is the limit: ${limits}`,
        'headroom is the gap below the red line; log scales',
      ),
    },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panelOrder },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300,
      height: 200,
      layer: [
        {
          name: 'approaches',
          mark: { type: 'line', point: POINTS },
          encoding: {
            x: {
              field: 'commandsPerMinute',
              type: 'quantitative',
              scale: { type: 'log' },
              title: COMMANDS_AXIS,
            },
            y: { field: 'percent', type: 'quantitative', scale: { type: 'log' }, title: '% of the limit' },
            color: colorBy(result),
            shape: shapeBy(result),
          },
        },
        {
          name: 'limit',
          mark: { type: 'rule', color: 'red', strokeDash: [4, 3] },
          encoding: { y: { datum: 100 } },
        },
      ],
    },
  };
}

export function ceilingSpec(result: SiteScaleResult): TopLevelSpec {
  const finite = result.approaches.flatMap((a) =>
    a.ceilings.flatMap((c) =>
      c.issues > 0 && Number.isFinite(c.highestCommandsPerMinute) && c.highestCommandsPerMinute > 0
        ? [
            {
              approach: a.approach,
              issues: c.issues,
              rate: c.highestCommandsPerMinute,
              binding: c.binding ?? 'none',
            },
          ]
        : [],
    ),
  );
  const demand = (result.approaches[0]?.load ?? []).map((p) => ({
    issues: p.issues,
    rate: p.commandsPerMinute,
  }));
  return {
    title: {
      text: 'Highest sustainable everyday command rate, by site size',
      subtitle: subtitle(
        result,
        "the largest rate at which every limit holds in the report's window; dashed: the sweep's own load",
        'an approach whose report alone breaks a limit in its window drops out there (rate 0); log scales',
      ),
    },
    width: 560,
    height: 320,
    layer: [
      {
        name: 'approaches',
        data: { values: finite },
        mark: { type: 'line', point: POINTS },
        encoding: {
          x: {
            field: 'issues',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'issues (each gets one report command a day)',
          },
          y: { field: 'rate', type: 'quantitative', scale: { type: 'log' }, title: 'commands a minute' },
          color: colorBy(result),
          shape: shapeBy(result),
        },
      },
      {
        name: 'load',
        data: { values: demand },
        mark: { type: 'line', color: 'black', strokeDash: [6, 4] },
        encoding: {
          x: { field: 'issues', type: 'quantitative' },
          y: { field: 'rate', type: 'quantitative' },
        },
      },
    ],
  };
}

const SPECS: Record<ChartName, (result: SiteScaleResult) => TopLevelSpec> = {
  costPerCommand: costPerCommandSpec,
  limitUse: limitUseSpec,
  ceiling: ceilingSpec,
};

/** Every chart as SVG text, by name. Vega is ESM with top-level await, so it is imported lazily. */
export async function renderCharts(result: SiteScaleResult): Promise<Record<ChartName, string>> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const rendered = {} as Record<ChartName, string>;
  for (const name of Object.keys(SPECS) as ChartName[]) {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      background: 'white',
      config: {
        font: 'Helvetica, Arial, sans-serif',
        title: { anchor: 'start', subtitleFontSize: 11 },
        // Log axes would otherwise draw a grid line at every 2..9 of each decade: heavy files, busy charts.
        axis: { tickCount: 5 },
      },
      ...SPECS[name](result),
    } as TopLevelSpec;
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    rendered[name] = await view.toSVG();
    view.finalize();
  }
  return rendered;
}
