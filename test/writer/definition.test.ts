// defineWriter refuses a definition it cannot work with, naming the field, and fills in every
// default from the names it was given.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineWriter, WriterError } from '../../src/shared/writer/index.js';
import { DEFAULT_LIMITS, FORGE_MAX_VALUE_BYTES } from '../../src/shared/writer/definition.js';
import { MAX_EVENT_BYTES } from '../../src/shared/writer/enqueue.js';
import { counterDefinition } from './counter-writer.js';

function refusal(change: Record<string, unknown>): WriterError {
  try {
    defineWriter({ ...counterDefinition, ...change } as typeof counterDefinition);
  } catch (error) {
    expect(error).toBeInstanceOf(WriterError);
    expect((error as WriterError).code).toBe('invalid-definition');
    expect((error as WriterError).retryable).toBe(false);
    return error as WriterError;
  }
  throw new Error(`accepted ${JSON.stringify(change)}`);
}

describe('defineWriter', () => {
  it('derives the partition field, entities, receipt index and default limits from the names', () => {
    const { config, entities, partition, queue } = defineWriter(counterDefinition);
    expect({ partition, queue, idField: config.idField, receiptIndex: config.receiptIndex }).toEqual({
      partition: 'team',
      queue: 'counter-commands',
      idField: 'teamId',
      receiptIndex: 'by-team',
    });
    expect(entities).toEqual({
      state: 'counter-state',
      receipt: 'counter-receipt',
      deadLetter: 'counter-dead-letter',
    });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.expireState({ total: 1 })).toBeUndefined();
  });

  it('keeps the entity names and limits it is given, and the defaults for the rest', () => {
    const { entities, config } = defineWriter({
      ...counterDefinition,
      entities: { receipt: 'my-receipts' },
      limits: { maxCommandsPerEvent: 10 },
    });
    expect(entities).toEqual({
      state: 'counter-state',
      receipt: 'my-receipts',
      deadLetter: 'counter-dead-letter',
    });
    expect(config.limits).toEqual({ ...DEFAULT_LIMITS, maxCommandsPerEvent: 10 });
  });

  it('accepts only the sources it lists, and any short source (or a replay) when it lists none', () => {
    const listed = defineWriter({ ...counterDefinition, sources: ['webhook'] as const });
    const open = defineWriter(counterDefinition);
    const envelope = (source: string) => ({
      type: 'count.add',
      payload: { by: 1 },
      schemaVersion: 2,
      commandId: 'cmd-source-1',
      teamId: 't1',
      issuedAt: 1,
      source,
    });
    expect(listed.parseEnvelope(envelope('webhook')).ok).toBe(true);
    expect(listed.parseEnvelope(envelope('replay')).ok).toBe(true);
    expect(listed.parseEnvelope(envelope('panel')).ok).toBe(false);
    expect(open.parseEnvelope(envelope('panel')).ok).toBe(true);
    expect(open.parseEnvelope(envelope('')).ok).toBe(false);
    expect(open.parseEnvelope(envelope('x'.repeat(51))).ok).toBe(false);
    expect(open.parseEnvelope(envelope('x'.repeat(50))).ok).toBe(true);
  });

  it('refuses names and queues Forge or the entity names could not take, naming them', () => {
    expect(refusal({ name: 'Counter' }).message).toContain('name must match');
    expect(refusal({ name: '' }).message).toContain("got ''");
    expect(refusal({ name: 'a'.repeat(32) }).message).toContain('name must match');
    expect(refusal({ partition: { name: 'team_x', id: z.string() } }).message).toContain(
      "partition.name must match /^[a-z][a-z0-9-]{0,30}$/, got 'team_x'",
    );
    expect(refusal({ queue: 'q'.repeat(37) }).message).toContain('queue must be 1 to 36 letters');
    expect(refusal({ queue: 'a queue' }).message).toContain("got 'a queue'");
    expect(defineWriter({ ...counterDefinition, name: 'a'.repeat(31), queue: 'Q_'.repeat(18) }).queue).toBe(
      'Q_'.repeat(18),
    );
  });

  it('refuses limits that allow no command, or a state larger than Forge stores', () => {
    expect(refusal({ limits: { maxCommandsPerEvent: 0 } }).message).toBe(
      'limits must allow at least one command of 256 bytes',
    );
    refusal({ limits: { maxEnvelopeBytes: 255 } });
    expect(refusal({ limits: { maxEnvelopeBytes: MAX_EVENT_BYTES } }).message).toBe(
      `limits.maxEnvelopeBytes must be under ${MAX_EVENT_BYTES}`,
    );
    refusal({ limits: { maxStateBytes: 0 } });
    expect(refusal({ limits: { maxStateBytes: FORGE_MAX_VALUE_BYTES + 1 } }).message).toBe(
      `limits.maxStateBytes must be at most ${FORGE_MAX_VALUE_BYTES}`,
    );
    const edge = { maxCommandsPerEvent: 1, maxEnvelopeBytes: 256, maxStateBytes: FORGE_MAX_VALUE_BYTES };
    expect(defineWriter({ ...counterDefinition, limits: edge }).config.limits).toEqual(edge);
    const largest = { ...edge, maxEnvelopeBytes: MAX_EVENT_BYTES - 1 };
    expect(defineWriter({ ...counterDefinition, limits: largest }).config.limits).toEqual(largest);
  });
});
