// The body of one queue event: commands for one issue, or for several (fan-out work). Anything
// that does not read as an envelope is set aside as malformed, never retried.
import { z } from 'zod';
import { parseEnvelope, type CommandEnvelope } from '../shared/command-envelope';
import { COMMAND_EVENT_VERSION } from '../shared/command-event-body';

const body = z.object({
  v: z.literal(COMMAND_EVENT_VERSION),
  commands: z.array(z.unknown()).min(1),
  replay: z.literal(true).optional(),
});

export interface Malformed {
  /** Where in the event it was: `-1` for the event as a whole. */
  index: number;
  reason: string;
  raw: unknown;
}

export interface ParsedEvent {
  commands: CommandEnvelope[];
  malformed: Malformed[];
  replay: boolean;
}

export function parseCommandEvent(raw: unknown): ParsedEvent {
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    return {
      commands: [],
      replay: false,
      malformed: [
        { index: -1, reason: `not a command event: ${parsed.error.issues[0]?.message ?? 'invalid'}`, raw },
      ],
    };
  }
  const commands: CommandEnvelope[] = [];
  const malformed: Malformed[] = [];
  parsed.data.commands.forEach((item, index) => {
    const result = parseEnvelope(item);
    if (result.ok) commands.push(result.envelope);
    else malformed.push({ index, reason: `invalid command: ${result.reason}`, raw: item });
  });
  return { commands, malformed, replay: parsed.data.replay === true };
}
