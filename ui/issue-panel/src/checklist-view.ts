// The checklist: items with check, rename, move and remove controls, and the add form.
import type { ChecklistItem } from '../../../src/shared/resolver-api.js';
import { h } from '../../shared/dom.js';

export interface ChecklistActions {
  check(item: ChecklistItem, checked: boolean): void;
  startRename(item: ChecklistItem): void;
  rename(item: ChecklistItem, text: string): void;
  cancelRename(): void;
  move(index: number, direction: -1 | 1): void;
  remove(item: ChecklistItem): void;
}

export interface ChecklistProps {
  items: readonly ChecklistItem[];
  /** No edits at all: the user may not edit. Edits in flight never disable anything else. */
  disabled: boolean;
  renaming?: string | undefined;
  /** What the person has typed in the rename field so far, kept across re-renders. */
  renameDraft?: string;
  /** Items with an edit of the person's still settling: marked pending. */
  pending: ReadonlySet<string>;
  /** Items whose add is still settling: nothing else can be sent for them yet. */
  unsaved: ReadonlySet<string>;
}

export function checklistList(props: ChecklistProps, actions: ChecklistActions): HTMLElement {
  if (props.items.length === 0) {
    return h('p', { class: 'empty', 'data-testid': 'checklist-empty' }, 'No items yet.');
  }
  return h(
    'ul',
    { class: 'checklist', 'data-testid': 'checklist', 'aria-label': 'Checklist items' },
    ...props.items.map((item, index) => itemRow(item, index, props, actions)),
  );
}

function itemRow(
  item: ChecklistItem,
  index: number,
  props: ChecklistProps,
  actions: ChecklistActions,
): HTMLElement {
  const inputId = `check-${item.itemId}`;
  const last = props.items.length - 1;
  if (props.renaming === item.itemId) return renameRow(item, props, actions);
  const pending = props.pending.has(item.itemId);
  const disabled = props.disabled || props.unsaved.has(item.itemId);
  return h(
    'li',
    {
      class: `item${item.checked ? ' done' : ''}${pending ? ' pending' : ''}`,
      'data-testid': 'checklist-item',
      'data-item-id': item.itemId,
      'data-pending': pending ? 'true' : undefined,
      'aria-busy': pending ? 'true' : undefined,
    },
    h('input', {
      type: 'checkbox',
      id: inputId,
      checked: item.checked,
      disabled,
      'data-testid': 'item-check',
      onchange: (e) => actions.check(item, (e.target as HTMLInputElement).checked),
    }),
    h('label', { for: inputId, class: 'text', 'data-testid': 'item-text' }, item.text),
    pending
      ? h('span', { class: 'pending-mark muted', 'data-testid': 'item-pending', title: 'Saving…' }, 'saving…')
      : null,
    h(
      'span',
      { class: 'tools' },
      iconButton('↑', `Move “${item.text}” up`, 'item-up', disabled || index === 0, () =>
        actions.move(index, -1),
      ),
      iconButton('↓', `Move “${item.text}” down`, 'item-down', disabled || index === last, () =>
        actions.move(index, 1),
      ),
      iconButton('✎', `Rename “${item.text}”`, 'item-rename', disabled, () => actions.startRename(item)),
      iconButton('✕', `Remove “${item.text}”`, 'item-remove', disabled, () => actions.remove(item)),
    ),
  );
}

function renameRow(item: ChecklistItem, props: ChecklistProps, actions: ChecklistActions): HTMLElement {
  const inputId = `rename-${item.itemId}`;
  const input = h('input', {
    id: inputId,
    class: 'field',
    value: props.renameDraft ?? item.text,
    maxlength: 500,
    required: true,
    'data-testid': 'rename-input',
  });
  const form = h(
    'form',
    {
      class: 'rename',
      onsubmit: (e) => {
        e.preventDefault();
        actions.rename(item, input.value);
      },
      onkeydown: (e) => {
        if ((e as KeyboardEvent).key === 'Escape') actions.cancelRename();
      },
    },
    h('label', { for: inputId, class: 'visually-hidden' }, `New text for “${item.text}”`),
    input,
    h(
      'button',
      { type: 'submit', class: 'button primary', disabled: props.disabled, 'data-testid': 'rename-save' },
      'Save',
    ),
    h('button', { type: 'button', class: 'button subtle', onclick: () => actions.cancelRename() }, 'Cancel'),
  );
  queueMicrotask(() => input.focus());
  return h(
    'li',
    { class: 'item renaming', 'data-testid': 'checklist-item', 'data-item-id': item.itemId },
    form,
  );
}

function iconButton(symbol: string, label: string, testId: string, disabled: boolean, onClick: () => void) {
  return h(
    'button',
    {
      type: 'button',
      class: 'icon-button',
      'aria-label': label,
      title: label,
      disabled,
      'data-testid': testId,
      onclick: onClick,
    },
    h('span', { 'aria-hidden': 'true' }, symbol),
  );
}
