// Dead letters read through the runtime's unmetered inspector: the console's own polling must not
// show up in the Forge-metered counters it displays.
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { ENTITY, type DeadLetterRecord } from '../../src/shared/storage-layout.js';
import type { DeadLetterRow, DeadLettersView } from '../console-types.js';

const MAX_LISTED = 200;
const MAX_REPLAYED = 20;
const RAW_PREVIEW_CHARS = 300;

export function storedDeadLetters(rt: LocalForgeRuntime): DeadLetterRecord[] {
  return rt.storage
    .listEntity(ENTITY.deadLetter)
    .map((item) => item.value as DeadLetterRecord)
    .filter((letter) => typeof letter?.deadLetterId === 'string');
}

function deadLetterRow(rt: LocalForgeRuntime, letter: DeadLetterRecord): DeadLetterRow {
  const envelope = (letter.envelope ?? {}) as { type?: unknown; source?: unknown; raw?: unknown };
  const issueKey = letter.issueId ? rt.jira.inspect.issue(letter.issueId)?.key : undefined;
  return {
    deadLetterId: letter.deadLetterId,
    issueId: letter.issueId ?? '',
    ...(issueKey ? { issueKey } : {}),
    status: letter.status,
    reason: letter.reason ?? '',
    attempts: letter.attempts ?? 0,
    createdAt: letter.createdAt ?? 0,
    ...(typeof envelope.type === 'string' ? { commandType: envelope.type } : {}),
    ...(typeof envelope.source === 'string' ? { source: envelope.source } : {}),
    ...(typeof envelope.raw === 'string' ? { raw: envelope.raw.slice(0, RAW_PREVIEW_CHARS) } : {}),
  };
}

export function deadLettersView(rt: LocalForgeRuntime): DeadLettersView {
  const rows = storedDeadLetters(rt)
    .map((letter) => deadLetterRow(rt, letter))
    .sort((a, b) => b.createdAt - a.createdAt || (a.deadLetterId < b.deadLetterId ? -1 : 1));
  const open = rows.filter((r) => r.status === 'open');
  const malformed = rows.filter((r) => r.status === 'malformed');
  const replayed = rows.filter((r) => r.status === 'replayed');
  return {
    counts: { open: open.length, malformed: malformed.length, replayed: replayed.length },
    open: open.slice(0, MAX_LISTED),
    malformed: malformed.slice(0, MAX_LISTED),
    replayed: replayed.slice(0, MAX_REPLAYED),
  };
}
