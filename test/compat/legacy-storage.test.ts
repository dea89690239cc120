// The legacy storage API (`storage` of @forge/api 7.x, @forge/storage) on the local runtime: it
// posts GraphQL to /forge/entities/graphql and reads and writes the same data as @forge/kvs.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalForgeRuntime } from '../../local-runtime/index.js';

const APP_DIR = path.resolve(import.meta.dirname, '../fixtures/compat/legacy-storage-app');

let rt: LocalForgeRuntime;
beforeEach(async () => {
  rt = await createRuntime({ appDir: APP_DIR, seed: 3 });
});
afterEach(async () => {
  await rt.close();
});

const call = (functionKey: string, payload: Record<string, unknown>) =>
  rt.invokeResolver({ functionKey, payload, accountId: 'user-1' });

describe('legacy storage of @forge/api 7.x and @forge/storage', () => {
  it('reads what @forge/kvs wrote, and @forge/kvs reads what it wrote', async () => {
    await call('saveNoteWithKvs', { key: 'note-1', value: { text: 'from kvs' } });
    expect(await call('getNote', { key: 'note-1' })).toEqual({ text: 'from kvs' });
    expect(await call('getNoteFromStoragePackage', { key: 'note-1' })).toEqual({ text: 'from kvs' });

    await call('saveNote', { key: 'note-2', value: ['from', 'storage'] });
    expect(await call('getNoteWithKvs', { key: 'note-2' })).toEqual(['from', 'storage']);
    expect(rt.storage.get('note-2')).toEqual(['from', 'storage']);
  });

  it('answers undefined for a missing key and deletes idempotently', async () => {
    expect(await call('getNote', { key: 'nothing' })).toBeNull();
    await call('saveNote', { key: 'gone', value: 1 });
    expect(await call('deleteNote', { key: 'gone' })).toBe('deleted');
    expect(await call('deleteNote', { key: 'gone' })).toBe('deleted');
    expect(await call('getNoteWithKvs', { key: 'gone' })).toBeNull();
  });

  it('lists keys by prefix a page at a time, each page resuming at the cursor', async () => {
    for (const key of ['todo-3', 'todo-1', 'other', 'todo-2']) {
      await call('saveNoteWithKvs', { key, value: key });
    }
    const first = (await call('listNotes', { prefix: 'todo-', limit: 2 })) as {
      results: Array<{ key: string; value: unknown }>;
      nextCursor?: string;
    };
    expect(first.results).toEqual([
      { key: 'todo-1', value: 'todo-1' },
      { key: 'todo-2', value: 'todo-2' },
    ]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await call('listNotes', { prefix: 'todo-', limit: 2, cursor: first.nextCursor })) as {
      results: Array<{ key: string }>;
      nextCursor?: string;
    };
    expect(second.results.map((r) => r.key)).toEqual(['todo-3']);
    // As on Forge, the last edge's cursor is given even on the last page; after it comes nothing.
    const third = (await call('listNotes', { prefix: 'todo-', limit: 2, cursor: second.nextCursor })) as {
      results: unknown[];
      nextCursor?: string;
    };
    expect(third).toEqual({ results: [], nextCursor: undefined });
  });

  it('shares secrets with @forge/kvs, apart from plain keys', async () => {
    await call('saveToken', { key: 'token', value: 's3cret' });
    expect(await call('getTokenWithKvs', { key: 'token' })).toBe('s3cret');
    expect(await call('getNote', { key: 'token' })).toBeNull();
    await call('saveTokenWithKvs', { key: 'token', value: 'rotated' });
    expect(await call('getToken', { key: 'token' })).toBe('rotated');
    await call('deleteToken', { key: 'token' });
    expect(rt.storage.getSecret('token')).toBeUndefined();
  });

  it('stores custom entities the KVS reads and queries them by index', async () => {
    await call('saveEntity', { key: 'n1', value: { author: 'ana', title: 'alpha' } });
    await call('saveEntity', { key: 'n2', value: { author: 'ana', title: 'beta' } });
    await call('saveEntity', { key: 'n3', value: { author: 'bo', title: 'alpha' } });
    expect(await call('getEntityWithKvs', { key: 'n2' })).toEqual({ author: 'ana', title: 'beta' });
    const found = (await call('notesBy', { author: 'ana', titlePrefix: 'al' })) as { results: unknown[] };
    expect(found.results).toEqual([{ key: 'n1', value: { author: 'ana', title: 'alpha' } }]);
    await call('saveEntity', { key: 'n4', value: { author: 'ana', title: 'gamma' } });
    const latest = (await call('latestNotesBy', { author: 'ana', exceptTitle: 'beta', limit: 10 })) as {
      results: Array<{ key: string }>;
      nextCursor: string | null;
    };
    expect(latest.results.map((r) => r.key)).toEqual(['n4', 'n1']);
    expect(latest.nextCursor).toBeNull();
  });

  it('refuses what the KVS refuses, as the GraphQL error the client throws', async () => {
    await expect(call('saveNote', { key: 'k'.repeat(501), value: 1 })).rejects.toThrow(/longer than 500/);
    await expect(call('saveEntity', { key: 'bad', value: { author: 'ana', title: 7 } })).rejects.toThrow(
      /'note.title' must be of type string/,
    );
  });
});
