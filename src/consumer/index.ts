// The `issue-commands` queue's consumer: the only writer of issue state. All of it is the writer's
// core (src/shared/writer/consumer); this app only names its writer.
import { issueWriter } from '../shared/issue-data/issue-writer';

export const handler = issueWriter.handler;
