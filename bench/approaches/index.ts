// The approaches by name, with what each one is and which form of it a row measures. Their code
// is app code (it runs inside Forge invocations): `bench/app/src/approaches.ts`.
import type { ApproachName } from '../app/src/approaches.js';

export {
  APPROACHES,
  APPROACH_FORMS,
  isWriterApproach,
  type ApproachForm,
  type ApproachName,
} from '../app/src/approaches.js';

export const APPROACH_NOTES: Record<ApproachName, string> = {
  naive: 'get, modify, set in the producer, one command at a time',
  'caller-cas':
    'one command at a time: read, modify, transaction on the version, retry on conflict with jitter; no receipt (the forum, KVS)',
  'caller-cas-best':
    "a producer's commands per issue in one read (state and receipts) and one transaction on the version with a receipt per command; retry on conflict with jitter",
  'lease-lock':
    'one command at a time: lease with expiry on a custom entity, poll while held, get, modify, set, release (the forum, SQL)',
  'lease-lock-best':
    "one lease per producer's batch per issue; inside it the same read and transaction as caller-cas-best (receipts, the version as a fencing check)",
  writer:
    'this project as the README teaches it: one enqueue per command, the defaults (key on, coalescing on)',
  'writer-batched': "this project, a producer's commands in one enqueue (report: the real fan-out job)",
  'writer-no-coalesce': 'writer with coalescing off (enqueue option coalesce: false)',
  'writer-no-key': 'writer without the concurrency key',
  'writer-batched-no-key': 'writer-batched without the concurrency key',
};
