// `npm run bundle`: bundles every handler in manifest.yml with Forge's own bundler configuration
// into .forge-bundle/, then loads each bundle under plain node. Exits 1 on any failure, so a
// change that would break `forge deploy` breaks `npm test` (which runs this first) and CI.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BUNDLE_DIR } from '../local-runtime/manifest/handler-loader';
import { checkBundleLoads } from './bundle-load-check';
import { bundleApp } from './forge-bundle';

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
  const checks = checkBundleLoads(result.handlers);
  for (const check of checks) {
    process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.handler}: ${check.detail}\n`);
  }
  const failed = checks.filter((c) => !c.ok).length;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    failed === 0
      ? `Bundled ${checks.length} handler module(s) into ${path.relative(process.cwd(), outDir) || '.'} in ${seconds} s; each loads under plain node.\n`
      : `${failed} of ${checks.length} bundled handler(s) do not load or export their function.\n`,
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
