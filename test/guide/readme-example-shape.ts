// What the README's example module exports, for the test that imports it from a scratch app.
import type { AnyWriter, CommandOutcome } from '../../src/shared/writer/index.js';

export declare const votes: AnyWriter;
export declare function run(): Promise<CommandOutcome[]>;
