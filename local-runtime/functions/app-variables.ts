// Forge environment variables (`forge variables set`), which an app reads as `process.env.NAME`
// (docs: environments-and-versions). Each runtime has its own: inside an invocation, `process.env`
// shows that runtime's variables over the process's own environment, so two runtimes in one process
// (tests) never see each other's, and nothing leaks into the host outside invocations.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { currentInvocation, type InvocationHost } from '../kernel/invocation.js';

/** `forge tunnel` reads variables from the shell under this prefix (docs: environments-and-versions). */
export const TUNNEL_PREFIX = 'FORGE_USER_VAR_';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const variablesByHost = new WeakMap<InvocationHost, Record<string, string>>();
let installed = false;

/**
 * Reads a `.env`-style file (`NAME=value` lines, `#` comments, quotes as dotenv has them). A name
 * written with the `FORGE_USER_VAR_` prefix is the variable without it, as under `forge tunnel`.
 */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the environment variables file '${file}': ${(error as Error).message}`, {
      cause: error,
    });
  }
  return unprefixed(parseEnv(text));
}

/** The `FORGE_USER_VAR_*` variables of an environment (the shell's, for `forge tunnel` habits). */
export function tunnelVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(TUNNEL_PREFIX) && value !== undefined) out[name.slice(TUNNEL_PREFIX.length)] = value;
  }
  return out;
}

function unprefixed(vars: NodeJS.Dict<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) continue;
    out[name.startsWith(TUNNEL_PREFIX) ? name.slice(TUNNEL_PREFIX.length) : name] = value;
  }
  return out;
}

/** Checks names and values, so a mistake is reported at start rather than as `undefined` later. */
export function checkVariables(vars: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (!NAME.test(name))
      throw new Error(`Environment variable name '${name}' must be letters, digits and underscores`);
    if (typeof value !== 'string')
      throw new Error(`Environment variable '${name}' must be a string, got ${typeof value}`);
    out[name] = value;
  }
  return out;
}

/** Makes `vars` the `process.env` overlay of every invocation `host` runs. */
export function setAppVariables(host: InvocationHost, vars: Record<string, string>): void {
  if (Object.keys(vars).length === 0) return;
  variablesByHost.set(host, { ...vars });
  installOverlay();
}

function overlay(): Record<string, string> | undefined {
  const invocation = currentInvocation();
  return invocation ? variablesByHost.get(invocation.host) : undefined;
}

/**
 * Replaces `process.env` with a proxy of itself once, and only once some runtime has variables.
 * Outside invocations, and in invocations of runtimes without variables, it is the environment as
 * it was. A write inside an invocation goes to that runtime's variables, as it would stay inside
 * the function's own process on Forge.
 */
function installOverlay(): void {
  if (installed) return;
  installed = true;
  const env = process.env;
  process.env = new Proxy(env, {
    get(target, name) {
      const vars = overlay();
      if (vars && typeof name === 'string' && Object.hasOwn(vars, name)) return vars[name];
      return Reflect.get(target, name) as unknown;
    },
    has(target, name) {
      const vars = overlay();
      return (vars !== undefined && typeof name === 'string' && Object.hasOwn(vars, name)) || name in target;
    },
    set(target, name, value) {
      const vars = overlay();
      if (vars && typeof name === 'string') {
        vars[name] = String(value);
        return true;
      }
      return Reflect.set(target, name, value);
    },
    deleteProperty(target, name) {
      const vars = overlay();
      if (vars && typeof name === 'string' && Object.hasOwn(vars, name)) {
        delete vars[name];
        return true;
      }
      return Reflect.deleteProperty(target, name);
    },
    ownKeys(target) {
      const vars = overlay();
      const keys = Reflect.ownKeys(target);
      return vars ? [...new Set([...keys, ...Object.keys(vars)])] : keys;
    },
    getOwnPropertyDescriptor(target, name) {
      const vars = overlay();
      if (vars && typeof name === 'string' && Object.hasOwn(vars, name))
        return { value: vars[name], writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
}
