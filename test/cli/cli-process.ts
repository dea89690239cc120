// `npm start` as users run it: the CLI in a child process, with the arguments of package.json's
// start script, on a free port. Everything it prints is kept, to assert on what a user would see.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const repoDir = path.resolve(import.meta.dirname, '../..');

export interface CliProcess {
  /** The base URL it serves, read from its banner. */
  readonly url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the output once `pattern` appears in it; fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Ctrl+C, as a user stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start`'s command line, run by node with tsx's loader instead of the tsx binary. */
export function startScriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [runner, ...args] = (pkg.scripts['start'] ?? '').split(/\s+/).filter(Boolean);
  if (runner !== 'tsx') throw new Error(`package.json's start script no longer runs tsx: ${runner}`);
  return args;
}

/** Starts `npm start`'s command line plus `extraArgs`; `baseArgs` replaces the start script's own. */
export async function startCli(
  extraArgs: string[],
  startupMs = 45_000,
  baseArgs = startScriptArgs(),
): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...baseArgs, ...extraArgs], {
    cwd: repoDir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const take = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitFor = (pattern: RegExp, ms = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(text)) return;
        done();
        resolve(text);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${pattern} did not appear within ${ms} ms; the CLI printed:\n${text}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then((code) => {
        if (!listeners.has(check)) return;
        done();
        reject(new Error(`the CLI exited with ${code} before ${pattern} appeared:\n${text}`));
      });
      check();
    });

  try {
    await waitFor(/Press Ctrl\+C to stop/, startupMs);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = /^Serving on (http:\/\/\S+)$/m.exec(text)?.[1];
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`no 'Serving on' line in:\n${text}`);
  }
  return {
    url,
    output: () => text,
    waitFor,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
