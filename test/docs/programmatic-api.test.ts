// The programmatic API example of docs/local-runtime.md runs as written: saved at the repository's
// root and run with tsx, as the page says (the package is CommonJS, where top-level await fails).
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { codeBlocks, repoDir } from './markdown-blocks.js';

const run = promisify(execFile);
const DOCS = 'docs/local-runtime.md';
// A dot-file, unique to this run: no other tool picks it up, and it never collides with a user's file.
const file = path.join(repoDir, `.docs-snippet-${process.pid}.ts`);

afterAll(() => rmSync(file, { force: true }));

describe(`${DOCS}: the programmatic API`, () => {
  it('runs as written under tsx', async () => {
    const snippets = codeBlocks(DOCS).filter((b) => b.lang === 'ts');
    expect(snippets).toHaveLength(1);
    writeFileSync(file, snippets[0]!.code);
    const tsx = path.join(repoDir, 'node_modules', '.bin', 'tsx');
    const { stdout, stderr } = await run(tsx, [path.basename(file)], { cwd: repoDir, timeout: 60_000 });
    expect(stderr).toBe('');
    expect(stdout).toContain('submitCommand answered {"ok":true,"value":{"commandId":');
    expect(stdout).toContain('an unsigned web trigger call answered 401');
    // The consumer crashed once, as planned, and its retry applied the command.
    expect(stdout).toContain('crashed 1 KVS requests');
    expect(stdout).toMatch(/issue 10001 \{.*"checklist":\{"a1":\{"text":\{"value":"Write docs"/);
    expect(stdout).toContain('unfinished events 0');
    // The log sink writes to console, which used to loop forever inside invocations.
    expect(stdout).toMatch(/^\[on-report-schedule inv-\d+\] LOG Scheduled report .* started$/m);
    expect(stdout).not.toContain('Maximum call stack');
  });
});
