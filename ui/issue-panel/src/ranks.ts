// Positions for moving checklist items. The writer orders items by rank (then id); a move sends the
// moved item one new rank between its new neighbours, so it never rewrites the other items.
import type { ChecklistItem } from '../../../src/shared/resolver-api.js';

export function rankBetween(before: number | undefined, after: number | undefined): number {
  if (before === undefined && after === undefined) return 0;
  if (before === undefined) return (after as number) - 1;
  if (after === undefined) return before + 1;
  return (before + after) / 2;
}

/** The rank that moves item `index` one place up (-1) or down (+1), or undefined at the ends. */
export function rankForMove(
  items: readonly ChecklistItem[],
  index: number,
  direction: -1 | 1,
): number | undefined {
  const target = index + direction;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return undefined;
  return direction === -1
    ? rankBetween(items[target - 1]?.rank, items[target]?.rank)
    : rankBetween(items[target]?.rank, items[target + 1]?.rank);
}

/** A new item goes last. */
export function rankForNewItem(items: readonly ChecklistItem[]): number {
  return items.reduce((max, item) => Math.max(max, item.rank), 0) + 1;
}

/** Item ids the writer accepts: letters, digits, dot, dash, underscore. */
export function newItemId(): string {
  return `item-${Date.now().toString(36)}-${randomSuffix()}`;
}

/** A client command id: the resolver makes retries of the same edit idempotent with it. */
export function newClientCommandId(): string {
  return `edit-${Date.now().toString(36)}-${randomSuffix()}`;
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
