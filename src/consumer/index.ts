// The `issue-commands` queue's consumer: the only writer of issue state. Applying is all the
// writer's core (src/shared/writer/consumer); this app adds one thing: after each commit, it
// announces what was applied on the issue's Realtime channel (change-publisher.ts), so open panels
// are live.
import { defineWriter } from '../shared/writer';
import { issueWriterDefinition } from '../shared/issue-data/issue-writer';
import { publishCommit } from './change-publisher';

export const handler = defineWriter({ ...issueWriterDefinition, onCommit: publishCommit }).handler;
