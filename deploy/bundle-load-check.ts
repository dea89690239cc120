// Loads each bundled handler under plain `node` (no tsx, no test runner) in a child process and
// checks that it exports its function: a bundle that compiles but throws at load, or names the
// wrong export, fails here instead of on Forge.
import { execFileSync } from 'node:child_process';
import type { BundledHandler } from './forge-bundle';

export interface LoadCheck {
  handler: string;
  ok: boolean;
  /** `function`, or what the export was instead, or the load error. */
  detail: string;
}

const PROBE = `
const checks = JSON.parse(process.argv[1]);
const results = checks.map(({ handler, file, exportName }) => {
  try {
    const exported = require(file)[exportName];
    return { handler, ok: typeof exported === 'function', detail: typeof exported };
  } catch (error) {
    return { handler, ok: false, detail: 'load failed: ' + (error && error.message) };
  }
});
process.stdout.write(JSON.stringify(results));
`;

/** Loads the bundles with the Node binary `node` (default: the one running this). */
export function checkBundleLoads(handlers: readonly BundledHandler[], node = process.execPath): LoadCheck[] {
  const output = execFileSync(node, ['-e', PROBE, JSON.stringify(handlers)], {
    // Plain node: nothing of the parent's loaders (tsx) or options may help the bundle load.
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8',
  });
  return JSON.parse(output) as LoadCheck[];
}
