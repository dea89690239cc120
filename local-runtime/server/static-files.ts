// Serves the manifest's `resources` (key -> folder) under /resources/{key}/. Only files inside
// the resource's folder are served: `..`, encoded separators and symlinks pointing out are refused.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError } from './http-io.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Resolves `/resources/{key}/{rest}` to a file inside the resource folder, or throws 404. */
export function resolveResourceFile(appDir: string, resourcePath: string, rawRest: string): string {
  let rest: string;
  try {
    rest = decodeURIComponent(rawRest);
  } catch {
    throw new HttpError(400, 'The resource path is not validly encoded');
  }
  if (rest.includes('\0') || rest.includes('\\') || rest.split('/').some((part) => part === '..')) {
    throw new HttpError(404, 'No such resource file');
  }
  const root = path.resolve(appDir, resourcePath);
  let file = path.resolve(root, `.${path.posix.sep}${rest}`);
  if (rest === '' || rest.endsWith('/')) file = path.join(file, 'index.html');
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = realpathSync(root);
    realFile = realpathSync(file);
  } catch {
    throw new HttpError(404, 'No such resource file');
  }
  if (realFile !== realRoot && !realFile.startsWith(realRoot + path.sep))
    throw new HttpError(404, 'No such resource file');
  if (statSync(realFile).isDirectory()) {
    const index = path.join(realFile, 'index.html');
    try {
      if (statSync(index).isFile()) return index;
    } catch {
      // falls through to the 404
    }
    throw new HttpError(404, 'No such resource file');
  }
  return realFile;
}

export function sendFile(res: ServerResponse, file: string, headOnly: boolean): void {
  const size = statSync(file).size;
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
