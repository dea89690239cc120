// `npm start` picks up a saved handler without a restart, as `forge tunnel` does: from the sources,
// and from the Forge bundle (rebuilt by Forge's bundler after the save). Runs on a scratch copy of
// a small fixture app, so the repository's own files are never touched.
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoDir, startCli, type CliProcess } from './cli-process.js';

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fixtureCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fsw-reload-'));
  scratch.push(dir);
  cpSync(path.join(repoDir, 'test/fixtures/functions-app'), dir, { recursive: true });
  symlinkSync(path.join(repoDir, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

async function echoStatus(cli: CliProcess): Promise<number> {
  return (await fetch(`${cli.url}/webtrigger/echo-hook`)).status;
}

async function saveAndSee(cli: CliProcess, appDir: string): Promise<void> {
  expect(await echoStatus(cli)).toBe(201);
  const file = path.join(appDir, 'src/webtrigger.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace('statusCode: 201', 'statusCode: 299'));
  await cli.waitFor(/\[reload\] webtrigger\.ts changed: the next invocations run the new code/, 90_000);
  expect(await echoStatus(cli)).toBe(299);
}

describe.concurrent('reload on save', () => {
  it('runs a saved source file on the next invocation', async () => {
    const appDir = fixtureCopy();
    const cli = await startCli(['--app-dir', appDir, '--port', '0', '--no-schedules'], 45_000, [
      'local-runtime/cli.ts',
      'start',
    ]);
    try {
      expect(cli.output()).toContain(
        'handlers:   the sources in src/, reloaded when a file under src/ is saved',
      );
      await saveAndSee(cli, appDir);
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  }, 120_000);

  it("bundles again with Forge's bundler and runs the new bundle", async () => {
    const appDir = fixtureCopy();
    const cli = await startCli(['--app-dir', appDir, '--port', '0', '--no-schedules', '--bundle'], 90_000, [
      'local-runtime/cli.ts',
      'start',
    ]);
    try {
      expect(cli.output()).toContain('handlers:   the Forge bundle in .forge-bundle/');
      await saveAndSee(cli, appDir);
      expect(cli.output()).toContain("webtrigger.ts changed: bundling with Forge's bundler...");
    } finally {
      expect(await cli.stop()).toBe(0);
    }
  }, 180_000);
});
