// A receipt's fingerprint tells a retry of a command (harmless) from a different command reusing its
// id (refused): it must depend on what the command does and on nothing else.
import { describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/shared/writer/fingerprint.js';
import type { AnyEnvelope } from '../../src/shared/writer/index.js';

const layout = { idField: 'issueId' };

function envelope(fields: Record<string, unknown>): AnyEnvelope {
  return {
    schemaVersion: 2,
    commandId: 'cmd-fingerprint-1',
    issueId: '10001',
    issuedAt: 1_000,
    source: 'jira-webhook',
    type: 'checklist.add',
    payload: { itemId: 'a1', text: 'Plan', tags: ['x', 'y'], meta: { by: 'u1', at: 5 } },
    ...fields,
  } as AnyEnvelope;
}

const fingerprint = (fields: Record<string, unknown> = {}) => fingerprintOf(layout, envelope(fields));

describe('command fingerprint', () => {
  it('is 16 hex characters, the same for the same command', () => {
    expect(fingerprint()).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint()).toBe(fingerprint());
  });

  it('stays the same across deployments: SHA-256 of the canonical JSON (keys sorted), first 16 hex', () => {
    // Receipts and id claims written by the previous deployment must still match a retry after a
    // redeploy. Computed by hand: printf '%s' '<json below>' | sha256sum | cut -c1-16
    // {"partition":"10001","payload":{"itemId":"a1","meta":{"at":5,"by":"u1"},"tags":["x","y"],"text":"Plan"},"type":"checklist.add"}
    expect(fingerprint()).toBe('29b47133d3fe87a1');
  });

  it('ignores when, where from and under which id a retry is sent', () => {
    expect(
      fingerprint({ commandId: 'cmd-fingerprint-2', issuedAt: 9_999, source: 'replay', expectedVersion: 3 }),
    ).toBe(fingerprint());
  });

  it('ignores the order of keys, at every depth, and keys set to undefined', () => {
    const reordered = fingerprint({
      payload: { meta: { at: 5, by: 'u1' }, tags: ['x', 'y'], text: 'Plan', itemId: 'a1', note: undefined },
    });
    expect(reordered).toBe(fingerprint());
  });

  it('reads undefined in a list as null, as JSON does', () => {
    const withList = (last: unknown) =>
      fingerprint({ payload: { itemId: 'a1', text: 'Plan', tags: ['x', last], meta: { by: 'u1', at: 5 } } });
    expect(withList(undefined)).toBe(withList(null));
    expect(withList(undefined)).not.toBe(withList(''));
  });

  it('sorts keys by UTF-16 code unit: digits, then upper case, lower case, non-ASCII', () => {
    // printf '%s' '{"partition":"10001","payload":{"10":3,"B":2,"Z9":4,"a":1,"a0":5,"é":0},"type":"checklist.add"}' | sha256sum | cut -c1-16
    const keys = ['é', 'a', 'B', '10', 'Z9', 'a0'];
    const payload = Object.fromEntries(keys.map((key, i) => [key, i]));
    expect(fingerprint({ payload })).toBe('22900314f9b2c7e3');
  });

  it('reads a missing payload as an empty one (null)', () => {
    expect(fingerprint({ payload: undefined })).toBe(fingerprint({ payload: null }));
  });

  it('changes with the type, any payload value, the order of a list, or the partition', () => {
    const base = fingerprint();
    const others = [
      fingerprint({ type: 'checklist.remove' }),
      fingerprint({ payload: { itemId: 'a1', text: 'Plan!', tags: ['x', 'y'], meta: { by: 'u1', at: 5 } } }),
      fingerprint({ payload: { itemId: 'a1', text: 'Plan', tags: ['y', 'x'], meta: { by: 'u1', at: 5 } } }),
      fingerprint({ payload: { itemId: 'a1', text: 'Plan', tags: ['x', 'y'], meta: { by: 'u1', at: 6 } } }),
      fingerprint({ payload: { itemId: 'a1', text: 'Plan', tags: ['x', 'y'], meta: { by: 'u1', at: '5' } } }),
      fingerprint({ payload: { itemId: 'a1', text: 'Plan', tags: ['x', 'y'] } }),
      fingerprint({
        payload: { itemId: 'a1', text: 'Plan', tags: ['x', 'y'], meta: { by: 'u1', at: 5 }, x: null },
      }),
      fingerprint({ issueId: '10002' }),
    ];
    for (const other of others) expect(other).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });

  it('tells a key from a value that spells it', () => {
    expect(fingerprint({ payload: { a: 'b' } })).not.toBe(fingerprint({ payload: { b: 'a' } }));
    expect(fingerprint({ payload: ['a', 'b'] })).not.toBe(fingerprint({ payload: ['a,b'] }));
    expect(fingerprint({ payload: { a: 1, b: 2 } })).not.toBe(fingerprint({ payload: { a: 2, b: 1 } }));
  });
});
