// Replays dead letters for the console: validates the request against what is stored, then runs
// the app's own `replayDeadLetters` as the app, so the replay is exactly what Forge would do.
import type { LocalForgeRuntime } from '../local-runtime/index.js';
import { HttpError } from '../local-runtime/server/http-io.js';
import { issueWriter, type IssueDeadLetter } from '../src/shared/issue-data/issue-writer.js';
import { deadLetterKey } from '../src/shared/writer/index.js';
import type { ReplayResult } from './console-types.js';
import { storedDeadLetters } from './views/dead-letters-view.js';

/** At most this many per request, so one click cannot run into the KVS quotas. */
export const MAX_REPLAY = 100;
const MAX_ID_CHARS = 200;

export type ReplayRequest = { ids: string[] } | { all: true };

export function parseReplayRequest(body: Record<string, unknown>): ReplayRequest {
  const { ids, all, ...rest } = body;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new HttpError(400, `Unknown field(s): ${unknown.join(', ')}`);
  if (all !== undefined && ids !== undefined)
    throw new HttpError(400, "Give either 'ids' or 'all', not both");
  if (all !== undefined) {
    if (all !== true) throw new HttpError(400, "'all' must be true");
    return { all: true };
  }
  if (!Array.isArray(ids) || ids.length === 0)
    throw new HttpError(400, "Give 'ids', a non-empty array of dead letter ids, or 'all': true");
  if (ids.length > MAX_REPLAY) throw new HttpError(400, `Replay at most ${MAX_REPLAY} dead letters at once`);
  for (const id of ids) {
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_CHARS)
      throw new HttpError(400, `Every id must be a string of 1 to ${MAX_ID_CHARS} characters`);
  }
  return { ids: [...new Set(ids as string[])] };
}

/** Ids being replayed right now, per runtime: a double click must not enqueue a letter twice. */
const replaying = new WeakMap<LocalForgeRuntime, Set<string>>();

export async function replay(rt: LocalForgeRuntime, request: ReplayRequest): Promise<ReplayResult> {
  const ids = 'all' in request ? openIds(rt) : request.ids;
  if ('ids' in request) checkReplayable(rt, ids);
  const batch = ids.slice(0, MAX_REPLAY);
  const remaining = ids.length - batch.length;
  if (batch.length === 0) return { replayed: [], events: 0, pushes: 0, remaining };
  const inProgress = replaying.get(rt) ?? new Set<string>();
  replaying.set(rt, inProgress);
  const busy = batch.filter((id) => inProgress.has(id));
  if (busy.length > 0) throw new HttpError(409, `A replay of ${busy.join(', ')} is already running`);
  for (const id of batch) inProgress.add(id);
  try {
    const result = await rt.runAsApp(() => issueWriter.deadLetters.replay(batch));
    return { replayed: batch, events: result.events, pushes: result.pushes, remaining };
  } catch (error) {
    // Storage or the queue failed (e.g. faults still on): the letters that were not marked
    // replayed stay open, and replaying them again is safe because receipts deduplicate.
    throw new HttpError(503, `The replay failed, try again: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    for (const id of batch) inProgress.delete(id);
  }
}

function openIds(rt: LocalForgeRuntime): string[] {
  return storedDeadLetters(rt)
    .filter((l) => l.status === 'open')
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((l) => l.deadLetterId);
}

function checkReplayable(rt: LocalForgeRuntime, ids: string[]): void {
  const missing: string[] = [];
  const refused: string[] = [];
  for (const id of ids) {
    const letter = rt.storage.getEntity(issueWriter.entities.deadLetter, deadLetterKey(id)) as
      IssueDeadLetter | undefined;
    if (!letter) missing.push(id);
    else if (letter.status !== 'open') refused.push(`${id} is ${letter.status}`);
  }
  if (missing.length > 0) throw new HttpError(404, `No dead letter with id: ${missing.join(', ')}`);
  if (refused.length > 0)
    throw new HttpError(409, `Only open dead letters can be replayed: ${refused.join('; ')}`);
}
