// Envelopes: the current schema, older ones still readable after a redeploy, clear refusals.
import { describe, expect, it } from 'vitest';
import { issueWriter } from '../../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../../src/shared/writer/index.js';

const parseEnvelope = (raw: unknown) => issueWriter.parseEnvelope(raw);

const v1 = {
  schemaVersion: 1,
  commandId: 'cmd-from-release-1',
  issueId: '10001',
  issuedAt: 1_700_000_000_000,
  source: 'ui',
  type: 'checklist.add',
  payload: { itemId: 'a', text: 'From the first release' },
};

describe('envelopes', () => {
  it('reads a version 1 envelope (no expectedVersion) as the current version', () => {
    expect(parseEnvelope(v1)).toEqual({
      ok: true,
      envelope: { ...v1, schemaVersion: ENVELOPE_SCHEMA_VERSION },
    });
  });

  it('reads the current version with expectedVersion', () => {
    const current = { ...v1, schemaVersion: ENVELOPE_SCHEMA_VERSION, expectedVersion: 3 };
    expect(parseEnvelope(current)).toEqual({ ok: true, envelope: current });
  });

  it('ignores expectedVersion on a version 1 envelope, which never had one', () => {
    const parsed = parseEnvelope({ ...v1, expectedVersion: 3 });
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && 'expectedVersion' in parsed.envelope).toBe(false);
  });

  it('refuses a version from a newer deployment, saying so', () => {
    expect(parseEnvelope({ ...v1, schemaVersion: 99 })).toEqual({
      ok: false,
      reason: expect.stringContaining('newer than this deployment understands'),
      issues: [],
    });
  });

  it('names the field at fault', () => {
    expect(parseEnvelope({ ...v1, type: 'checklist.explode' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('type'),
    });
    expect(parseEnvelope({ ...v1, issueId: 'APP-1' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('issueId'),
    });
    expect(parseEnvelope({ ...v1, payload: { itemId: 'a', text: '' } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('payload.text'),
    });
    expect(parseEnvelope('nonsense').ok).toBe(false);
  });

  it('refuses a command id with a character outside letters, digits and : . _ - anywhere in it', () => {
    for (const commandId of ['!cmd-from-release-1', 'cmd-from release-1', 'cmd-from-release-1/']) {
      expect(parseEnvelope({ ...v1, commandId })).toEqual({
        ok: false,
        reason: 'commandId: command ids use letters, digits and : . _ -',
        issues: [expect.objectContaining({ path: ['commandId'] })],
      });
    }
    expect(parseEnvelope({ ...v1, commandId: 'Cmd:1.a_b-Z9' }).ok).toBe(true);
  });
});
