// Jira writes timestamps as `2026-01-05T09:12:00.000+0000`; JQL takes `yyyy-mm-dd [hh:mm]`,
// `yyyy/mm/dd` or relative offsets such as `-7d`. Everything is UTC here (the fixture's site zone).

/** Milliseconds since the epoch of a Jira timestamp, or NaN. */
export function parseJiraTimestamp(value: string): number {
  // `+0000` has no colon, which `Date.parse` does not accept everywhere.
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function formatJiraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const RELATIVE = /^([+-]?)(\d+)([wdhm])$/i;
const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/** Milliseconds of a JQL date value, or undefined when it is not one this Jira understands. */
export function parseJqlDate(value: string, now: number): number | undefined {
  const relative = RELATIVE.exec(value.trim());
  if (relative) {
    const sign = relative[1] === '-' ? -1 : 1;
    return now + sign * Number(relative[2]) * UNIT_MS[relative[3]!.toLowerCase()]!;
  }
  const absolute = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (!absolute) return undefined;
  const [, y, mo, d, h, mi] = absolute;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
  return Number.isNaN(ms) ? undefined : ms;
}
