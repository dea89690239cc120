// Resolvers behind the issue panel.
import Resolver from '@forge/resolver';
import { z } from 'zod';
import { command } from '../shared/commands.js';
import { enqueue, newCommand } from '../shared/enqueue.js';
import { loadIssue } from '../shared/issue-store.js';
import { readStatuses } from '../shared/command-status.js';

const panelContext = z.object({ extension: z.object({ issue: z.object({ id: z.string() }) }) });

const resolver = new Resolver();

resolver.define('getIssueState', async ({ context }) => {
  const { id } = panelContext.parse(context).extension.issue;
  return loadIssue(id);
});

resolver.define('submitCommand', async ({ payload, context }) => {
  const { id } = panelContext.parse(context).extension.issue;
  const envelope = newCommand(id, command.parse(payload), { source: 'ui' });
  await enqueue([envelope]);
  return { commandId: envelope.commandId };
});

resolver.define('getStatuses', async ({ payload }) => {
  const { commandIds } = z.object({ commandIds: z.array(z.string()).max(25) }).parse(payload);
  return { statuses: await readStatuses(commandIds) };
});

export const handler = resolver.getDefinitions();
