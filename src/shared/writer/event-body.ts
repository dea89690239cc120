// The body of one queue event, shared by `enqueue`, which builds it, and the consumer, which reads
// it: commands for one partition, or for several (fan-out work). Anything that does not read as an
// envelope is set aside as malformed, never retried.
import { z } from 'zod';
import type { WriterLayout } from './definition';
import type { AnyEnvelope } from './envelope';

export const COMMAND_EVENT_VERSION = 1;

export interface CommandEventBody {
  v: typeof COMMAND_EVENT_VERSION;
  commands: AnyEnvelope[];
  /** Set when dead letters are replayed: only then may a dead-lettered command be applied. */
  replay?: true;
  /** Its commands are deposited for coalescing: its consumer may drain the partition's deposits. */
  coalesce?: true;
}

const body = z.object({
  v: z.literal(COMMAND_EVENT_VERSION),
  commands: z.array(z.unknown()).min(1),
  replay: z.literal(true).optional(),
  coalesce: z.literal(true).optional(),
});

export interface Malformed {
  /** Where in the event it was: `-1` for the event as a whole. */
  index: number;
  reason: string;
  raw: unknown;
}

export interface ParsedEvent {
  commands: AnyEnvelope[];
  malformed: Malformed[];
  replay: boolean;
  coalesce: boolean;
}

export function parseCommandEvent(config: WriterLayout, raw: unknown): ParsedEvent {
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    return {
      commands: [],
      replay: false,
      coalesce: false,
      malformed: [
        { index: -1, reason: `not a command event: ${parsed.error.issues[0]?.message ?? 'invalid'}`, raw },
      ],
    };
  }
  const commands: AnyEnvelope[] = [];
  const malformed: Malformed[] = [];
  parsed.data.commands.forEach((item, index) => {
    const result = config.envelope.parse(item);
    if (result.ok) commands.push(result.envelope);
    else malformed.push({ index, reason: `invalid command: ${result.reason}`, raw: item });
  });
  return {
    commands,
    malformed,
    replay: parsed.data.replay === true,
    coalesce: parsed.data.coalesce === true && parsed.data.replay !== true,
  };
}
