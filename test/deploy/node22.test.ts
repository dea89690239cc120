// Forge runs the app on nodejs22.x; these tests run on the Node of this machine (20). Node 22 from
// the npm registry (scripts/ensure-node22.sh, run before the tests) loads the Forge bundle and runs
// simulation seeds on it, with the same results as here. Skipped only where it cannot be installed.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { checkBundleLoads } from '../../deploy/bundle-load-check.js';
import { forgeNodeBinary } from '../../deploy/forge-node.js';
import { appDir } from './app-copy.js';

const run = promisify(execFile);
const node22 = forgeNodeBinary();

async function simulate(node: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    node,
    [
      '--import',
      'tsx',
      'sim/cli.ts',
      '--seeds',
      '50',
      '--from',
      '2001',
      '--bundle',
      '--workers',
      '1',
      '--json',
    ],
    { cwd: appDir },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe.skipIf(node22 === undefined)('on Node 22, as Forge runs it', () => {
  it('loads every bundled handler', () => {
    const manifest = parse(readFileSync(path.join(appDir, 'manifest.yml'), 'utf8')) as {
      modules: { function: Array<{ handler: string }> };
    };
    const handlers = manifest.modules.function.map(({ handler }) => {
      const [module, exportName] = handler.split('.') as [string, string];
      return { handler, file: path.join(appDir, '.forge-bundle', `${module}.cjs`), exportName };
    });
    expect(checkBundleLoads(handlers, node22).filter((c) => !c.ok)).toEqual([]);
  });

  it('runs 50 simulation seeds on the bundle with the same results as Node 20', async () => {
    const [on22, here] = await Promise.all([simulate(node22!), simulate(process.execPath)]);
    expect(on22['violations']).toEqual([]);
    expect(on22['commands']).toBeGreaterThan(500);
    expect(on22).toEqual(here);
  }, 120_000);
});
