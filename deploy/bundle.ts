// `npm run bundle`: bundles every handler in manifest.yml with Forge's own bundler configuration
// into .forge-bundle/, then loads each bundle under plain node. Exits 1 on any failure, so a
// change that would break `forge deploy` breaks `npm test` (which runs this first) and CI.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BUNDLE_DIR } from '../local-runtime/manifest/handler-loader';
import { checkBundleLoads } from './bundle-load-check';
import { bundleApp } from './forge-bundle';
import { forgeNodeBinary } from './forge-node';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'app-dir': { type: 'string' }, 'out-dir': { type: 'string' } },
  });
  const appDir = path.resolve(values['app-dir'] ?? '.');
  const outDir = path.resolve(appDir, values['out-dir'] ?? DEFAULT_BUNDLE_DIR);
  const started = Date.now();
  let result;
  try {
    result = await bundleApp(appDir, outDir);
  } catch (error) {
    process.stderr.write(`Bundling failed (as \`forge deploy\` would):\n${(error as Error).message}\n`);
    return 1;
  }
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  // Forge runs nodejs22.x: load the bundles there too when that Node is installed.
  const nodes = [process.execPath, forgeNodeBinary()].filter((n): n is string => n !== undefined);
  const checks = nodes.flatMap((node) => {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return checkBundleLoads(result.handlers, node).map((check) => ({ ...check, version }));
  });
  for (const check of checks) {
    process.stdout.write(
      `${check.ok ? 'ok  ' : 'FAIL'} ${check.handler} on node ${check.version}: ${check.detail}\n`,
    );
  }
  const failed = checks.filter((c) => !c.ok).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    failed === 0
      ? `Bundled ${result.handlers.length} handler module(s) into ${path.relative(process.cwd(), outDir) || '.'} in ${seconds} s; ` +
          `each loads under plain node ${[...new Set(checks.map((c) => c.version))].join(' and ')}.\n`
      : `${failed} load check(s) of ${checks.length} failed: a bundle does not load or export its function.\n`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(2);
  },
);
