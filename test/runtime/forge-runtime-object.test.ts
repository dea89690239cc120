// `__forge_runtime__` as `@forge/api` reads it: the app, environment and site of the runtime the
// running code belongs to, also with two runtimes open in one process.
import path from 'node:path';
import { getAppContext, permissions } from '@forge/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';

const fixture = (name: string) => path.resolve(__dirname, '../fixtures', name);
const open: LocalForgeRuntime[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((rt) => rt.close()));
});

describe('__forge_runtime__', () => {
  it("gives getAppContext() the manifest's app id, the site's environment and the app's scopes", async () => {
    const rt = await createRuntime({ appDir: fixture('kvs-app') });
    open.push(rt);
    const context = await rt.runAsApp(async () => getAppContext());
    expect(context.appAri.toString()).toBe('ari:cloud:ecosystem::app/3b1d6c9e-7a42-4f0e-9c1b-5d2e8f4a6b70');
    expect(context.environmentType).toBe(rt.site.environmentType);
    expect(context.environmentAri.toString()).toContain('3b1d6c9e-7a42-4f0e-9c1b-5d2e8f4a6b70');
    expect(await rt.runAsApp(async () => permissions.hasScope('storage:app'))).toBe(true);
    expect(await rt.runAsApp(async () => permissions.hasScope('write:jira-work'))).toBe(false);
    expect(context.invocationId).toMatch(/^app-\d+$/);
  });

  it('names each runtime its own app and site when two are open at once', async () => {
    const a = await createRuntime({ appDir: fixture('kvs-app'), site: { cloudId: 'site-a' } });
    const b = await createRuntime({ appDir: fixture('functions-app'), site: { cloudId: 'site-b' } });
    open.push(a, b);
    const runtimeObject = () => globalThis.__forge_runtime__ as { contextAri: string };
    const [fromA, fromB] = await Promise.all([
      a.runAsApp(async () => [getAppContext().appAri.toString(), runtimeObject().contextAri]),
      b.runAsApp(async () => [getAppContext().appAri.toString(), runtimeObject().contextAri]),
    ]);
    expect(fromA).toEqual([
      'ari:cloud:ecosystem::app/3b1d6c9e-7a42-4f0e-9c1b-5d2e8f4a6b70',
      a.site.installContext,
    ]);
    expect(fromB).toEqual([
      'ari:cloud:ecosystem::app/11111111-1111-4111-8111-111111111111',
      b.site.installContext,
    ]);
    expect(a.site.installContext).toContain('site-a');
  });
});
