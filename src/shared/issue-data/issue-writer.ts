// This app's writer: per-issue data (a checklist, activity, report results) serialized through the
// `issue-commands` queue. The producers and the consumer talk to it through this one module.
import { z } from 'zod';
import { defineWriter, type DeadLetter, type Envelope, type Receipt, type StoredState } from '../writer';
import { command, type Command } from './commands';
import { emptyIssueState, type IssueState } from './issue-state';
import { applyIssueCommand } from './reducer';

export const issueId = z.string().regex(/^[0-9]{1,18}$/, 'an issue id is the numeric Jira id');

export const COMMAND_SOURCES = ['ui', 'jira-webhook', 'external-webhook', 'report-job'] as const;

/**
 * A deleted issue's tombstone outlives every command that may still reach it: redeliveries (96 h)
 * and dead letters, which can be replayed for 30 days. Then it expires on its own.
 */
export const DELETED_ISSUE_TTL = { value: 31, unit: 'DAYS' } as const;

/** The definition, so the consumer can add what only it does (announcing commits, src/consumer). */
export const issueWriterDefinition = {
  name: 'issue-data',
  queue: 'issue-commands',
  partition: { name: 'issue' as const, id: issueId },
  commands: command,
  initialState: emptyIssueState,
  apply: applyIssueCommand,
  sources: COMMAND_SOURCES,
  entities: { state: 'issue-state', receipt: 'command-receipt', deadLetter: 'dead-letter' },
  expireState: (state: IssueState) => (state.deletedAt === undefined ? undefined : DELETED_ISSUE_TTL),
};

export const issueWriter = defineWriter(issueWriterDefinition);

/** A command for one issue, in its envelope. */
export type IssueEnvelope = Envelope<Command, 'issue'>;
/** An issue's stored record: its state and the version every commit checks. */
export type IssueRecord = StoredState<IssueState, 'issue'>;
export type IssueReceipt = Receipt<'issue'>;
export type IssueDeadLetter = DeadLetter<'issue'>;
export type CommandSource = (typeof COMMAND_SOURCES)[number];

export { command, type Command, type CommandType } from './commands';
export { checklistView, MAX_CHECKLIST_ITEMS, type IssueState } from './issue-state';
export { ISSUE_DELETED } from './reducer';
