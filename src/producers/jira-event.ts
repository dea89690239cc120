// Jira product events (Forge `trigger` payloads) and the commands they become. Pure: no I/O, so
// the mapping is tested on its own and the handler stays a thin shell.
import { z } from 'zod';
import type { Command } from '../shared/issue-data/issue-writer';
import { deterministicId } from './deterministic-id';

export const JIRA_ISSUE_EVENTS = [
  'avi:jira:created:issue',
  'avi:jira:updated:issue',
  'avi:jira:commented:issue',
  'avi:jira:deleted:issue',
] as const;

/** Status names longer than the command schema allows are cut, not refused: the event is real. */
const MAX_STATUS_CHARS = 100;

const changelogItem = z
  .object({
    field: z.string(),
    fieldId: z.string().optional(),
    fromString: z.string().nullish(),
    toString: z.string().nullish(),
  })
  .passthrough();

/** The fields we read; everything else Forge sends (fields, users, comment body) passes through unread. */
export const jiraIssueEvent = z
  .object({
    eventType: z.enum(JIRA_ISSUE_EVENTS),
    issue: z
      .object({
        id: z.string().regex(/^[0-9]{1,18}$/, 'an issue id is the numeric Jira id'),
        key: z.string().max(255).optional(),
        fields: z.record(z.string(), z.unknown()).optional(),
      })
      .passthrough(),
    atlassianId: z.string().max(128).optional(),
    timestamp: z.union([z.string().max(64), z.number().int().nonnegative()]).optional(),
    changelog: z
      .object({
        id: z.union([z.string().max(64), z.number().int()]).optional(),
        items: z.array(changelogItem).max(1000),
      })
      .passthrough()
      .optional(),
    comment: z
      .object({ id: z.union([z.string().max(64), z.number().int()]).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export type JiraIssueEvent = z.infer<typeof jiraIssueEvent>;

export interface EventCommand {
  commandId: string;
  command: Command;
}

/** The event's time in epoch ms: Forge's timestamp when it has a readable one, else `now`. */
export function eventTime(event: JiraIssueEvent, now: number): number {
  const { timestamp } = event;
  if (typeof timestamp === 'number') return timestamp;
  const parsed = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : now;
}

/**
 * The commands one Jira event becomes, each with an id derived only from the event, so a repeated
 * delivery of the same event yields the same ids and applies once.
 */
export function commandsForJiraEvent(event: JiraIssueEvent, now: number): EventCommand[] {
  const at = eventTime(event, now);
  const base = deterministicId('jira-', [
    event.eventType,
    event.issue.id,
    event.timestamp ?? null,
    event.changelog?.id ?? null,
    event.changelog?.items.map((i) => [i.field, i.fromString ?? null, i.toString ?? null]) ?? null,
    event.comment?.id ?? null,
  ]);
  const id = (suffix: string) => `${base}-${suffix}`;
  switch (event.eventType) {
    case 'avi:jira:created:issue':
      return [{ commandId: id('record'), command: record('created', at) }];
    case 'avi:jira:commented:issue':
      return [{ commandId: id('record'), command: record('commented', at) }];
    case 'avi:jira:deleted:issue':
      return [{ commandId: id('delete'), command: { type: 'issue.delete', payload: { at } } }];
    case 'avi:jira:updated:issue': {
      const commands: EventCommand[] = [{ commandId: id('record'), command: record('updated', at) }];
      const status = event.changelog?.items.find((i) => (i.fieldId ?? i.field) === 'status');
      const to = status?.toString?.slice(0, MAX_STATUS_CHARS);
      if (status && to) {
        const from = (status.fromString ?? '').slice(0, MAX_STATUS_CHARS);
        commands.push({
          commandId: id('transition'),
          command: { type: 'activity.transition', payload: { from, to, at } },
        });
      }
      return commands;
    }
  }
}

function record(kind: 'created' | 'updated' | 'commented', at: number): Command {
  return { type: 'activity.record', payload: { kind, at } };
}
