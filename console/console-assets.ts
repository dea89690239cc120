// The console page's files. The script is TypeScript (type-checked with the rest, sharing the API's
// types and the panel's DOM helper) bundled into one JavaScript module by esbuild on first request:
// no build step, and nothing of the panel's Vite bundle.
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError } from '../local-runtime/server/http-io.js';

const PAGE_DIR = path.join(import.meta.dirname, 'page');

const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'console.html', type: 'text/html; charset=utf-8' },
  'console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  'console.js': { file: 'console-page.ts', type: 'text/javascript; charset=utf-8' },
};

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Only its own files: every value shown is stored data, and none of it may run as code.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:",
};

const compiled = new Map<string, { mtimeMs: number; inputs: string[]; text: string }>();

export async function sendConsoleAsset(res: ServerResponse, name: string, headOnly: boolean): Promise<void> {
  const asset = ASSETS[name];
  if (!asset) throw new HttpError(404, `The console has no file '${name}'`);
  const file = path.join(PAGE_DIR, asset.file);
  const text = asset.file.endsWith('.ts') ? await transpiled(file) : await readFile(file, 'utf8');
  res.writeHead(200, { 'content-type': asset.type, 'content-length': Buffer.byteLength(text), ...HEADERS });
  res.end(headOnly ? undefined : text);
}

/** Cached per modification time of the page and what it imports, so an edit shows on reload. */
async function transpiled(file: string): Promise<string> {
  const cached = compiled.get(file);
  if (cached && (await latestChange(cached.inputs)) === cached.mtimeMs) return cached.text;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input));
  const text = result.outputFiles[0]!.text;
  compiled.set(file, { mtimeMs: await latestChange(inputs), inputs, text });
  return text;
}

async function latestChange(files: string[]): Promise<number> {
  return Math.max(...(await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs))));
}
