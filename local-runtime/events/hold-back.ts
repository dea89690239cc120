// How long the platform holds back an event whose concurrency key is at its limit, before it tries
// again. Forge documents only "retried with exponential backoff of up to 15 minutes"; a community
// test with `limit: 1` saw gaps of 4 to 16 s (docs/platform.md, "Async events"). Since the timing is
// the platform's and undocumented, the runtime offers a model per plausible answer; apps and the
// benchmark are measured under each.
import type { SeededRandom } from '../kernel/random.js';
import { backoffDelay } from './backoff.js';

export const HOLD_BACK_MODELS = {
  /** The runtime's default: 4 s, doubling per hold-back of the same event, ±25 %, at most 15 min. */
  'doubling-4s': 'doubling from 4 s (±25 %), at most 15 min',
  /** A platform that retries a held-back event after about a second, every time. */
  'fixed-1s': 'about 1 s (±25 %) every time',
  /** What the community test saw: gaps of 4 to 16 s, not growing. */
  'gaps-4-16s': 'uniform 4 to 16 s every time',
} as const;

export type HoldBackModel = keyof typeof HOLD_BACK_MODELS;

/** The delay before a held-back event's next try; `heldBack` counts its earlier hold-backs. */
export function holdBackDelay(model: HoldBackModel, heldBack: number, random: SeededRandom): number {
  switch (model) {
    case 'doubling-4s':
      return backoffDelay(heldBack, random);
    case 'fixed-1s':
      return Math.round(1_000 * (0.75 + 0.5 * random.next()));
    case 'gaps-4-16s':
      return random.int(4_000, 16_000);
  }
}
