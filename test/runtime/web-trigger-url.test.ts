// `webTrigger.getUrl()` from the real @forge/api resolves to the local server's URL.
import path from 'node:path';
import { webTrigger } from '@forge/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';

const appDir = path.resolve(import.meta.dirname, '../..');

describe('web trigger URLs', () => {
  let rt: LocalForgeRuntime;
  afterEach(() => rt?.close());

  it('answers webTrigger.getUrl with the local URL of the module', async () => {
    rt = await createRuntime({ appDir });
    const url = await rt.runAsApp(() => webTrigger.getUrl('deployment-webhook'));
    expect(url).toBe(rt.modules.webTriggerUrl('deployment-webhook'));
    expect(url).toMatch(/\/webtrigger\/deployment-webhook$/);
  });

  it('fails like Forge for a module the manifest does not have', async () => {
    rt = await createRuntime({ appDir });
    await expect(rt.runAsApp(() => webTrigger.getUrl('no-such-trigger'))).rejects.toThrow(
      'Failed to get web trigger URL',
    );
  });
});
