// Each app declares in manifest.yml exactly the entities its writer uses, and the manifest passes
// @forge/manifest's validation: the core's entity list is what a user pastes, and it deploys.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '@forge/manifest';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import type { AnyWriter } from '../../src/shared/writer/index.js';
import { approvalsWriter } from '../fixtures/approvals-app/src/approvals.js';

const root = path.resolve(import.meta.dirname, '../..');

const apps: Array<[string, string, AnyWriter]> = [
  ['the issue app', root, issueWriter],
  ['the approvals app', path.join(root, 'test/fixtures/approvals-app'), approvalsWriter],
];

describe.each(apps)('%s', (_name, appDir, writer) => {
  const manifest = parse(readFileSync(path.join(appDir, 'manifest.yml'), 'utf8')) as {
    app: { storage: { entities: Array<{ name: string }> } };
    modules: { consumer: Array<{ queue: string }> };
  };

  it("declares the writer's entities as the core lists them", () => {
    const { state, receipt, deadLetter } = writer.entities;
    expect(writer.manifestEntities().map((e) => e.name)).toEqual([state, receipt, deadLetter]);
    for (const entity of writer.manifestEntities()) {
      expect(manifest.app.storage.entities.find((e) => e.name === entity.name)).toEqual(entity);
    }
  });

  it("has a consumer on the writer's queue", () => {
    expect(manifest.modules.consumer.map((c) => c.queue)).toContain(writer.queue);
  });

  it("passes @forge/manifest's full validation", async () => {
    const cwd = process.cwd();
    process.chdir(appDir); // handler paths resolve from the working directory
    try {
      const result = await validate(false, path.join(appDir, 'manifest.yml'));
      expect(result.errors ?? []).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });
});
