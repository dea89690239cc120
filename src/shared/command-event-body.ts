// The body of one queue event, shared by the producers that push it and the consumer that reads it.
import type { CommandEnvelope } from './command-envelope';

export const COMMAND_EVENT_VERSION = 1;

/** Commands for one issue, or for several (fan-out work). */
export interface CommandEventBody {
  v: typeof COMMAND_EVENT_VERSION;
  commands: CommandEnvelope[];
  /** Set when dead letters are replayed: only then may a dead-lettered command be applied. */
  replay?: true;
}
