// Command ids derived from the event that caused them. Jira and CI systems deliver the same event
// more than once; the same event must give the same command id, so the writer's receipts
// deduplicate it instead of counting it twice.
import { createHash } from 'node:crypto';

/** 160 bits of the hash: collision-free in practice, and well inside the 100-character id limit. */
const HASH_HEX_CHARS = 40;

/** `prefix` + a hash of the parts, which are JSON-encoded so that no two part lists collide. */
export function deterministicId(prefix: string, parts: readonly unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${prefix}${digest.slice(0, HASH_HEX_CHARS)}`;
}
