// Dead letters read through the runtime's unmetered inspector: the console's own polling must not
// show up in the Forge-metered counters it displays.
import type { LocalForgeRuntime } from '../../local-runtime/index.js';
import { issueWriter, type IssueDeadLetter } from '../../src/shared/issue-data/issue-writer.js';
import type { DeadLetterRow, DeadLettersView } from '../console-types.js';

const MAX_LISTED = 200;
const MAX_REPLAYED = 20;
const RAW_PREVIEW_CHARS = 300;

export function storedDeadLetters(rt: LocalForgeRuntime): IssueDeadLetter[] {
  return rt.storage
    .listEntity(issueWriter.entities.deadLetter)
    .map((item) => item.value as IssueDeadLetter)
    .filter((letter) => typeof letter?.deadLetterId === 'string');
}

function deadLetterRow(rt: LocalForgeRuntime, letter: IssueDeadLetter): DeadLetterRow {
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
  const discarded = rows.filter((r) => r.status === 'discarded');
  return {
    counts: {
      open: open.length,
      malformed: malformed.length,
      replayed: replayed.length,
      discarded: discarded.length,
    },
    open: open.slice(0, MAX_LISTED),
    malformed: malformed.slice(0, MAX_LISTED),
    replayed: replayed.slice(0, MAX_REPLAYED),
    discarded: discarded.slice(0, MAX_REPLAYED),
  };
}
