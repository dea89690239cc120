// Every mutation of an issue's data is one of these typed commands. Producers build them, the
// consumer applies them; both share these schemas and the types inferred from them.
//
// Commands are designed so that arrival order does not matter where it can: counters add,
// fields are last-writer-wins by (issuedAt, commandId), removals delete. Where order does matter
// (a person edited a field someone else changed since), the edit's `basedOn` decides, for that
// one field; the envelope's `expectedVersion` is a whole-issue check for callers that want one.
import { z } from 'zod';

const shortText = z.string().trim().min(1).max(500);
export const itemId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, 'item ids use letters, digits, dot, dash and underscore');
/** A position between neighbours; the UI picks a rank between the two items it drops between. */
const rank = z.number().finite();

/** Who made an edit: the Atlassian account id, set by the resolver from the Forge context. */
export const editor = z.string().min(1).max(128);
/**
 * The revision of a field a person saw when they made an edit: the field's stamp (its `at` and
 * `id`), or null for a field never set. The edit is refused only if that field has changed since,
 * by someone else. Absent: no check (webhooks, jobs, and edits from earlier releases).
 */
export const revision = z
  .object({ at: z.number().int().nonnegative(), id: z.string().min(1).max(64) })
  .nullable();
/** Fields of a person's edit of an existing item. */
const editOf = { by: editor.optional(), basedOn: revision.optional() };

export const checklistAdd = z.object({
  type: z.literal('checklist.add'),
  payload: z.object({ itemId, text: shortText, rank: rank.optional(), by: editor.optional() }),
});
export const checklistRename = z.object({
  type: z.literal('checklist.rename'),
  /** `basedOn`: the revision of the item's text. */
  payload: z.object({ itemId, text: shortText, ...editOf }),
});
export const checklistCheck = z.object({
  type: z.literal('checklist.check'),
  /** `basedOn`: the revision of the item's check mark. */
  payload: z.object({ itemId, checked: z.boolean(), ...editOf }),
});
export const checklistRemove = z.object({
  type: z.literal('checklist.remove'),
  /** `basedOn`: the revision of the item's text, so an item renamed since is not removed unseen. */
  payload: z.object({ itemId, ...editOf }),
});
export const checklistReorder = z.object({
  type: z.literal('checklist.reorder'),
  /** `basedOn`: the revision of the item's rank. */
  payload: z.object({ itemId, rank, ...editOf }),
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
export type Revision = z.infer<typeof revision>;
