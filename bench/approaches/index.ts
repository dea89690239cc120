// The approaches by name, with what each one is. Their code is app code (it runs inside Forge
// invocations): `bench/app/src/approaches.ts`.
import type { ApproachName } from '../app/src/approaches.js';

export { APPROACHES, isWriterApproach, type ApproachName } from '../app/src/approaches.js';

export const APPROACH_NOTES: Record<ApproachName, string> = {
  naive: 'get, modify, set in the producer',
  'caller-cas': 'read, modify, conditional transaction, retry with jitter on conflict (the forum, KVS)',
  'lease-lock': 'lease with expiry on a custom entity, poll while held, release (the forum, SQL)',
  writer: 'this project, one command per event, concurrency key on, coalescing on (the defaults)',
  'writer-no-coalesce': 'writer with coalescing off (enqueue option coalesce: false)',
  'writer-no-key': 'this project, one command per event, no concurrency key',
  'writer-batched': "this project, a producer's commands in one enqueue (report: the real fan-out job)",
  'writer-batched-no-key': 'writer-batched without the concurrency key',
};
