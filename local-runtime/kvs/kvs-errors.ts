// Every error the emulated KVS answers with, its HTTP status and code, in one place. `@forge/kvs`
// turns a non-2xx `{ code, message, context? }` body into a `ForgeKvsAPIError` with `.code` and
// `.responseDetails.status`, so app code branches on these names.

/**
 * The default profile's code for a failed transaction condition and for a `FAIL_IF_EXISTS` clash
 * (HTTP 409). Forge's real code is UNCONFIRMED (docs/platform.md, "Unconfirmed"): the platform
 * profile picks the code each answers with (`failedConditionError` and `keyPolicyClashError` in
 * platform-profile.ts), so an app can be run under every plausible one.
 */
export const CONDITIONAL_CHECK_FAILED = 'CONDITIONAL_CHECK_FAILED';

export const KVS_ERRORS = {
  // Documented 400s (docs: limits-kvs-ce, entities-api-query, handling-errors-kvs and
  // handling-errors-customentities). An empty key is KEY_TOO_SHORT on the Key-Value Store's error
  // page and EMPTY_KEY on the Custom Entity Store's.
  KEY_TOO_SHORT: { status: 400, message: 'The key must not be empty' },
  EMPTY_KEY: { status: 400, message: 'The key must not be empty' },
  INVALID_KEY: {
    status: 400,
    message: 'The key contains characters outside [a-zA-Z0-9:._\\s-#] or is only whitespace',
  },
  KEY_TOO_LONG: { status: 400, message: 'The key is longer than 500 characters' },
  MAX_SIZE: { status: 400, message: 'The value is larger than 240 KiB' },
  MAX_DEPTH: { status: 400, message: 'The value is nested deeper than 31 levels' },
  INVALID_ENTITY_VALUE: {
    status: 400,
    message: "The value does not match the entity's attributes in the manifest",
  },
  COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE: {
    status: 400,
    message: 'The query limit must be an integer from 1 to 100',
  },
  EMPTY_FILTER_OPERATOR: { status: 400, message: 'A filter needs a non-empty `and` or `or` list' },
  INVALID_FILTER_OPERATORS_COMBINATION: { status: 400, message: 'A filter may use `and` or `or`, not both' },
  INSUFFICIENT_FILTER_VALUES: { status: 400, message: 'The condition has fewer values than it needs' },
  // Local choices where Forge's code is not documented: named here so they are easy to change.
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, message: 'The request body does not have the expected shape' },
  INVALID_TTL: {
    status: 400,
    message: 'ttl must be { value: positive integer, unit: SECONDS|MINUTES|HOURS|DAYS }, at most 1 year',
  },
  INVALID_SET_OPTIONS: { status: 400, message: 'Invalid set options' },
  UNKNOWN_ENTITY: { status: 400, message: 'No entity with this name is declared in manifest.yml' },
  UNKNOWN_INDEX: { status: 400, message: 'The entity has no index with this name in manifest.yml' },
  INVALID_PARTITION: {
    status: 400,
    message: "The partition values do not match the index's partition attributes",
  },
  INVALID_RANGE_CONDITION: { status: 400, message: 'The range condition is not one of WhereConditions' },
  INVALID_FILTER_CONDITION: { status: 400, message: 'Unknown filter condition or value type' },
  INVALID_FILTER_ATTRIBUTE: {
    status: 400,
    message: "The filter names an attribute the entity doesn't declare",
  },
  INVALID_CURSOR: { status: 400, message: 'The cursor is not one this query returned' },
  INVALID_SORT: { status: 400, message: 'sort must be ASC or DESC' },
  EMPTY_BATCH: { status: 400, message: 'A batch needs at least one item' },
  BATCH_TOO_LARGE: { status: 400, message: 'A batch holds at most 25 keys and 4 MB' },
  DUPLICATE_BATCH_KEY: { status: 400, message: 'A batch names the same key more than once' },
  EMPTY_TRANSACTION: { status: 400, message: 'A transaction needs at least one operation' },
  TOO_MANY_TRANSACTION_OPERATIONS: { status: 400, message: 'A transaction holds at most 25 operations' },
  TRANSACTION_TOO_LARGE: { status: 400, message: 'A transaction holds at most 4 MB' },
  DUPLICATE_TRANSACTION_KEY: { status: 400, message: 'A transaction names the same key more than once' },
  INVALID_TRANSACTION_OPTIONS: { status: 400, message: 'Inside a transaction `set` takes only a ttl option' },
  CONDITIONS_NEED_ENTITY: { status: 400, message: 'Conditions apply to custom entities: give an entityName' },
  KEY_NOT_FOUND: { status: 404, message: 'The key does not exist' },
  NOT_FOUND: { status: 404, message: 'The local KVS does not serve this path' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The KVS API takes POST requests only' },
  // A failed condition and a key-policy clash: which of these Forge answers is UNCONFIRMED; the
  // platform profile chooses (platform-profile.ts).
  [CONDITIONAL_CHECK_FAILED]: {
    status: 409,
    message: 'A condition of the request was not met; nothing was changed',
  },
  CONDITION_FAILED: { status: 400, message: 'A condition of the request was not met; nothing was changed' },
  KEY_ALREADY_EXISTS: { status: 409, message: 'The key already exists' },
  // Filters on `any` attributes are refused with 422 (docs: limits-kvs-ce); the code is a local name.
  FILTER_ON_ANY_ATTRIBUTE: { status: 422, message: "Attributes of type 'any' can't be filtered on" },
  RATE_LIMIT_EXCEEDED: { status: 429, message: "The installation's KVS quota is used up; retry later" },
  // A transaction over the quota gets this code instead (docs: limits-kvs-ce).
  TOO_MANY_REQUESTS: {
    status: 429,
    message: "The installation's KVS quota is used up; retry the transaction later",
  },
  INTERNAL_SERVER_ERROR: { status: 500, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type KvsErrorCode = keyof typeof KVS_ERRORS;

/** Every code a failed condition or key-policy clash may answer with, whatever the profile: metered as failed conditions. */
export const CONDITION_FAILURE_CODES: ReadonlySet<string> = new Set<KvsErrorCode>([
  CONDITIONAL_CHECK_FAILED,
  'CONDITION_FAILED',
  'KEY_ALREADY_EXISTS',
]);

/** Thrown by the storage layer; the wire surface turns it into a `{ code, message, context? }` response. */
export class KvsError extends Error {
  readonly status: number;

  constructor(
    readonly code: KvsErrorCode,
    message?: string,
    readonly context?: Record<string, unknown>,
  ) {
    super(message ?? KVS_ERRORS[code].message);
    this.name = 'KvsError';
    this.status = KVS_ERRORS[code].status;
  }

  toBody(): { code: string; message: string; context?: Record<string, unknown> } {
    return this.context
      ? { code: this.code, message: this.message, context: this.context }
      : { code: this.code, message: this.message };
  }
}
