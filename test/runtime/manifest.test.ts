// The app's manifest passes @forge/manifest's full offline validation (schema, handlers, scopes).
import { validate } from '@forge/manifest';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('manifest.yml', () => {
  it("passes @forge/manifest's full validation", async () => {
    const cwd = process.cwd();
    process.chdir(root); // the validator resolves handler and resource paths from the working directory
    try {
      const result = await validate(false, path.join(root, 'manifest.yml'));
      expect(result.errors ?? []).toEqual([]);
      expect(result.success).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
