// Which partition a stored record or an envelope names (src/shared/writer/storage-layout.ts): the
// string under the writer's partition field, and none ('') when the field is absent or not a string.
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/shared/writer/storage-layout.js';
import { add, counter } from './counter-writer.js';

describe('partitionOf', () => {
  const config = counter.config;

  it("reads the id under the writer's partition field, and '' where there is none", () => {
    expect(partitionOf(config, add('t1', 1, 'cmd-layout-1'))).toBe('t1');
    expect(partitionOf(config, { teamId: '' })).toBe('');
    expect(partitionOf(config, {})).toBe('');
    expect(partitionOf(config, { teamId: 7 })).toBe('');
    expect(partitionOf(config, { issueId: 't1' })).toBe('');
  });
});
