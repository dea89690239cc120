// Property tests: whatever a browser sends, a resolver answers with a typed result. Input the
// shared schema refuses gets `invalid-input`, is never an untyped throw, and never enqueues.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { resolverPayloads, type ResolverName } from '../../src/shared/resolver-api.js';
import { callResolver, newRuntime, pushes } from './resolver-test-kit.js';

const SEED = 20260105;
const RUNS = 60;

/** A valid payload per resolver that takes input; the properties mutate these. */
const VALID: Partial<Record<ResolverName, Record<string, unknown>>> = {
  submitCommand: { type: 'checklist.add', payload: { itemId: 'p1', text: 'Property' }, expectedVersion: 0 },
  getStatuses: { commandIds: ['command-0001'] },
  startReport: { kind: 'time-in-status' },
  cancelReport: { jobId: 'job-1' },
  getReport: { jobId: 'job-1' },
  listReports: { limit: 5 },
};
const NAMES = Object.keys(VALID) as ResolverName[];

/** JSON values, as they arrive over the bridge. */
const json = fc.jsonValue({ maxDepth: 3 });

/** A valid payload with one field (at any depth) replaced, removed, or a valid one's type swapped. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths = leafPaths(valid);
  return fc.tuple(fc.constantFrom(...paths), fc.option(json, { nil: undefined })).map(([p, value]) => {
    const copy = structuredClone(valid);
    let target = copy as Record<string, unknown>;
    for (const key of p.slice(0, -1)) target = target[key] as Record<string, unknown>;
    const last = p[p.length - 1]!;
    if (value === undefined) delete target[last];
    else target[last] = value;
    return copy;
  });
}

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [prefix.length ? [prefix] : [], ...entries.map(([k, v]) => leafPaths(v, [...prefix, k]))].flat();
}

function invalidFor(name: ResolverName): fc.Arbitrary<unknown> {
  const schema = resolverPayloads[name];
  return (
    fc
      .oneof(json, mutated(VALID[name]!), fc.dictionary(fc.string(), json))
      // What JSON makes of it, since that is what the resolver receives.
      .map((p) => (p === undefined ? undefined : (JSON.parse(JSON.stringify(p)) as unknown)))
      // `@forge/resolver` turns a falsy payload into `{}`.
      .filter((p) => !schema.safeParse(p || {}).success)
  );
}

describe('resolver payload properties', () => {
  let rt: LocalForgeRuntime;
  beforeAll(async () => {
    rt = await newRuntime();
  });
  afterAll(() => rt.close());

  for (const name of NAMES) {
    it(`${name}: invalid payloads get a typed invalid-input error and enqueue nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(invalidFor(name), async (payload) => {
          const before = pushes(rt);
          const result = await callResolver(rt, name, payload);
          expect(result).toEqual({
            ok: false,
            error: { code: 'invalid-input', message: expect.any(String) },
          });
          expect(pushes(rt)).toBe(before);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('submitCommand: any payload, valid or not, gets a typed result and enqueues only when ok', async () => {
    const anyPayload = fc.oneof(json, mutated(VALID.submitCommand!));
    await fc.assert(
      fc.asyncProperty(
        anyPayload,
        fc.constantFrom('user-admin', 'user-viewer') as fc.Arbitrary<'user-admin' | 'user-viewer'>,
        async (payload, accountId) => {
          const before = pushes(rt);
          const result = await callResolver(rt, 'submitCommand', payload, { accountId });
          if (result.ok) {
            expect(accountId).toBe('user-admin');
            expect(result.value.commandId).toEqual(expect.any(String));
            expect(pushes(rt)).toBe(before + 1);
          } else {
            expect(['invalid-input', 'forbidden']).toContain(result.error.code);
            expect(result.error.message).toEqual(expect.any(String));
            expect(pushes(rt)).toBe(before);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
