// The custom entities a writer needs, in manifest.yml's own shape: what to paste under
// `app.storage.entities`, and what a test compares the app's manifest against.
import type { WriterLayout } from './definition';

export interface ManifestEntity {
  name: string;
  attributes: Record<string, { type: 'string' | 'integer' | 'float' | 'boolean' | 'any' }>;
  indexes: Array<string | { name: string; partition: string[]; range: string[] }>;
}

/** Timestamps are floats: Forge's integer attributes are 32-bit, too small for epoch milliseconds. */
export function manifestEntities(config: WriterLayout): ManifestEntity[] {
  const id = config.idField;
  return [
    {
      name: config.entities.state,
      attributes: {
        [id]: { type: 'string' },
        version: { type: 'integer' },
        updatedAt: { type: 'float' },
        state: { type: 'any' },
      },
      indexes: ['updatedAt'],
    },
    {
      name: config.entities.receipt,
      attributes: {
        commandId: { type: 'string' },
        [id]: { type: 'string' },
        status: { type: 'string' },
        version: { type: 'integer' },
        reason: { type: 'string' },
        settledAt: { type: 'float' },
        fingerprint: { type: 'string' },
        envelope: { type: 'any' },
        coalesced: { type: 'boolean' },
      },
      indexes: [
        { name: config.receiptIndex, partition: [id], range: ['settledAt'] },
        // A partition's deposits (pending receipts), for the consumer that coalesces them.
        { name: `${config.receiptIndex}-status`, partition: [id, 'status'], range: ['settledAt'] },
      ],
    },
    {
      name: config.entities.deadLetter,
      attributes: {
        deadLetterId: { type: 'string' },
        [id]: { type: 'string' },
        status: { type: 'string' },
        reason: { type: 'string' },
        attempts: { type: 'integer' },
        createdAt: { type: 'float' },
        envelope: { type: 'any' },
      },
      indexes: [{ name: 'by-status', partition: ['status'], range: ['createdAt'] }],
    },
  ];
}
