// Every mutation of an issue's data is one of these typed commands. Producers build them, the
// consumer applies them; both share these schemas and the types inferred from them.
//
// Commands are designed so that arrival order does not matter where it can: counters add,
// fields are last-writer-wins by (issuedAt, commandId), removals leave tombstones. Where order
// does matter (an edit made from a stale view), the envelope's `expectedVersion` decides.
import { z } from 'zod';

const shortText = z.string().trim().min(1).max(500);
export const itemId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'item ids use letters, digits, dot, dash and underscore');
/** A position between neighbours; the UI picks a rank between the two items it drops between. */
const rank = z.number().finite();

export const checklistAdd = z.object({
  type: z.literal('checklist.add'),
  payload: z.object({ itemId, text: shortText, rank: rank.optional() }),
});
export const checklistRename = z.object({
  type: z.literal('checklist.rename'),
  payload: z.object({ itemId, text: shortText }),
});
export const checklistCheck = z.object({
  type: z.literal('checklist.check'),
  payload: z.object({ itemId, checked: z.boolean() }),
});
export const checklistRemove = z.object({
  type: z.literal('checklist.remove'),
  payload: z.object({ itemId }),
});
export const checklistReorder = z.object({
  type: z.literal('checklist.reorder'),
  payload: z.object({ itemId, rank }),
});

export const activityKind = z.enum(['created', 'updated', 'commented']);
export const activityRecord = z.object({
  type: z.literal('activity.record'),
  payload: z.object({ kind: activityKind, at: z.number().int().nonnegative() }),
});
export const activityTransition = z.object({
  type: z.literal('activity.transition'),
  payload: z.object({
    from: z.string().max(100),
    to: z.string().min(1).max(100),
    at: z.number().int().nonnegative(),
  }),
});
export const activityExternal = z.object({
  type: z.literal('activity.external'),
  payload: z.object({
    eventId: z.string().min(1).max(100),
    kind: z.enum(['deployment', 'build']),
    environment: z.string().min(1).max(100),
    status: z.enum(['started', 'succeeded', 'failed', 'rolled-back']),
    at: z.number().int().nonnegative(),
    url: z.string().url().max(500).optional(),
  }),
});

export const reportMetrics = z.object({
  type: z.literal('report.metrics'),
  payload: z.object({
    reportKind: z.string().min(1).max(50),
    runId: z.string().min(1).max(100),
    computedAt: z.number().int().nonnegative(),
    /** Milliseconds spent in each status. */
    timeInStatusMs: z.record(z.string().max(100), z.number().nonnegative()),
    transitions: z.number().int().nonnegative(),
  }),
});

/**
 * The issue was deleted in Jira: its data is cleared and a tombstone refuses every later command,
 * so a command issued before the deletion but delivered after it cannot bring the data back.
 */
export const issueDelete = z.object({
  type: z.literal('issue.delete'),
  payload: z.object({ at: z.number().int().nonnegative() }),
});

export const command = z.discriminatedUnion('type', [
  checklistAdd,
  checklistRename,
  checklistCheck,
  checklistRemove,
  checklistReorder,
  activityRecord,
  activityTransition,
  activityExternal,
  reportMetrics,
  issueDelete,
]);

export type Command = z.infer<typeof command>;
export type CommandType = Command['type'];
export type ActivityKind = z.infer<typeof activityKind>;
