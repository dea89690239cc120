// The body of a CI/CD deployment call to the web trigger, and the command it becomes.
import { z } from 'zod';
import type { Command } from '../../shared/issue-data/issue-writer';
import { deterministicId } from '../deterministic-id';

export const deploymentBody = z.object({
  /** The issue, by key: the web trigger checks it against Jira and takes the id Jira gives. */
  issueKey: z
    .string({ error: 'name the issue by its key: issueKey, e.g. APP-123' })
    .regex(/^[A-Z][A-Z0-9_]{0,49}-[1-9][0-9]{0,17}$/, 'an issue key looks like APP-123'),
  /**
   * Refused: an id would be taken unchecked and could create data for an issue that does not
   * exist. (Kept in the schema only to say so clearly.)
   */
  issueId: z
    .never({ error: 'issueId is not accepted: name the issue by its key, issueKey (e.g. APP-123)' })
    .optional(),
  /** The caller's id for this deployment event; a re-sent event keeps it, and applies once. */
  eventId: z.string().min(1).max(100),
  environment: z.string().trim().min(1).max(100),
  status: z.enum(['started', 'succeeded', 'failed', 'rolled-back']),
  /** When it happened, epoch milliseconds. */
  at: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  // Only web links: the panel shows it as a link, and a `javascript:` URL there would run code.
  url: z
    .string()
    .max(500)
    .regex(/^https?:\/\//i, 'url must start with http:// or https://')
    .pipe(z.url())
    .optional(),
});

export type DeploymentBody = z.infer<typeof deploymentBody>;

/**
 * One command per issue, its id derived from the event id and the issue: a re-sent event dedups,
 * and one deployment reported for several issues gets one command per issue (receipts are keyed
 * by command id across all issues).
 */
export function deploymentCommand(
  body: DeploymentBody,
  issueId: string,
): { commandId: string; command: Command } {
  return {
    commandId: deterministicId('deploy-', [body.eventId, issueId]),
    command: {
      type: 'activity.external',
      payload: {
        eventId: body.eventId,
        kind: 'deployment',
        environment: body.environment,
        status: body.status,
        at: body.at,
        ...(body.url === undefined ? {} : { url: body.url }),
      },
    },
  };
}
