// App logs: `console` inside an invocation reaches the runtime's log sink once, tagged with the
// function, even when that sink itself writes to `console` (as `npm start`'s did, looping forever).
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { VirtualClock } from '../../local-runtime/kernel/clock.js';
import { Invocation, runInInvocation, type InvocationHost } from '../../local-runtime/kernel/invocation.js';
import { SeededRandom } from '../../local-runtime/kernel/random.js';
import { installSandbox } from '../../local-runtime/kernel/sandbox.js';
import { testJira } from './jira-test-fixture.js';

const appDir = path.resolve(import.meta.dirname, '../fixtures/functions-app');

let rt: LocalForgeRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

/** A sink like the CLI's first one: it writes each line to `console`, and records it. */
async function runtimeLoggingToConsole(lines: string[]): Promise<LocalForgeRuntime> {
  rt = await createRuntime({
    appDir,
    jira: testJira,
    log: (line) => {
      lines.push(line);
      console.info(line);
    },
  });
  return rt;
}

describe('app logs with a sink that writes to console', () => {
  it('reach the sink once, prefixed with the function, and the code goes on', async () => {
    const lines: string[] = [];
    const runtime = await runtimeLoggingToConsole(lines);
    const value = await runtime.runAsApp(async () => {
      console.log('checked %d items', 3);
      console.warn('slow storage');
      return 'done';
    });
    expect(value).toBe('done');
    expect(lines).toEqual(['[app app-1] LOG checked 3 items', '[app app-1] WARN slow storage']);
  });

  it('prefix every line of a multi-line entry, so a stack trace says whose it is', async () => {
    const lines: string[] = [];
    const runtime = await runtimeLoggingToConsole(lines);
    await runtime.runAsApp(async () => console.error(new Error('storage is down')));
    expect(lines).toHaveLength(1);
    const entry = lines[0]!.split('\n');
    expect(entry[0]).toBe('[app app-1] ERROR Error: storage is down');
    expect(entry.length).toBeGreaterThan(1);
    for (const line of entry) expect(line).toMatch(/^\[app app-1\] ERROR /);
  });

  it("keep the runtime's own lines, logged during an invocation, apart from the app's", async () => {
    const lines: string[] = [];
    const runtime = await runtimeLoggingToConsole(lines);
    runtime.crashNextInvocation('on-schedule', 1);
    const run = await runtime.runScheduledTrigger('nightly');
    expect(run.outcome.status).toBe('crashed');
    expect(lines).toContain('[functions] on-schedule (inv-1) crashed after storage call 1');
    expect(lines.filter((l) => l.includes('crashed after storage call'))).toHaveLength(1);
  });
});

describe('the sandboxed console', () => {
  it('never re-enters a host whose appLog writes to console', () => {
    installSandbox();
    const received: string[] = [];
    const clock = new VirtualClock();
    const host: InvocationHost = {
      clock,
      fetch: () => Promise.reject(new Error('no platform here')),
      appLog: (_invocation, level, text) => {
        received.push(`${level} ${text}`);
        console.error(`host saw: ${text}`);
      },
    };
    const invocation = new Invocation('inv-x', host, 'app', 'fn', undefined, new SeededRandom(1), undefined);
    runInInvocation(invocation, () => console.log('hello'));
    expect(received).toEqual(['log hello']);
    clock.close();
  });
});

describe('a function that throws', () => {
  it('is counted apart from crashes and logged with its message and stack', async () => {
    const lines: string[] = [];
    rt = await createRuntime({ appDir, jira: testJira, log: (line) => lines.push(line) });
    await expect(rt.invokeResolver({ functionKey: 'boom' })).rejects.toThrow('locked by another user');
    expect(rt.metered()).toMatchObject({
      'functions.invocations': 1,
      'functions.threw': 1,
      'functions.crashed': 0,
    });
    const [line] = lines.filter((l) => l.includes(' threw '));
    expect(line).toMatch(
      /^\[functions\] resolver \(inv-1\) threw Error: The checklist is locked by another user\n\s+at /,
    );
  });
});

describe('web trigger calls', () => {
  it("are logged with the status of the answer, and why when the handler didn't return", async () => {
    const lines: string[] = [];
    rt = await createRuntime({ appDir, jira: testJira, log: (line) => lines.push(line) });
    await rt.callWebTrigger('echo-hook', { method: 'post', path: '/builds/7' });
    await rt.callWebTrigger('echo-hook', { method: 'POST', path: '/throw' });
    expect(lines.filter((l) => l.startsWith('[webtrigger]'))).toEqual([
      '[webtrigger] echo-hook: POST /builds/7 -> 201',
      '[webtrigger] echo-hook: POST /throw -> 500 (threw)',
    ]);
  });
});
