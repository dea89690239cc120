// Resolvers behind the issue panel.
import Resolver from '@forge/resolver';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ENVELOPE_SCHEMA_VERSION, type CommandEnvelope } from '../shared/command-envelope.js';
import { enqueue } from '../shared/command-queue.js';
import { command } from '../shared/commands.js';
import { loadIssue } from '../shared/issue-store.js';

const panelContext = z.object({ extension: z.object({ issue: z.object({ id: z.string() }) }) });

const resolver = new Resolver();

resolver.define('getIssueState', async ({ context }) => {
  const { id } = panelContext.parse(context).extension.issue;
  return loadIssue(id);
});

resolver.define('submitCommand', async ({ payload, context }) => {
  const { id } = panelContext.parse(context).extension.issue;
  const cmd = command.parse(payload);
  const envelope = {
    ...cmd,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    commandId: randomUUID(),
    issueId: id,
    issuedAt: Date.now(),
    source: 'ui',
  } satisfies CommandEnvelope;
  await enqueue([envelope]);
  return { commandId: envelope.commandId };
});

export const handler = resolver.getDefinitions();
