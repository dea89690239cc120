// The largest value for which a monotone predicate holds, by bisection: the model behind it may
// stop being linear (per-command costs that grow with contention) and this still answers.

export interface BisectOptions {
  /** Stop when the bracket is this small relative to its lower end (or absolutely, near 0). */
  tolerance?: number;
  /** Above this the predicate is taken to hold forever: the answer is Infinity. */
  ceiling?: number;
}

/**
 * The largest x >= 0 with `holds(x)`, for a predicate that holds up to some point and fails
 * after it. 0 if it fails already at 0 (check `holds(0)` to tell "0" from "never").
 */
export function largestHolding(holds: (x: number) => boolean, options: BisectOptions = {}): number {
  const tolerance = options.tolerance ?? 1e-9;
  const ceiling = options.ceiling ?? 1e12;
  if (!holds(0)) return 0;
  let low = 0;
  let high = 1;
  while (holds(high)) {
    low = high;
    high *= 2;
    if (high > ceiling) return Infinity;
  }
  while (high - low > tolerance * Math.max(1, low)) {
    const middle = (low + high) / 2;
    if (holds(middle)) low = middle;
    else high = middle;
  }
  return low;
}
