// A second model of an issue's data, written without the writer's reducer: what the applied
// commands must have left, computed field by field from the set of them. Activity counts are
// counts of `activity.record`; the last transition, each report and each checklist field are the
// value of the command with the greatest (time, stamp id); a checklist item exists when it was
// added more often than removed (an add of an existing item and a remove of a missing one are
// refused, so they alternate), and its fields come from its last add and the edits applied after
// it; an applied `issue.delete` leaves only its tombstone. Version order is used only to find an
// item's last add. docs/simulation.md, "The independent model".
import { createHash } from 'node:crypto';
import type { Command } from '../../src/shared/issue-data/commands.js';
import type {
  ChecklistEntry,
  ExternalEvent,
  IssueState,
  Register,
  ReportResult,
  Stamp,
} from '../../src/shared/issue-data/issue-state.js';
import type { AnyEnvelope } from '../../src/shared/writer/index.js';

/** Kept newest first, at most this many (docs/writer.md, "Bounded state"). */
const MAX_EXTERNAL_EVENTS = 20;

export interface AppliedCommand {
  envelope: AnyEnvelope;
  /** The version its receipt names: the record's version once it was applied. */
  version: number;
}

function stampOf(at: number, commandId: string, by?: string): Stamp {
  const id = createHash('sha256').update(commandId).digest('hex').slice(0, 16);
  return by === undefined ? { at, id } : { at, id, by };
}

function later(a: Stamp, b: Stamp): boolean {
  return a.at > b.at || (a.at === b.at && a.id > b.id);
}

/** The register holding the value with the greatest stamp among `candidates`. */
function winner<T>(candidates: Array<Register<T> | undefined>): Register<T> | undefined {
  let best: Register<T> | undefined;
  for (const c of candidates) if (c && (!best || later(c.stamp, best.stamp))) best = c;
  return best;
}

/**
 * The state the applied commands leave on `before` (the record stored before the run, if any).
 * Payloads with a `by` (people's edits) are not produced by the simulation; a stamp's `by` is
 * left out, and such a state would differ.
 */
export function expectedIssueState(before: IssueState | undefined, applied: AppliedCommand[]): IssueState {
  const commands = [...applied]
    .sort((a, b) => a.version - b.version)
    .map(({ envelope, version }) => ({ envelope, version, cmd: envelope as unknown as Command }));
  const deleted = commands.find((c) => c.cmd.type === 'issue.delete');
  if (deleted && deleted.cmd.type === 'issue.delete')
    return {
      checklist: {},
      activity: { counts: { created: 0, updated: 0, commented: 0 }, external: [] },
      reports: {},
      deletedAt: deleted.cmd.payload.at,
    };

  const counts = { created: 0, updated: 0, commented: 0, ...before?.activity.counts };
  const transitions: Array<Register<{ from: string; to: string; at: number }> | undefined> = [
    before?.activity.lastTransition,
  ];
  const firstExternal = new Map<string, ExternalEvent>(
    (before?.activity.external ?? []).map((e) => [e.eventId, e]),
  );
  const reports = new Map<string, Array<Register<ReportResult> | undefined>>(
    Object.entries(before?.reports ?? {}).map(([kind, r]) => [kind, [r]]),
  );
  const byItem = new Map<string, typeof commands>();
  for (const c of commands) {
    const { cmd, envelope } = c;
    switch (cmd.type) {
      case 'activity.record':
        counts[cmd.payload.kind] += 1;
        break;
      case 'activity.transition': {
        const { from, to, at } = cmd.payload;
        transitions.push({ value: { from, to, at }, stamp: stampOf(at, envelope.commandId) });
        break;
      }
      case 'activity.external':
        if (!firstExternal.has(cmd.payload.eventId)) firstExternal.set(cmd.payload.eventId, cmd.payload);
        break;
      case 'report.metrics': {
        const { reportKind, ...result } = cmd.payload;
        const register = { value: result, stamp: stampOf(result.computedAt, envelope.commandId) };
        reports.set(reportKind, [...(reports.get(reportKind) ?? []), register]);
        break;
      }
      case 'issue.delete':
        break;
      default:
        byItem.set(cmd.payload.itemId, [...(byItem.get(cmd.payload.itemId) ?? []), c]);
    }
  }

  const checklist: Record<string, ChecklistEntry> = { ...before?.checklist };
  for (const [itemId, edits] of byItem) {
    const adds = edits.filter((e) => e.cmd.type === 'checklist.add').length;
    const removes = edits.filter((e) => e.cmd.type === 'checklist.remove').length;
    const lastAdd = edits.findLastIndex((e) => e.cmd.type === 'checklist.add');
    delete checklist[itemId];
    if (adds - removes + (before?.checklist[itemId] ? 1 : 0) !== 1) continue;
    const since = edits.slice(Math.max(0, lastAdd));
    const register = <T>(pick: (cmd: Command) => T | undefined) =>
      winner(
        since.map(({ cmd, envelope }) => {
          const value = pick(cmd);
          return value === undefined
            ? undefined
            : { value, stamp: stampOf(envelope.issuedAt, envelope.commandId) };
        }),
      );
    const start = lastAdd < 0 ? before?.checklist[itemId] : undefined;
    const text = winner([
      start?.text,
      register((c) =>
        c.type === 'checklist.add' || c.type === 'checklist.rename' ? c.payload.text : undefined,
      ),
    ]);
    const checked = winner([
      start?.checked,
      register((c) => (c.type === 'checklist.check' ? c.payload.checked : undefined)),
    ]);
    const rank = winner([
      start?.rank,
      register((c) =>
        c.type === 'checklist.add' || c.type === 'checklist.reorder' ? c.payload.rank : undefined,
      ),
    ]);
    checklist[itemId] = {
      ...(text ? { text } : {}),
      ...(checked ? { checked } : {}),
      ...(rank ? { rank } : {}),
    };
  }

  const external = [...firstExternal.values()]
    .sort((a, b) => b.at - a.at || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0))
    .slice(0, MAX_EXTERNAL_EVENTS);
  const lastTransition = winner(transitions);
  return {
    checklist,
    activity: { counts, ...(lastTransition ? { lastTransition } : {}), external },
    reports: Object.fromEntries([...reports].map(([kind, rs]) => [kind, winner(rs)!])),
  };
}
