// External CI/CD deployment events, through a signed web trigger. The trigger only checks and
// enqueues (a signature checked against an in-memory copy of the secret, one nonce read, one Jira
// look-up, one push, one nonce write) and answers 202: the consumer does the work. Bad input always
// gets a 4xx; our own failures a 503, never a 500, and a 503 leaves nothing claimed, so the caller
// may retry the identical signed request.
import { z } from 'zod';
import { issueWriter } from '../../shared/issue-data/issue-writer';
import { describeIssues } from '../../shared/writer';
import { deploymentBody, deploymentCommand } from './deployment-event';
import { issueIdForKey } from '../jira-issue-lookup';
import { errorResponse, jsonResponse, type WebTriggerResponse } from './web-response';
import { nonceUsed, recordNonce } from './webhook-nonce';
import { checkWithSecret } from './webhook-secret';
import { readSignedHeaders, signatureMatches } from './webhook-signature';

/** Deployment events are small; anything bigger is refused before any work. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Only what we read of Forge's web trigger request; the rest passes through unread. */
const webTriggerRequest = z.object({
  method: z.string(),
  headers: z.record(z.string(), z.array(z.string())).optional(),
  body: z.string().optional(),
});

export async function handler(request: unknown): Promise<WebTriggerResponse> {
  try {
    return await handle(request);
  } catch (error) {
    // Name and message only: neither holds the secret, the signature or the body.
    console.error(
      `Deployment webhook failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`,
    );
    return errorResponse(503, 'unavailable', 'the event could not be accepted right now; retry later');
  }
}

async function handle(request: unknown): Promise<WebTriggerResponse> {
  const parsedRequest = webTriggerRequest.safeParse(request);
  if (!parsedRequest.success)
    return refuse(400, 'invalid-request', 'the request is not a web trigger request');
  const { method, headers = {}, body = '' } = parsedRequest.data;
  if (method.toUpperCase() !== 'POST') {
    return refuse(405, 'method-not-allowed', 'use POST', { allow: ['POST'] });
  }
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return refuse(413, 'payload-too-large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  // Header form and timestamp window first: they cost no storage read.
  const auth = readSignedHeaders(headers, Date.now());
  if (!auth.ok) return refuse(401, auth.error, auth.message);
  // Against the in-memory copy of the secret: no storage read while it is fresh (webhook-secret.ts).
  const checked = await checkWithSecret((secret) => signatureMatches(secret, auth.signed, body));
  if (checked === 'not-configured') {
    return refuse(503, 'not-configured', 'no webhook secret is configured; an admin must create one');
  }
  if (checked === 'mismatch') {
    return refuse(401, 'bad-signature', 'the signature does not match the body');
  }

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return refuse(400, 'invalid-json', 'the body is not valid JSON');
  }
  const parsed = deploymentBody.safeParse(json);
  if (!parsed.success) return refuse(400, 'invalid-body', describeIssues(parsed.error.issues));
  const event = parsed.data;

  // A replay of an accepted request causes no Jira look-up and no push.
  if (await nonceUsed(auth.signed.nonce)) {
    return refuse(409, 'replayed-nonce', 'this nonce was already used; sign each request with a new one');
  }
  const issueId = await issueIdForKey(event.issueKey);
  if (issueId === undefined) return refuse(404, 'unknown-issue', `no issue ${event.issueKey} in Jira`);
  const { commandId, command } = deploymentCommand(event, issueId);
  const { commandIds } = await issueWriter.enqueue(
    issueWriter.command(issueId, command, { source: 'external-webhook', commandId }),
  );
  // Recorded only now, so a request that failed before this point can be retried as it is.
  try {
    await recordNonce(auth.signed.nonce);
  } catch (error) {
    // The event is on the queue: accepted. Unrecorded, a replay would enqueue the same command id
    // again, which the writer applies once.
    console.warn(
      `Deployment webhook: the nonce was not recorded (${error instanceof Error ? error.message : 'unknown error'})`,
    );
  }
  return jsonResponse(202, { commandIds });
}

function refuse(
  statusCode: number,
  error: string,
  message: string,
  headers: Record<string, string[]> = {},
): WebTriggerResponse {
  console.warn(`Deployment webhook refused: ${statusCode} ${error}`);
  return errorResponse(statusCode, error, message, headers);
}
