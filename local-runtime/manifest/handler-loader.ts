// Resolves a manifest handler (`dir/file.export`, relative to `src/`) to the exported function,
// loading the app's TypeScript source as Forge's bundler would.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type Handler = (...args: unknown[]) => unknown;

const cache = new Map<string, Promise<Handler>>();

export function loadHandler(appDir: string, handler: string): Promise<Handler> {
  const id = `${appDir}::${handler}`;
  let loaded = cache.get(id);
  if (!loaded) {
    loaded = importHandler(appDir, handler);
    cache.set(id, loaded);
    loaded.catch(() => cache.delete(id));
  }
  return loaded;
}

async function importHandler(appDir: string, handler: string): Promise<Handler> {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`Handler '${handler}' must look like 'dir/file.export'`);
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const base = path.join(appDir, 'src', modulePath);
  const file = ['.ts', '.js', '.tsx', '.jsx'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new Error(`Handler file for '${handler}' not found under ${path.join(appDir, 'src')}`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`'${file}' has no exported function '${exportName}'`);
  return fn as Handler;
}
