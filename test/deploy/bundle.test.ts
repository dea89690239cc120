// What `forge deploy` would upload: every handler module in manifest.yml bundled by Forge's own
// bundler (`npm run bundle`, run before the tests), loading under plain node. And proof that the
// check fails on the two configurations that broke deploys before: a tsconfig with `noEmit`, and
// relative imports written with a `.js` extension that Forge's webpack does not map to `.ts`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkBundleLoads } from '../../deploy/bundle-load-check.js';
import { appCopies, appDir } from './app-copy.js';
const bundleDir = path.join(appDir, '.forge-bundle');
const run = promisify(execFile);

interface ManifestFunctions {
  modules: { function: Array<{ key: string; handler: string }> };
}

function manifestHandlers(): string[] {
  const manifest = parse(readFileSync(path.join(appDir, 'manifest.yml'), 'utf8')) as ManifestFunctions;
  return [...new Set(manifest.modules.function.map((f) => f.handler))];
}

describe('the Forge bundle of this app', () => {
  it('has a bundle for every handler in manifest.yml, each loading under plain node', () => {
    const handlers = manifestHandlers();
    expect(handlers.length).toBeGreaterThanOrEqual(6);
    const checks = checkBundleLoads(
      handlers.map((handler) => {
        const [module, exportName] = handler.split('.') as [string, string];
        return { handler, file: path.join(bundleDir, `${module}.cjs`), exportName };
      }),
    );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.detail)).toEqual(handlers.map(() => 'function'));
  });
});

describe.concurrent('npm run bundle on a broken app', () => {
  const copies = appCopies();
  afterAll(() => copies.removeAll());

  async function bundle(dir: string): Promise<{ code: number; output: string }> {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', path.join(appDir, 'deploy/bundle.ts'), '--app-dir', dir],
        { cwd: appDir },
      );
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  }

  it('fails when tsconfig.json says noEmit', async () => {
    const dir = copies.withEdit(
      'tsconfig.json',
      '"compilerOptions": {',
      '"compilerOptions": {\n    "noEmit": true,',
    );
    const result = await bundle(dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain('TypeScript emitted no output');
  }, 120_000);

  it('fails when a relative import is written with .js', async () => {
    const dir = copies.withEdit(
      'src/producers/jira-trigger.ts',
      "from './jira-event'",
      "from './jira-event.js'",
    );
    const result = await bundle(dir);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/Module not found.*jira-event\.js/s);
  }, 120_000);
});
