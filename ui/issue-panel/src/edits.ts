// The panel's edits in flight, without the DOM: each edit is sent on its own and settles on its
// own, and the checklist is shown with the edits not yet in the loaded view laid over it, so what a
// person clicked stays on screen (and in the header count) while it settles.
import type { ChecklistItem, FieldRevision, SubmitCommandPayload } from '../../../src/shared/resolver-api.js';

/** Edits the panel can send; the resolver adds the issue and who made it from the Forge context. */
export type Edit = SubmitCommandPayload extends infer T
  ? T extends SubmitCommandPayload
    ? Omit<T, 'expectedVersion' | 'commandId'>
    : never
  : never;

export type EditState = 'pending' | 'applied' | 'rejected' | 'error';
export type Field = 'text' | 'checked' | 'rank';

/** An edit refused because someone else changed its field: enough to show both and offer "Apply mine". */
export interface Conflict {
  reason: string;
  /** What the person tried, and what is there now, in words. */
  mine: string;
  theirs: string;
  /** Who changed the field, as the view names them (an account id). */
  by: string;
}

export interface TrackedEdit {
  key: number;
  edit: Edit;
  label: string;
  state: EditState;
  message?: string;
  /** The version once the edit applied: it is shown over any view older than that. */
  appliedVersion?: number;
  conflict?: Conflict;
}

/** The field an edit was made from: its revision goes with the edit as `basedOn`. */
export function fieldOf(edit: Edit): Field | undefined {
  switch (edit.type) {
    case 'checklist.rename':
    case 'checklist.remove':
      return 'text';
    case 'checklist.check':
      return 'checked';
    case 'checklist.reorder':
      return 'rank';
    case 'checklist.add':
      return undefined;
  }
}

/**
 * The edit with the revision of its field as the loaded view has it. An item not in the view yet
 * (its add still settling) has no revision to send, so nothing is checked.
 */
export function withBasis(edit: Edit, item: ChecklistItem | undefined): Edit {
  const field = fieldOf(edit);
  if (!field || !item || edit.type === 'checklist.add') return edit;
  const revision: FieldRevision | null = item.revisions[field];
  const basedOn = revision ? { at: revision.at, id: revision.id } : null;
  return { ...edit, payload: { ...edit.payload, basedOn } } as Edit;
}

/** The edit again, made from the revision there now (the "Apply mine" of a conflict). */
export function withoutBasis(edit: Edit): Edit {
  if (edit.type === 'checklist.add') return edit;
  const { basedOn: _basedOn, ...payload } = edit.payload;
  return { ...edit, payload } as Edit;
}

/** Edits the view does not show yet: pending ones, and applied ones newer than the view. */
export function unseen(edits: readonly TrackedEdit[], viewVersion: number): TrackedEdit[] {
  return edits.filter(
    (e) =>
      e.state === 'pending' ||
      (e.state === 'applied' && e.appliedVersion !== undefined && e.appliedVersion > viewVersion),
  );
}

/** The checklist as the person expects it: the loaded view with their unseen edits on top. */
export function overlay(items: readonly ChecklistItem[], edits: readonly TrackedEdit[]): ChecklistItem[] {
  let out = items.map((i) => ({ ...i }));
  for (const { edit } of edits) {
    const id = edit.payload.itemId;
    switch (edit.type) {
      case 'checklist.add':
        if (!out.some((i) => i.itemId === id))
          out.push({
            itemId: id,
            text: edit.payload.text,
            checked: false,
            rank: edit.payload.rank ?? 0,
            revisions: { text: null, checked: null, rank: null },
          });
        break;
      case 'checklist.check':
        out = out.map((i) => (i.itemId === id ? { ...i, checked: edit.payload.checked } : i));
        break;
      case 'checklist.rename':
        out = out.map((i) => (i.itemId === id ? { ...i, text: edit.payload.text } : i));
        break;
      case 'checklist.reorder':
        out = out.map((i) => (i.itemId === id ? { ...i, rank: edit.payload.rank } : i));
        break;
      case 'checklist.remove':
        out = out.filter((i) => i.itemId !== id);
        break;
    }
  }
  // The writer's order: rank, then id.
  return out.sort((a, b) => a.rank - b.rank || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

/** What a person sees of a conflict, from their edit and the item as the view has it now. */
export function conflictOf(edit: Edit, reason: string, item: ChecklistItem | undefined): Conflict {
  const field = fieldOf(edit) ?? 'text';
  return {
    reason,
    mine: describeEdit(edit),
    theirs: item ? describeField(item, field) : 'the item was removed',
    by: item?.revisions[field]?.by ?? 'someone else',
  };
}

function describeEdit(edit: Edit): string {
  switch (edit.type) {
    case 'checklist.rename':
    case 'checklist.add':
      return `“${edit.payload.text}”`;
    case 'checklist.check':
      return edit.payload.checked ? 'checked' : 'not checked';
    case 'checklist.reorder':
      return 'a new position';
    case 'checklist.remove':
      return 'remove the item';
  }
}

function describeField(item: ChecklistItem, field: Field): string {
  if (field === 'text') return `“${item.text}”`;
  if (field === 'checked') return item.checked ? 'checked' : 'not checked';
  return 'moved elsewhere';
}
