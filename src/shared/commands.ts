// Every mutation of an issue's data is one of these typed commands. Producers build them, the
// consumer applies them; both share these schemas and the types inferred from them.
import { z } from 'zod';

export const itemId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'item ids use letters, digits, dot, dash and underscore');

export const checklistAdd = z.object({
  type: z.literal('checklist.add'),
  payload: z.object({ itemId, text: z.string().trim().min(1).max(500) }),
});

export const command = z.discriminatedUnion('type', [checklistAdd]);

export type Command = z.infer<typeof command>;
export type CommandType = Command['type'];
