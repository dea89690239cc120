// An ordered record of what the runtime did. Two runs with the same seed must produce equal traces.

export interface TraceEntry {
  at: number;
  kind: string;
  detail: Record<string, unknown>;
}

export class Trace {
  readonly entries: TraceEntry[] = [];
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private enabled: boolean,
  ) {}

  record(kind: string, detail: Record<string, unknown> = {}): void {
    if (this.enabled) this.entries.push({ at: this.now(), kind, detail });
  }

  /**
   * Ids minted outside the runtime (the `jobId` `@forge/events` draws from `crypto.randomUUID`)
   * are replaced by their order of first appearance, so traces compare equal across runs.
   */
  stableId(prefix: string, id: string): string {
    let stable = this.ids.get(id);
    if (!stable) {
      stable = `${prefix}#${this.ids.size + 1}`;
      this.ids.set(id, stable);
    }
    return stable;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }
}
