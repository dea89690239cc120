// The body of a CI/CD deployment call to the web trigger, and the command it becomes.
import { z } from 'zod';
import { issueId, type Command } from '../../shared/issue-data/issue-writer';
import { deterministicId } from '../deterministic-id';

export const deploymentBody = z
  .object({
    issueKey: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,49}-[1-9][0-9]{0,17}$/, 'an issue key looks like APP-123')
      .optional(),
    issueId: issueId.optional(),
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
  })
  .refine((b) => (b.issueKey === undefined) !== (b.issueId === undefined), {
    message: 'give exactly one of issueKey or issueId',
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
