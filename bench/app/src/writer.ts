// The app's writer, through the same core, on the same queue name and entities as in the app.
import { issueWriter } from '../../../src/shared/issue-data/issue-writer';

export const handler = issueWriter.handler;
