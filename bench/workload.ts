// The realistic workload every approach runs: issues whose checklist already holds 50 to 100
// items (the app's limit is MAX_CHECKLIST_ITEMS), and commands that are a mix of checklist edits
// and activity records on them. How each command's effect is checked at the end is here too.
import { createHash } from 'node:crypto';
import type { SeededRandom } from '../local-runtime/kernel/random.js';
import type { ChecklistEntry, IssueState, Stamp } from '../src/shared/issue-data/issue-state.js';
import { emptyIssueState, MAX_CHECKLIST_ITEMS } from '../src/shared/issue-data/issue-state.js';
import type { IssueEnvelope, IssueRecord } from '../src/shared/issue-data/issue-writer.js';
import { ENVELOPE_SCHEMA_VERSION } from '../src/shared/writer/index.js';

/** How many checklist items an issue starts with: uniform in this range, per issue. */
export interface StateShape {
  checklistItems: readonly [number, number];
}

export const REALISTIC_STATE: StateShape = { checklistItems: [50, MAX_CHECKLIST_ITEMS] };

/** The share of each command type in a delivery (the rest are `activity.record`). */
export const COMMAND_MIX = {
  'checklist.check': 0.3,
  'checklist.rename': 0.2,
  'checklist.reorder': 0.1,
} as const;
const RECORD_SHARE = 1 - Object.values(COMMAND_MIX).reduce((a, b) => a + b, 0);

const WORDS =
  'review update the deploy check tests docs before release with QA sign off on staging and notes'.split(' ');

/** A checklist item's text as people write them: 3 to 14 words, 15 to about 100 characters. */
function itemText(random: SeededRandom): string {
  return Array.from({ length: random.int(3, 14) }, () => WORDS[random.int(0, WORDS.length - 1)]).join(' ');
}

/** An Atlassian account id as stamps keep it: `557058:` and a UUID (43 characters). */
function accountId(random: SeededRandom): string {
  const hex = (n: number) => Array.from({ length: n }, () => random.int(0, 15).toString(16)).join('');
  return `557058:${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

/** The reducer's stamp id of a command (`stampId` in src/shared/issue-data/reducer.ts). */
export function stampIdOf(commandId: string): string {
  return createHash('sha256').update(commandId).digest('hex').slice(0, 16);
}

export function itemIdOf(n: number): string {
  return `item-${n}`;
}

/** An issue's state before the run: its checklist filled and edited by a few people over weeks. */
export function seededState(random: SeededRandom, items: number, before: number): IssueState {
  const people = Array.from({ length: 4 }, () => accountId(random));
  const stamp = (): Stamp => ({
    at: before - random.int(60_000, 30 * 86_400_000),
    id: random
      .int(0, 2 ** 31)
      .toString(16)
      .padStart(16, '0'),
    by: people[random.int(0, people.length - 1)]!,
  });
  const checklist: Record<string, ChecklistEntry> = {};
  for (let n = 0; n < items; n++) {
    checklist[itemIdOf(n)] = {
      text: { value: itemText(random), stamp: stamp() },
      rank: { value: n * 1024, stamp: stamp() },
      ...(random.chance(0.5) ? { checked: { value: true, stamp: stamp() } } : {}),
    };
  }
  const state = emptyIssueState();
  return {
    ...state,
    checklist,
    activity: { ...state.activity, counts: { created: 1, updated: 0, commented: 0 } },
  };
}

export function seededRecord(issueId: string, state: IssueState, at: number): IssueRecord {
  return { issueId, version: 1, updatedAt: at, state };
}

/** One delivery's commands: a seeded mix over the issue's existing items. */
export function deliveryCommands(
  random: SeededRandom,
  delivery: { index: number; issueId: string; commands: number; items: number },
  issuedAt: number,
): IssueEnvelope[] {
  return Array.from({ length: delivery.commands }, (_, j): IssueEnvelope => {
    const commandId = `bench-p${delivery.index}-c${j}`;
    const base = {
      schemaVersion: ENVELOPE_SCHEMA_VERSION as typeof ENVELOPE_SCHEMA_VERSION,
      commandId,
      issueId: delivery.issueId,
      issuedAt,
      source: 'jira-webhook' as const,
    };
    const itemId = itemIdOf(random.int(0, delivery.items - 1));
    const roll = random.next();
    if (roll < RECORD_SHARE)
      return {
        ...base,
        type: 'activity.record' as const,
        payload: { kind: 'updated' as const, at: issuedAt },
      };
    if (roll < RECORD_SHARE + COMMAND_MIX['checklist.check'])
      return { ...base, type: 'checklist.check' as const, payload: { itemId, checked: random.chance(0.5) } };
    if (roll < RECORD_SHARE + COMMAND_MIX['checklist.check'] + COMMAND_MIX['checklist.rename'])
      return { ...base, type: 'checklist.rename' as const, payload: { itemId, text: itemText(random) } };
    return { ...base, type: 'checklist.reorder' as const, payload: { itemId, rank: random.int(0, 2 ** 20) } };
  });
}

const FIELD = {
  'checklist.check': 'checked',
  'checklist.rename': 'text',
  'checklist.reorder': 'rank',
} as const;

/**
 * The effects the issued commands must leave: per issue, how many `activity.record` increments;
 * per checklist field, the stamp of its newest command (last writer wins by issue time, then id).
 */
export class ExpectedEffects {
  readonly records = new Map<string, number>();
  private readonly newest = new Map<string, Stamp>();

  add(cmd: IssueEnvelope): void {
    if (cmd.type === 'activity.record') {
      this.records.set(cmd.issueId, (this.records.get(cmd.issueId) ?? 0) + 1);
      return;
    }
    if (cmd.type !== 'checklist.check' && cmd.type !== 'checklist.rename' && cmd.type !== 'checklist.reorder')
      return;
    const key = `${cmd.issueId}/${cmd.payload.itemId}/${FIELD[cmd.type]}`;
    const stamp = { at: cmd.issuedAt, id: stampIdOf(cmd.commandId) };
    const known = this.newest.get(key);
    if (!known || stamp.at > known.at || (stamp.at === known.at && stamp.id > known.id))
      this.newest.set(key, stamp);
  }

  /** Checklist fields whose stored stamp is not their newest command's: each one a lost update. */
  lostFields(stored: (issueId: string) => IssueState | undefined): number {
    let lost = 0;
    for (const [key, stamp] of this.newest) {
      const [issueId, itemId, field] = key.split('/') as [string, string, 'checked' | 'text' | 'rank'];
      const got = stored(issueId)?.checklist[itemId]?.[field]?.stamp;
      if (!got || got.at !== stamp.at || got.id !== stamp.id) lost++;
    }
    return lost;
  }
}
