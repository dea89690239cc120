// The pure heart of the writer: applies one command to an issue's state. No I/O, no clock.
import type { CommandEnvelope } from './command-envelope.js';
import type { IssueState } from './issue-state.js';

export type ApplyResult = { ok: true; state: IssueState } | { ok: false; reason: string };

/** Applies `cmd` to `state`, whose version (commands applied so far) is `_version`. */
export function applyCommand(state: IssueState, cmd: CommandEnvelope, _version: number): ApplyResult {
  switch (cmd.type) {
    case 'checklist.add': {
      if (state.checklist[cmd.payload.itemId]?.added) {
        return { ok: false, reason: `checklist item '${cmd.payload.itemId}' already exists` };
      }
      const text = { value: cmd.payload.text, stamp: { at: cmd.issuedAt, id: cmd.commandId } };
      return {
        ok: true,
        state: { ...state, checklist: { ...state.checklist, [cmd.payload.itemId]: { added: true, text } } },
      };
    }
  }
}
