// How the runtime reads a manifest's product modules: any kind with a resolver or a resource is a
// UI module; a mistake is said at start (a warning) or refused with a message that says what is
// wrong, never dropped silently.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../../local-runtime/manifest/app-manifest.js';
import { createRuntime } from '../../local-runtime/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function appWith(manifest: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fsw-manifest-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'manifest.yml'), manifest);
  return dir;
}

describe('product modules in the manifest', () => {
  it('reads any kind with a resolver as a UI module, with its kind and title', async () => {
    const manifest = loadManifest(
      await appWith(`
app: { id: 'ari:cloud:ecosystem::app/1' }
modules:
  bitbucket:repositoryMainMenuPage:
    - { key: repo-page, resource: main, resolver: { function: fn }, title: Repo page }
  function:
    - { key: fn, handler: index.handler }
resources:
  - { key: main, path: static/main }
`),
    );
    expect(manifest.uiModules.get('repo-page')).toEqual({
      key: 'repo-page',
      type: 'bitbucket:repositoryMainMenuPage',
      resolverFunction: 'fn',
      resource: 'main',
      title: 'Repo page',
    });
    expect(manifest.resolvers.get('repo-page')).toBe('fn');
    expect(manifest.warnings).toEqual([]);
  });

  it('warns about a resolver function the manifest does not define, and invoking it says so', async () => {
    const dir = await appWith(`
app: { id: 'ari:cloud:ecosystem::app/1' }
modules:
  jira:adminPage:
    - { key: admin, resolver: { function: missing }, title: Admin }
`);
    const rt = await createRuntime({ appDir: dir });
    try {
      expect(rt.warnings).toEqual([
        "jira:adminPage 'admin' names the resolver function 'missing', which manifest.yml's function modules do not define: invoking it fails",
      ]);
      await expect(rt.invokeResolver({ functionKey: 'x' })).rejects.toThrow(
        "jira:adminPage 'admin' names the resolver function 'missing', which manifest.yml does not define",
      );
    } finally {
      await rt.close();
    }
  });

  it('refuses a module key used twice, and a manifest it cannot read, saying where', async () => {
    const twice = await appWith(`
app: {}
modules:
  jira:adminPage: [{ key: page, resolver: { function: fn } }]
  jira:globalPage: [{ key: page, resolver: { function: fn } }]
  function: [{ key: fn, handler: index.handler }]
`);
    expect(() => loadManifest(twice)).toThrow(
      "manifest.yml declares the module key 'page' twice (jira:adminPage and jira:globalPage)",
    );
    const unreadable = await appWith(`
app: {}
modules:
  jira:adminPage: { key: not-a-list }
`);
    expect(() => loadManifest(unreadable)).toThrow(
      /manifest\.yml is not a manifest the local runtime can read/,
    );
  });
});
