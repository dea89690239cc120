// Resolves a manifest handler (`dir/file.export`, relative to `src/`) to the exported function.
// Two sources: the app's TypeScript sources (loaded through the test runner's or tsx's loader), or
// the bundle that Forge's own bundler made of them (`npm run bundle`), loaded as plain CommonJS,
// which is the artifact `forge deploy` uploads.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export type Handler = (...args: unknown[]) => unknown;

interface LoadedModule {
  file: string;
  exports: Record<string, unknown>;
}

/** Where `npm run bundle` writes, relative to the app folder. */
export const DEFAULT_BUNDLE_DIR = '.forge-bundle';

/** `source` (default), `bundle` (`<appDir>/.forge-bundle`), or a bundle in another folder. */
export type HandlerSource = 'source' | 'bundle' | { bundleDir: string };

export class HandlerLoader {
  private readonly cache = new Map<string, Promise<Handler>>();
  /** Bumped by `reload()`, so a changed module is imported afresh rather than from a cache. */
  private generation = 0;
  private readonly bundleDir: string | undefined;

  constructor(
    private readonly appDir: string,
    source: HandlerSource = 'source',
  ) {
    this.bundleDir =
      source === 'source'
        ? undefined
        : path.resolve(appDir, source === 'bundle' ? DEFAULT_BUNDLE_DIR : source.bundleDir);
    if (this.bundleDir && !existsSync(this.bundleDir)) {
      throw new Error(`No bundle at ${this.bundleDir}: run \`npm run bundle\` first`);
    }
  }

  get kind(): 'source' | 'bundle' {
    return this.bundleDir ? 'bundle' : 'source';
  }

  load(handler: string): Promise<Handler> {
    let loaded = this.cache.get(handler);
    if (!loaded) {
      loaded = this.import(handler);
      this.cache.set(handler, loaded);
      loaded.catch(() => this.cache.delete(handler));
    }
    return loaded;
  }

  /** Forgets every loaded module: the next invocation runs the files as they are now. */
  reload(): void {
    this.cache.clear();
    this.generation += 1;
    const roots = [this.bundleDir ?? path.join(this.appDir, 'src')];
    // Every require shares one module cache; tsx keeps the app's compiled sources there too.
    const cache = createRequire(path.join(this.appDir, 'package.json')).cache;
    for (const file of Object.keys(cache)) {
      if (roots.some((root) => file.startsWith(root + path.sep))) delete cache[file];
    }
  }

  private async import(handler: string): Promise<Handler> {
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`Handler '${handler}' must look like 'dir/file.export'`);
    const modulePath = handler.slice(0, dot);
    const exportName = handler.slice(dot + 1);
    const loaded = this.bundleDir ? this.requireBundle(modulePath) : await this.importSource(modulePath);
    const fn = loaded.exports[exportName];
    if (typeof fn !== 'function')
      throw new Error(`'${loaded.file}' has no exported function '${exportName}'`);
    return fn as Handler;
  }

  private requireBundle(modulePath: string): LoadedModule {
    const file = path.join(this.bundleDir!, `${modulePath}.cjs`);
    if (!existsSync(file))
      throw new Error(`No bundle for '${modulePath}' at ${file}: run \`npm run bundle\``);
    // Node's own require: the bundle is plain CommonJS, as Forge loads it.
    return { file, exports: createRequire(file)(file) as Record<string, unknown> };
  }

  private async importSource(modulePath: string): Promise<LoadedModule> {
    const base = path.join(this.appDir, 'src', modulePath);
    const file = ['.ts', '.js', '.tsx', '.jsx'].map((ext) => base + ext).find((f) => existsSync(f));
    if (!file)
      throw new Error(`Handler file for '${modulePath}' not found under ${path.join(this.appDir, 'src')}`);
    const url = pathToFileURL(file).href + (this.generation > 0 ? `?reload=${this.generation}` : '');
    return { file, exports: (await import(url)) as Record<string, unknown> };
  }
}
