// Resolvers behind the issue panel. The issue always comes from the Forge context, never from the
// payload; every call checks the calling user's permission with `asUser()` before touching data;
// payloads are validated with the zod schemas the panel shares; every answer is a typed
// `ResolverResult`, so bad input or a refusal is a value the panel can show, not a thrown error.
import { signRealtimeToken } from '@forge/realtime';
import Resolver from '@forge/resolver';
import { z } from 'zod';
import { command, issueId, issueWriter } from '../shared/issue-data/issue-writer';
import { CommandValidationError, EnqueueError, WriterError, describeIssues } from '../shared/writer';
import {
  fail,
  issueChannel,
  issueChannelClaims,
  ok,
  resolverPayloads,
  type ReportJobSummary,
  type ResolverName,
  type ResolverResult,
  type ResponseOf,
} from '../shared/resolver-api';
import { issueStateView } from './issue-state-view';
import { FORBIDDEN, issueAccess, isJiraAdmin, PermissionCheckError } from './permissions';
import {
  cancelReport,
  getReport,
  listReports,
  ReportInputError,
  ReportQueueError,
  startReport,
} from './reports/report-jobs';
import { rotateWebhookSecret } from './deployments/webhook-secret';

/** What the Forge platform tells us about the call; the only trusted source of user and issue. */
const panelContext = z.object({
  accountId: z.string().min(1).optional(),
  extension: z.object({ issue: z.object({ id: issueId, key: z.string().min(1).max(255) }) }),
});

type Need = 'browse' | 'edit' | 'admin';

interface Call<N extends ResolverName> {
  payload: z.output<(typeof resolverPayloads)[N]>;
  issue: { id: string; key: string };
  accountId: string;
}

const resolver = new Resolver();

/** Registers a resolver with context parsing, payload validation, the permission check and typed errors. */
function define<N extends ResolverName>(
  name: N,
  need: Need,
  handler: (call: Call<N>) => Promise<ResolverResult<ResponseOf<N>>>,
): void {
  resolver.define(name, async ({ payload, context }): Promise<ResolverResult<ResponseOf<N>>> => {
    try {
      const ctx = panelContext.safeParse(context);
      if (!ctx.success)
        return fail(
          'invalid-input',
          'This resolver answers only in an issue panel: the context names no issue.',
        );
      const { accountId, extension } = ctx.data;
      // An anonymous viewer cannot be checked with asUser(), so gets nothing.
      if (accountId === undefined) return FORBIDDEN.browse();
      // Indexing by a generic key loses the link between name and schema; restore it.
      const schema = resolverPayloads[name] as z.ZodType<Call<N>['payload']>;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) return fail('invalid-input', describeIssues(parsed.error.issues));

      const refused = await refusal(need, extension.issue.id);
      if (refused) return refused;
      return await handler({ payload: parsed.data, issue: extension.issue, accountId });
    } catch (error) {
      // Logged for the app's owner; the user gets a typed answer instead of a platform error.
      console.error(`resolver ${name} failed:`, error);
      return fail('unavailable', unavailableMessage(error));
    }
  });
}

async function refusal(need: Need, id: string): Promise<ReturnType<typeof FORBIDDEN.browse> | undefined> {
  if (need === 'admin') return (await isJiraAdmin()) ? undefined : FORBIDDEN.admin();
  const access = await issueAccess(id);
  if (!access.browse) return FORBIDDEN.browse();
  if (need === 'edit' && !access.edit) return FORBIDDEN.edit();
  return undefined;
}

function unavailableMessage(error: unknown): string {
  if (error instanceof PermissionCheckError) return 'Jira could not check your permissions; try again.';
  if (error instanceof EnqueueError) return 'Your change could not be queued; try again.';
  return 'The app could not answer just now; try again.';
}

define('getIssueState', 'browse', async ({ issue }) => {
  const [record, access, admin] = await Promise.all([
    issueWriter.load(issue.id),
    issueAccess(issue.id),
    isJiraAdmin(),
  ]);
  return ok(issueStateView(record, issue, { canEdit: access.edit, canAdminister: admin }));
});

define('submitCommand', 'edit', async ({ payload, issue, accountId }) => {
  const { expectedVersion, commandId: clientId } = payload;
  // Re-parsed with the writer's own schema: the envelope carries exactly the command, nothing else.
  // Who made the edit comes from the Forge context, so a person's own edits never conflict.
  const cmd = command.parse({ type: payload.type, payload: { ...payload.payload, by: accountId } });
  const envelope = issueWriter.command(issue.id, cmd, {
    source: 'ui',
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    // Namespaced by issue, so a client id can never collide with another issue's commands.
    ...(clientId === undefined ? {} : { commandId: `ui:${issue.id}:${clientId}` }),
  });
  try {
    // A client's id is claimed with the command's content: the same edit sent again (a retry)
    // passes, a different edit under a used id is refused instead of being silently dropped.
    await issueWriter.enqueue(envelope, { claimIds: clientId !== undefined });
  } catch (error) {
    if (error instanceof CommandValidationError) return fail('invalid-input', error.message);
    if (error instanceof WriterError && error.code === 'command-id-reused') {
      return fail(
        'invalid-input',
        `The command id ${clientId ?? ''} was already used for a different change on this issue; send each new change with a new id.`,
      );
    }
    throw error;
  }
  return ok({ commandId: envelope.commandId });
});

define('getRealtimeToken', 'browse', async ({ issue }) => {
  // Signed only after the 'browse' check above (the caller may see this issue), and only for
  // subscribing: the claims bind the token to this issue's channel, so it hears nothing else.
  const channel = issueChannel(issue.id);
  const signed = await signRealtimeToken(channel, issueChannelClaims(issue.id), ['subscribe']);
  if (!signed.token || signed.expiresAt === null)
    return fail('unavailable', 'Live updates are not available just now.');
  return ok({ channel, token: signed.token, expiresAt: signed.expiresAt });
});

define('getStatuses', 'browse', async ({ payload, issue }) => {
  const statuses = await issueWriter.readStatuses(payload.commandIds, { partitionId: issue.id });
  return ok({ statuses });
});

define('startReport', 'admin', async ({ payload, accountId }) => {
  try {
    return ok(await startReport({ kind: payload.kind, trigger: 'manual', requestedBy: accountId }));
  } catch (error) {
    if (error instanceof ReportInputError) return fail('invalid-input', error.message);
    if (error instanceof ReportQueueError)
      return fail('unavailable', 'Forge would not queue the report just now; try again in a minute.');
    throw error;
  }
});

define('cancelReport', 'admin', async ({ payload }) => {
  const job = await cancelReport(payload.jobId);
  return job ? ok({ job }) : fail('not-found', `There is no report job ${payload.jobId}.`);
});

// Anyone who may browse the issue follows a job's state and progress; its JQL, who asked for it
// and a failure's text (which may quote Jira) are for Jira administrators only.
define('getReport', 'browse', async ({ payload }) => {
  const [job, admin] = await Promise.all([getReport(payload.jobId), isJiraAdmin()]);
  if (!job) return fail('not-found', `There is no report job ${payload.jobId}.`);
  return ok({ job: admin ? job : withoutDetails(job) });
});

define('listReports', 'browse', async ({ payload }) => {
  const [jobs, admin] = await Promise.all([listReports(payload.limit), isJiraAdmin()]);
  return ok({ jobs: admin ? jobs : jobs.map(withoutDetails) });
});

function withoutDetails(job: ReportJobSummary): ReportJobSummary {
  const { jql: _jql, requestedBy: _requestedBy, error: _error, ...rest } = job;
  return rest;
}

define('rotateWebhookSecret', 'admin', async () => {
  return ok({ secret: await rotateWebhookSecret() });
});

export const handler = resolver.getDefinitions();
