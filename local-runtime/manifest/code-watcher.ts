// Watches an app's code for saves, as `forge tunnel` does: a burst of changes (an editor writing
// several files, a formatter) becomes one call after it settles.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface CodeWatcher {
  close(): void;
}

const SETTLE_MS = 200;
const CODE_FILE = /\.(?:[cm]?[jt]sx?|json)$/;

/** Calls `onChange` with the changed files (relative to `dir`) once saves under `dir` settle. */
export function watchCode(dir: string, onChange: (files: string[]) => void): CodeWatcher {
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, file) => {
    if (!file || !CODE_FILE.test(file) || file.split(path.sep).includes('node_modules')) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed = new Set();
      onChange(files);
    }, SETTLE_MS);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
