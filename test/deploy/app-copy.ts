// A scratch copy of this app (manifest, sources, tsconfig, built panel) with one thing broken, to
// show a deploy check failing on it. node_modules is linked, not copied.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const appDir = path.resolve(import.meta.dirname, '../..');

const ENTRIES = ['manifest.yml', 'tsconfig.json', 'package.json', 'src', 'static'];

export interface AppCopies {
  /** A copy with `replace` applied to `file` (relative); fails if the text to replace is absent. */
  withEdit(file: string, find: string, replace: string): string;
  removeAll(): void;
}

export function appCopies(): AppCopies {
  const made: string[] = [];
  return {
    withEdit(file, find, replace) {
      const dir = mkdtempSync(path.join(tmpdir(), 'fsw-app-'));
      made.push(dir);
      for (const entry of ENTRIES) {
        if (existsSync(path.join(appDir, entry)))
          cpSync(path.join(appDir, entry), path.join(dir, entry), { recursive: true });
      }
      symlinkSync(path.join(appDir, 'node_modules'), path.join(dir, 'node_modules'));
      const target = path.join(dir, file);
      const text = readFileSync(target, 'utf8');
      if (!text.includes(find)) throw new Error(`${file} has no '${find}' to break`);
      writeFileSync(target, text.replace(find, replace));
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
