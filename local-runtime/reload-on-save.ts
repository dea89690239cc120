// `npm start` picks up saved code without a restart, as `forge tunnel` does. From sources: the next
// invocation imports the changed files afresh. From the bundle: Forge's bundler runs again first,
// and a failed bundle keeps the previous one running, with the bundler's errors in the terminal.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { watchCode } from './manifest/code-watcher.js';
import type { LocalForgeRuntime } from './runtime.js';

const BUNDLE_SCRIPT = path.join(__dirname, '..', 'deploy', 'bundle.ts');

export interface BundleOutcome {
  ok: boolean;
  /** What the bundler printed. */
  output: string;
}

/** Runs `npm run bundle` for `appDir` in a child process (webpack keeps state we do not want here). */
export function bundleWithForge(appDir: string): Promise<BundleOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', BUNDLE_SCRIPT, '--app-dir', appDir],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

export interface ReloadOptions {
  handlers: 'source' | 'bundle';
  log: (line: string) => void;
}

/** Watches the app's `src/` and reloads its handlers after each save; returns a stop function. */
export function reloadOnSave(rt: LocalForgeRuntime, options: ReloadOptions): () => void {
  const appDir = rt.manifest.appDir;
  let running: Promise<void> = Promise.resolve();
  const watcher = watchCode(path.join(appDir, 'src'), (files) => {
    // One reload at a time: saves during a bundle queue behind it.
    running = running.then(async () => {
      const what = files.length === 1 ? files[0] : `${files.length} files`;
      if (options.handlers === 'bundle') {
        options.log(`[reload] ${what} changed: bundling with Forge's bundler...`);
        const outcome = await bundleWithForge(appDir);
        if (!outcome.ok) {
          options.log(`[reload] bundling failed; the previous bundle keeps running:\n${outcome.output}`);
          return;
        }
      }
      rt.reloadHandlers();
      options.log(`[reload] ${what} changed: the next invocations run the new code`);
    });
  });
  return () => watcher.close();
}
