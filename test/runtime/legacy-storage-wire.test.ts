// The legacy storage GraphQL at /forge/entities/graphql, at the wire: the answers the
// `@forge/storage` client parses (global-storage.js), for documents it sends and ones it doesn't.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime, type RuntimeOptions } from '../../local-runtime/index.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/legacy-storage-app');

let rt: LocalForgeRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function post(body: unknown, options: RuntimeOptions = {}): Promise<Response> {
  rt ??= await createRuntime({ appDir: APP_DIR, seed: 2, ...options });
  return globalThis.__forge_fetch__!(
    { type: 'fpp', provider: 'app', remote: 'stargate' },
    '/forge/entities/graphql',
    { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
}

const SET = `mutation forge_app_setApplicationStorageEntity($input: SetAppStoredEntityMutationInput!) {
  appStorage { setAppStoredEntity(input: $input) { success errors { message extensions { errorType statusCode } } } }
}`;
const GET = `query forge_app_getApplicationStorageEntity($key: ID!, $encrypted: Boolean!) {
  appStoredEntity(key: $key, encrypted: $encrypted) { key value }
}`;

describe('legacy storage GraphQL wire', () => {
  it('answers a refused mutation in its payload, with errorType and statusCode', async () => {
    const response = await post({
      query: SET,
      variables: { input: { key: '', value: 1, encrypted: false } },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: {
        appStorage: {
          setAppStoredEntity: {
            success: false,
            errors: [
              {
                message: 'The key must not be empty',
                extensions: { errorType: 'KEY_TOO_SHORT', statusCode: 400 },
              },
            ],
          },
        },
      },
    });
  });

  it('answers a document that does not validate with top-level errors the client can read', async () => {
    const response = await post({ query: GET, variables: { key: 'k' } });
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: unknown }> };
    expect(body.errors[0]!.message).toMatch(/\$encrypted/);
    expect(body.errors[0]!.extensions).toEqual({ errorType: 'BAD_REQUEST', statusCode: 400 });
    const unknownField = await post({ query: '{ appStoredEntity(key: "k", encrypted: false) { nope } }' });
    expect(((await unknownField.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  it('fails the whole request with the HTTP status of a KVS rate limit or server error', async () => {
    const limited = await post(
      { query: GET, variables: { key: 'k', encrypted: false } },
      { faults: { kvs: { rateLimited: 1 } } },
    );
    expect(limited.status).toBe(429);
    rt!.setFaults({ kvs: { serverError: 1 } });
    const broken = await post({ query: GET, variables: { key: 'k', encrypted: false } });
    expect(broken.status).toBe(500);
  });

  it('meters each legacy call as the KVS call it is', async () => {
    await post({ query: SET, variables: { input: { key: 'k', value: 'v' } } });
    await post({ query: GET, variables: { key: 'k', encrypted: false } });
    expect(rt!.metered()).toMatchObject({ 'kvs.set': 1, 'kvs.get': 1 });
  });
});
