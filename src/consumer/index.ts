// The queue consumer: applies an event's commands to the issue's state with a version check.
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { z } from 'zod';
import { envelope } from '../shared/command-envelope.js';
import { commitIssue, loadIssue } from '../shared/issue-store.js';
import { applyCommand } from '../shared/reducer.js';
import { isCommitConflict } from '../shared/storage-errors.js';

const commandEvent = z.object({ commands: z.array(envelope).min(1) });

interface ConsumerEvent {
  body: unknown;
}

export async function handler(event: ConsumerEvent): Promise<InvocationError | void> {
  const parsed = commandEvent.safeParse(event.body);
  if (!parsed.success) {
    console.error(`Refusing malformed command event: ${parsed.error.message}`);
    return;
  }
  for (const cmd of parsed.data.commands) {
    try {
      const loaded = await loadIssue(cmd.issueId);
      const result = applyCommand(loaded.state, cmd, loaded.version);
      if (result.ok) await commitIssue(loaded, result.state, Date.now());
    } catch (error) {
      if (isCommitConflict(error))
        return new InvocationError({
          retryAfter: 1,
          retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
        });
      throw error;
    }
  }
}
