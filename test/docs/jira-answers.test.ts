// docs/local-runtime.md, "Add a Jira answer": the fixture example is a valid Jira fixture whose
// answers are served, and the handler example runs as written under tsx and prints what the page
// says it prints.
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../local-runtime/index.js';
import type { JiraFixture } from '../../local-runtime/jira/jira-emulator.js';
import { codeBlocks, repoDir } from './markdown-blocks.js';

const run = promisify(execFile);
const DOCS = 'docs/local-runtime.md';
const file = path.join(repoDir, `.docs-jira-answer-${process.pid}.ts`);

afterAll(() => rmSync(file, { force: true }));

describe(`${DOCS}: add a Jira answer`, () => {
  it('serves the fixture example’s answers', async () => {
    const fixtures = codeBlocks(DOCS).filter((b) => b.lang === 'json' && b.code.includes('"answers"'));
    expect(fixtures).toHaveLength(1);
    const fixture = JSON.parse(fixtures[0]!.code) as JiraFixture;
    const rt = await createRuntime({ appDir: repoDir, jira: fixture });
    try {
      const fields = await rt.jira.fetch('/rest/api/3/field?expand=x', undefined, { kind: 'app' });
      expect(fields.status).toBe(200);
      expect(await fields.json()).toEqual([{ id: 'summary', name: 'Summary', custom: false }]);
      const deleted = await rt.jira.fetch('/rest/api/3/issue/APP-9', { method: 'DELETE' }, { kind: 'app' });
      expect(deleted.status).toBe(204);
    } finally {
      await rt.close();
    }
  });

  it('runs the handler example as written under tsx', async () => {
    const snippets = codeBlocks(DOCS).filter((b) => b.lang === 'typescript');
    expect(snippets).toHaveLength(1);
    writeFileSync(file, snippets[0]!.code);
    const tsx = path.join(repoDir, 'node_modules', '.bin', 'tsx');
    const { stdout, stderr } = await run(tsx, [path.basename(file)], { cwd: repoDir, timeout: 60_000 });
    expect(stderr).toBe('');
    const printed = codeBlocks(DOCS).find((b) => b.lang === 'text' && b.code.startsWith('PUT '))!;
    const [first, second] = printed.code.split('\n');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(first);
    expect(lines[1]!.startsWith(second!.replace(/…$/, ''))).toBe(true);
    expect(lines[1]).toContain('#add-a-jira-answer');
  });
});
