// Platform profiles: one answer to each storage question Forge's documentation leaves open or
// ambiguous (docs/platform.md, "Unconfirmed"). Every answer is decided here and nowhere else, one
// named function per question, so a test or the simulation can run the same app under every
// plausible answer (`createRuntime({ platform })`) and an app can be shown correct under all of them.
// The default follows the docs where they speak, and today's behaviour where they don't.
import type { StoredItem } from './backend.js';
import { evaluateTree, type FilterTree } from './filters.js';
import { KvsError } from './kvs-errors.js';
import { isRecord } from './shapes.js';

export interface PlatformProfile {
  /**
   * The status and code of a failed transaction condition (`set`/`delete` with `conditions`, or
   * `check`). Undocumented: this runtime has always answered 409 `CONDITIONAL_CHECK_FAILED`; a peer
   * simulator answers 400 `CONDITION_FAILED`.
   */
  failedCondition: '409-CONDITIONAL_CHECK_FAILED' | '400-CONDITION_FAILED';
  /**
   * `keyPolicy: 'FAIL_IF_EXISTS'` on a key that exists. Undocumented: 409 `CONDITIONAL_CHECK_FAILED`
   * here so far; a peer simulator answers 409 `KEY_ALREADY_EXISTS`.
   */
  keyPolicyClash: '409-CONDITIONAL_CHECK_FAILED' | '409-KEY_ALREADY_EXISTS';
  /**
   * A condition, or a `check`, on a key that holds nothing. `as-empty-item`: evaluated against an
   * empty item, so `notExists` holds and `equalTo` fails (DynamoDB's semantics). `fails`: every
   * condition on a missing key fails, `notExists` too (the transactions page's example comments
   * `check` as "check if key exists and meets conditions").
   */
  conditionOnMissingKey: 'as-empty-item' | 'fails';
  /**
   * Where an entity query's `filters` apply. `after-limit`: to each page of `limit` indexed items,
   * so a page can be short or empty while its cursor says there is more. `before-limit`: to the
   * whole index, so every page but the last is full.
   */
  queryFilters: 'after-limit' | 'before-limit';
  /** The page size of a query that gives no `limit` (1..100). */
  defaultPageSize: number;
  /** A `set` without `ttl` over a key that had one: the old expiry is `cleared` or `kept`. */
  overwriteTtl: 'cleared' | 'kept';
}

/**
 * The default, and why each answer:
 * - failedCondition 409 `CONDITIONAL_CHECK_FAILED`, keyPolicyClash 409 `CONDITIONAL_CHECK_FAILED`:
 *   the docs name no code; a conflict is a 409 in HTTP terms and this is what the runtime has
 *   always answered, so apps tested against it keep their meaning.
 * - conditionOnMissingKey `as-empty-item`: the docs are ambiguous (an example's comment against the
 *   API's "checks a key meets the specified conditions"); storage with conditional writes (DynamoDB)
 *   evaluates a condition on a missing item against an empty one, and so has this runtime.
 * - queryFilters `after-limit`: the docs speak (storage-reference/entities-api-query, "filters"):
 *   "the `and` and `or` methods are *in-memory* filters. Using them can sometimes produce pages with
 *   no results, with cursor pointing to the next page where actual results exist."
 * - defaultPageSize 10: the docs speak: "Every complex query returns up to 10 values by default"
 *   (entities-api-query), "The query API returns up to 10 values by default" (kvs-api-query).
 * - overwriteTtl `cleared`: the docs are silent; a `set` replaces the whole item, its options
 *   included, as this runtime has always done.
 */
export const DEFAULT_PLATFORM: Readonly<PlatformProfile> = Object.freeze({
  failedCondition: '409-CONDITIONAL_CHECK_FAILED',
  keyPolicyClash: '409-CONDITIONAL_CHECK_FAILED',
  conditionOnMissingKey: 'as-empty-item',
  queryFilters: 'after-limit',
  defaultPageSize: 10,
  overwriteTtl: 'cleared',
});

/**
 * Named profiles for loops (`npm run sim -- --profile all`): the default, each open question
 * answered the other way on its own, and `adverse`, every answer that is hardest on an app at once
 * (filters after the limit, which is the default, and the smallest default page).
 */
export const PLATFORM_PROFILES = Object.freeze({
  default: DEFAULT_PLATFORM,
  'failed-condition-400': profile({ failedCondition: '400-CONDITION_FAILED' }),
  'key-already-exists': profile({ keyPolicyClash: '409-KEY_ALREADY_EXISTS' }),
  'missing-key-condition-fails': profile({ conditionOnMissingKey: 'fails' }),
  'filters-before-limit': profile({ queryFilters: 'before-limit' }),
  'default-page-size-1': profile({ defaultPageSize: 1 }),
  'overwrite-keeps-ttl': profile({ overwriteTtl: 'kept' }),
  adverse: profile({
    failedCondition: '400-CONDITION_FAILED',
    keyPolicyClash: '409-KEY_ALREADY_EXISTS',
    conditionOnMissingKey: 'fails',
    queryFilters: 'after-limit',
    defaultPageSize: 1,
    overwriteTtl: 'kept',
  }),
} satisfies Record<string, Readonly<PlatformProfile>>);

export type PlatformProfileName = keyof typeof PLATFORM_PROFILES;

/** `createRuntime({ platform })`: a profile's name, or some answers (the rest from the default). */
export type PlatformOption = PlatformProfileName | Partial<PlatformProfile>;

function profile(answers: Partial<PlatformProfile>): Readonly<PlatformProfile> {
  return Object.freeze({ ...DEFAULT_PLATFORM, ...answers });
}

const CHOICES = {
  failedCondition: ['409-CONDITIONAL_CHECK_FAILED', '400-CONDITION_FAILED'],
  keyPolicyClash: ['409-CONDITIONAL_CHECK_FAILED', '409-KEY_ALREADY_EXISTS'],
  conditionOnMissingKey: ['as-empty-item', 'fails'],
  queryFilters: ['after-limit', 'before-limit'],
  overwriteTtl: ['cleared', 'kept'],
} as const satisfies { [K in keyof PlatformProfile]?: readonly PlatformProfile[K][] };

/** The full profile an option stands for; an unknown name or answer is a programming error. */
export function resolvePlatform(option: PlatformOption | undefined): Readonly<PlatformProfile> {
  if (option === undefined) return DEFAULT_PLATFORM;
  if (typeof option === 'string') {
    if (!Object.hasOwn(PLATFORM_PROFILES, option)) {
      throw new Error(
        `Unknown platform profile '${String(option)}'; known: ${Object.keys(PLATFORM_PROFILES).join(', ')}`,
      );
    }
    return PLATFORM_PROFILES[option];
  }
  const resolved = { ...DEFAULT_PLATFORM, ...option };
  for (const [field, allowed] of Object.entries(CHOICES)) {
    const value = resolved[field as keyof typeof CHOICES];
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`platform.${field} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  const size = resolved.defaultPageSize;
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new Error(`platform.defaultPageSize must be an integer from 1 to 100, got ${String(size)}`);
  return Object.freeze(resolved);
}

// ---- The answers, one function per question ----

/** The error of a failed transaction condition (`failedCondition`). */
export function failedConditionError(
  platform: PlatformProfile,
  message: string,
  context: Record<string, unknown>,
): KvsError {
  const code =
    platform.failedCondition === '400-CONDITION_FAILED' ? 'CONDITION_FAILED' : 'CONDITIONAL_CHECK_FAILED';
  return new KvsError(code, message, context);
}

/** The error of `FAIL_IF_EXISTS` on a key that exists (`keyPolicyClash`). */
export function keyPolicyClashError(platform: PlatformProfile, key: string): KvsError {
  const code =
    platform.keyPolicyClash === '409-KEY_ALREADY_EXISTS' ? 'KEY_ALREADY_EXISTS' : 'CONDITIONAL_CHECK_FAILED';
  return new KvsError(code, `Key '${key}' already exists (keyPolicy FAIL_IF_EXISTS)`, { key });
}

/** Whether `conditions` hold for the item stored under a key, or for none (`conditionOnMissingKey`). */
export function conditionsHold(
  platform: PlatformProfile,
  conditions: FilterTree,
  current: StoredItem | undefined,
): boolean {
  if (!current && platform.conditionOnMissingKey === 'fails') return false;
  return evaluateTree(conditions, current && isRecord(current.value) ? current.value : undefined);
}

/** The expiry of an item written now over `previous` (`overwriteTtl`). */
export function expiryAfterSet(
  platform: PlatformProfile,
  previous: StoredItem | undefined,
  ttlMs: number | undefined,
  now: number,
): number | undefined {
  if (ttlMs !== undefined) return now + ttlMs;
  return platform.overwriteTtl === 'kept' ? previous?.expiresAt : undefined;
}

/**
 * One page of a filtered query (`queryFilters`). `candidates` are the items the index, partition
 * and range select, in order, starting after the cursor. Returns the page and, when more may
 * follow, the candidate the next page starts after (which, after the limit, may be filtered out).
 */
export function filteredPage<T>(
  platform: PlatformProfile,
  candidates: readonly T[],
  limit: number,
  passes: ((candidate: T) => boolean) | undefined,
): { page: T[]; resumeAfter?: T } {
  if (platform.queryFilters === 'after-limit') {
    const scanned = candidates.slice(0, limit);
    const page = passes ? scanned.filter(passes) : scanned;
    return candidates.length > limit ? { page, resumeAfter: scanned.at(-1)! } : { page };
  }
  const matching = passes ? candidates.filter(passes) : [...candidates];
  const page = matching.slice(0, limit);
  return matching.length > limit ? { page, resumeAfter: page.at(-1)! } : { page };
}
