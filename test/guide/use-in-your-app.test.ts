// docs/use-in-your-app.md, followed as a user would: the core copied into a fresh app (step 1),
// every file of the page written as shown, the whole app type-checked strictly, then run on the
// local Forge runtime: a comment becomes a todo exactly once, a person's edit is applied, a bad
// edit is refused with its reason, and statuses are scoped to the issue. The README's example
// ("Use it in your app") is checked the same way.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';
import { codeBlocks, repoDir } from '../docs/markdown-blocks.js';

const run = promisify(execFile);
const GUIDE = 'docs/use-in-your-app.md';
/** A block whose first line names a file (`// src/x.ts`, `# manifest.yml`) is that file's content. */
const FILE_LINE = /^(?:\/\/|#) ((?:src\/)?[\w./-]+\.(?:ts|yml))$/;

function guideFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const block of codeBlocks(GUIDE)) {
    const [first, ...rest] = block.code.split('\n');
    const name = FILE_LINE.exec(first ?? '')?.[1];
    if (name) files.set(name, rest.join('\n') + '\n');
  }
  return files;
}

/** An app folder built by the guide's steps, with `extra` files on top. */
function buildApp(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fsw-guide-'));
  // Step 1: the core, copied as the page says; node_modules stands in for `npm install`.
  cpSync(path.join(repoDir, 'src/shared/writer'), path.join(dir, 'src/writer'), { recursive: true });
  symlinkSync(path.join(repoDir, 'node_modules'), path.join(dir, 'node_modules'));
  for (const [name, content] of [...guideFiles(), ...Object.entries(extra)]) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  mkdirSync(path.join(dir, 'static/todo-panel'), { recursive: true });
  writeFileSync(path.join(dir, 'static/todo-panel/index.html'), '<!doctype html><title>Todos</title>');
  return dir;
}

async function typeCheck(dir: string): Promise<void> {
  const tsc = path.join(repoDir, 'node_modules/.bin/tsc');
  const options = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--types', 'node'];
  const modules = ['--module', 'preserve', '--moduleResolution', 'bundler', '--noUncheckedIndexedAccess'];
  await run(tsc, [...options, ...modules, 'src/*.ts'], { cwd: dir, shell: true });
}

const PANEL = (issueId: string) => ({
  type: 'jira:issuePanel',
  issue: { id: issueId, key: `APP-${issueId}` },
});

describe(GUIDE, () => {
  let dir: string;
  let rt: LocalForgeRuntime;
  beforeAll(async () => {
    dir = buildApp();
    rt = await createRuntime({ appDir: dir, jira: { issues: [], users: [] } });
  });
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every file of the app: the writer, consumer, trigger, resolvers and manifest', () => {
    expect([...guideFiles().keys()].sort()).toEqual([
      'manifest.yml',
      'src/consumer.ts',
      'src/on-comment.ts',
      'src/resolvers.ts',
      'src/todo-writer.ts',
    ]);
  });

  it('type-checks strictly as written', async () => {
    await expect(typeCheck(dir)).resolves.toBeUndefined();
  }, 120_000);

  it('runs: a comment becomes one todo, however often Jira delivers it', async () => {
    const comment = { issue: { id: '10001' }, comment: { id: '7', body: 'TODO Write the release notes' } };
    for (let i = 0; i < 3; i++) await rt.fireProductEvent('avi:jira:commented:issue', comment);
    await rt.fireProductEvent('avi:jira:commented:issue', { ...comment, comment: { id: '8', body: 'LGTM' } });
    await rt.runUntilIdle();
    const items = await rt.invokeResolver({
      functionKey: 'getTodos',
      accountId: 'someone',
      extension: PANEL('10001'),
    });
    expect(items).toEqual({ 'comment-7': { text: 'Write the release notes', done: false } });
  });

  it("applies a person's edit and reports it, refuses a bad one with its reason, per issue", async () => {
    const call = (functionKey: string, payload: unknown, issueId = '10001') =>
      rt.invokeResolver({ functionKey, payload, accountId: 'someone', extension: PANEL(issueId) });
    const done = (await call('markDone', { id: 'comment-7' })) as { commandId: string };
    const missing = (await call('markDone', { id: 'nope' })) as { commandId: string };
    await rt.runUntilIdle();
    const statuses = await call('getStatuses', { commandIds: [done.commandId, missing.commandId] });
    expect(statuses).toMatchObject([
      { commandId: done.commandId, status: 'applied', version: 2 },
      { commandId: missing.commandId, status: 'rejected', reason: 'no todo nope' },
    ]);
    // Asked from another issue, the same ids read as pending: nothing leaks across issues.
    expect(await call('getStatuses', { commandIds: [done.commandId] }, '10002')).toMatchObject([
      { status: 'pending' },
    ]);
    expect(await call('getTodos', {})).toEqual({
      'comment-7': { text: 'Write the release notes', done: true },
    });
  });
});

describe("README's example", () => {
  it('type-checks beside the guide and runs on the local runtime', async () => {
    const blocks = codeBlocks('README.md').filter((b) => b.lang === 'ts' && b.code.includes('defineWriter('));
    expect(blocks).toHaveLength(1);
    const code = blocks[0]!.code;
    const lines = code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
    expect(lines.length).toBeLessThanOrEqual(30);
    const dir = buildApp({ 'src/readme-example.ts': code.replaceAll("'./src/shared/writer'", "'./writer'") });
    try {
      await typeCheck(dir);
      type Example = typeof import('./readme-example-shape.js');
      const example = (await import(path.join(dir, 'src/readme-example.ts'))) as Example;
      // The manifest snippet the README points to: the writer's entities, its queue and consumer.
      const manifestFile = path.join(dir, 'manifest.yml');
      const manifest = parse(readFileSync(manifestFile, 'utf8')) as ManifestShape;
      manifest.app.storage.entities.push(...example.votes.manifestEntities());
      manifest.modules.consumer.push({
        key: 'vote-consumer',
        queue: 'vote-commands',
        function: 'apply-votes',
      });
      manifest.modules.function.push({ key: 'apply-votes', handler: 'readme-example.handler' });
      writeFileSync(manifestFile, stringify(manifest));

      const rt = await createRuntime({ appDir: dir, jira: { issues: [], users: [] } });
      try {
        expect(await rt.runAsApp(() => example.run())).toMatchObject([{ status: 'pending' }]);
        await rt.runUntilIdle();
        const stored = await rt.runAsApp(() => example.votes.load('10001'));
        expect(stored).toMatchObject({ issueId: '10001', version: 1, state: { voters: ['ana'] } });
      } finally {
        await rt.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

interface ManifestShape {
  app: { storage: { entities: unknown[] } };
  modules: { consumer: unknown[]; function: unknown[] };
}
