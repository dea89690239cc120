// Property tests for the deployment web trigger: whatever arrives, the answer is never a 500, and
// nothing is enqueued unless the call is correctly signed, fresh and valid.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { deploymentBody } from '../../src/producers/deployments/deployment-event.js';
import { signRequest } from '../../src/producers/deployments/webhook-signature.js';
import { configureSecret, pushes, SECRET, startApp } from './webhook-harness.js';

const KNOWN_KEYS = new Set(['APP-1', 'APP-2', 'APP-3']);
const ALLOWED = new Set([202, 400, 401, 404, 405, 409, 413]);

/** A valid deployment body, then often one field dropped or replaced by any JSON value. */
const validObject = fc.record({
  target: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({ issueKey: fc.constantFrom('APP-1', 'APP-2', 'APP-3', 'APP-999', 'OPS-999') }),
    },
    // Refused: an issue is named by its key only.
    { weight: 1, arbitrary: fc.record({ issueId: fc.constantFrom('10001', '99999') }) },
    { weight: 1, arbitrary: fc.record({ issueKey: fc.constant('APP-1'), issueId: fc.constant('10001') }) },
  ),
  eventId: fc.string({ minLength: 1, maxLength: 30 }),
  environment: fc.constantFrom('production', 'staging'),
  status: fc.constantFrom('started', 'succeeded', 'failed', 'rolled-back'),
  at: fc.nat(),
  url: fc.option(fc.constantFrom('https://ci.example.com/1', 'javascript:alert(1)', 'ftp://x'), {
    nil: undefined,
  }),
});
const fields = ['issueKey', 'issueId', 'eventId', 'environment', 'status', 'at', 'url'] as const;
const bodyObject = fc
  .tuple(
    validObject,
    fc.constantFrom('keep', 'keep', 'drop', 'replace'),
    fc.constantFrom(...fields),
    fc.jsonValue(),
  )
  .map(([{ target, ...rest }, mode, field, junk]) => {
    const object: Record<string, unknown> = { ...target, ...rest };
    if (mode === 'drop') delete object[field];
    if (mode === 'replace') object[field] = junk;
    return object;
  });

const body = fc.oneof(
  { weight: 6, arbitrary: bodyObject.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

type Part = 'good' | 'bad' | 'absent';
const part: fc.Arbitrary<Part> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('good' as const) },
  { weight: 1, arbitrary: fc.constant('bad' as const) },
  { weight: 1, arbitrary: fc.constant('absent' as const) },
);

const request = fc.record({
  method: fc.oneof(
    { weight: 5, arbitrary: fc.constant('POST') },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'put', 'DELETE', '') },
  ),
  body,
  signature: part,
  timestamp: part,
  /** Seconds off the clock when the timestamp is `bad`: sometimes inside the window, mostly out. */
  skew: fc.oneof(
    fc.integer({ min: -299, max: 299 }),
    fc.integer({ min: 301, max: 100_000 }),
    fc.integer({ min: -100_000, max: -301 }),
  ),
  nonce: part,
  junk: fc.string({ maxLength: 80 }),
});

describe('deployment web trigger, properties', () => {
  let rt: LocalForgeRuntime;
  let counter = 0;
  const outcomes = new Map<number, number>();
  beforeAll(async () => {
    rt = await startApp(11);
    await configureSecret(rt);
  });
  afterAll(() => rt.close());

  it('never answers 500 and never enqueues unless correctly signed and valid', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        counter += 1;
        const now = Math.floor(rt.clock.now() / 1000);
        const timestamp =
          r.timestamp === 'good' ? String(now) : r.timestamp === 'bad' ? String(now + r.skew) : undefined;
        const nonce =
          r.nonce === 'good'
            ? `prop-nonce-${String(counter).padStart(8, '0')}`
            : r.nonce === 'bad'
              ? r.junk
              : undefined;
        const headers: Record<string, string[]> = {};
        if (timestamp !== undefined) headers['x-forge-timestamp'] = [timestamp];
        if (nonce !== undefined) headers['x-forge-nonce'] = [nonce];
        if (r.signature === 'good')
          headers['x-forge-signature'] = [signRequest(SECRET, timestamp ?? '', nonce ?? '', r.body)];
        if (r.signature === 'bad') headers['x-forge-signature'] = [r.junk];

        const before = pushes(rt);
        const response = await rt.callWebTrigger('deployment-webhook', {
          method: r.method,
          headers,
          body: r.body,
        });
        const answer = JSON.parse(response.body) as Record<string, unknown>;
        outcomes.set(response.statusCode, (outcomes.get(response.statusCode) ?? 0) + 1);
        expect(ALLOWED.has(response.statusCode), `status ${response.statusCode}: ${response.body}`).toBe(
          true,
        );

        const inWindow = timestamp !== undefined && Math.abs(Number(timestamp) - now) <= 300;
        const signed = r.method === 'POST' && r.signature === 'good' && r.nonce === 'good' && inWindow;
        const valid = validDeployment(r.body);
        const expected = signed && valid !== undefined && KNOWN_KEYS.has(valid.issueKey);
        expect(response.statusCode === 202, `${response.statusCode} ${response.body}`).toBe(expected);
        expect(pushes(rt)).toBe(before + (expected ? 1 : 0));
        if (response.statusCode !== 202) {
          expect(typeof answer['error']).toBe('string');
          expect(typeof answer['message']).toBe('string');
        }
      }),
      { seed: 20260201, numRuns: 300 },
    );
    // Not vacuous: the runs reach acceptance as well as each kind of refusal.
    for (const status of [202, 400, 401, 404, 405]) expect(outcomes.get(status) ?? 0).toBeGreaterThan(3);
  });
});

function validDeployment(raw: string): { issueKey: string } | undefined {
  try {
    const parsed = deploymentBody.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
