// The time-in-status metric, computed from an issue's changelog. Pure: no storage, no Jira, no
// clock; the job passes its start time as `asOf`, so a page redone after a crash computes exactly
// what the first attempt did.

/** One changelog entry, with its time already parsed to epoch milliseconds. */
export interface ChangelogHistory {
  id?: string;
  created: number;
  items: ReadonlyArray<{
    field: string;
    fieldId?: string;
    fromString: string | null;
    toString: string | null;
  }>;
}

export interface TimeInStatusInput {
  /** When the issue was created (epoch ms). */
  createdAt: number;
  /** Its status now; the status it always had if the changelog holds no status change. */
  currentStatus: string;
  /** The full changelog, in any order (Jira embeds it newest first, the changelog API oldest first). */
  histories: readonly ChangelogHistory[];
}

export interface TimeInStatus {
  /** Milliseconds spent in each status between creation and `asOf`. The status at `asOf` is always present. */
  timeInStatusMs: Record<string, number>;
  /** Status changes made up to and including `asOf`. */
  transitions: number;
}

interface StatusChange {
  at: number;
  from: string | null;
  to: string | null;
}

/**
 * Time spent in each status up to `asOf`, and the number of status changes up to it.
 * Changes after `asOf` are ignored (the job reports the issue as it was when the job started); a
 * change exactly at `asOf` counts, and its target status appears with 0 ms. An issue created after
 * `asOf` has no metrics yet.
 */
export function timeInStatus(input: TimeInStatusInput, asOf: number): TimeInStatus {
  if (!(input.createdAt <= asOf)) return { timeInStatusMs: {}, transitions: 0 };
  const changes = statusChanges(input.histories);
  // The status an issue was created in is where its first change started from.
  let current = changes[0]?.from ?? changes[0]?.to ?? input.currentStatus;
  let since = input.createdAt;
  let transitions = 0;
  const spent = new Map<string, number>();
  const add = (status: string, ms: number) => spent.set(status, (spent.get(status) ?? 0) + ms);
  for (const change of changes) {
    if (change.at > asOf) break;
    // A change dated before creation (clock skew, imported issues) is taken as happening at creation.
    const at = Math.max(change.at, since);
    add(current, at - since);
    current = change.to ?? current;
    since = at;
    transitions += 1;
  }
  add(current, asOf - since);
  return { timeInStatusMs: Object.fromEntries(spent), transitions };
}

/** Status changes oldest first; entries at the same instant keep Jira's id order. */
function statusChanges(histories: readonly ChangelogHistory[]): StatusChange[] {
  return [...histories]
    .sort((a, b) => a.created - b.created || compareIds(a.id, b.id))
    .flatMap((h) =>
      h.items
        .filter((item) => item.field === 'status' || item.fieldId === 'status')
        .map((item) => ({ at: h.created, from: item.fromString, to: item.toString })),
    );
}

/** Jira history ids are numeric strings: compare them as numbers would compare. */
function compareIds(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return 0;
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
