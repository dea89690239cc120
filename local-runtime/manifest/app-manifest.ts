// Reads `manifest.yml` into the parts the local runtime serves: functions and the modules that
// invoke them, queues and their consumers, UI modules with their resolvers and resources, and the
// custom entities with their indexes. Whatever else the manifest declares is kept as a warning, so
// the runtime can say at start what it does not emulate instead of dropping it silently.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const attributeType = z.enum(['string', 'integer', 'float', 'boolean', 'any']);

const indexSchema = z.union([
  z.string(),
  z.object({
    name: z.string(),
    partition: z.array(z.string()).optional(),
    range: z.array(z.string()).min(1),
  }),
]);

const entitySchema = z.object({
  name: z.string(),
  attributes: z.record(z.string(), z.object({ type: attributeType })),
  indexes: z.array(indexSchema).optional(),
});

const keyed = z.object({ key: z.string() });

/**
 * A consumer names its function directly (`@forge/events` 2.x and later), or, the older way still
 * documented, a `@forge/resolver` function and the method it defines (docs:
 * runtime-reference/async-events-api-version-2-upgrade; storage-reference/sql-migration-guide).
 */
const consumerSchema = z.union([
  keyed.extend({ queue: z.string(), function: z.string() }),
  keyed.extend({
    queue: z.string(),
    resolver: z.object({ function: z.string(), method: z.string() }),
  }),
]);

/**
 * A UI module's resolver: a function (`@forge/resolver` definitions) or a remote `endpoint`
 * (docs: manifest-reference/endpoint), which the local runtime cannot reach.
 */
const resolverSchema = z.union([
  z.object({ function: z.string() }).passthrough(),
  z.object({ endpoint: z.string() }).passthrough(),
]);

/** Any product module: what the runtime reads of a UI module; everything else passes through. */
const productModuleSchema = keyed
  .extend({
    resource: z.string().optional(),
    resolver: resolverSchema.optional(),
    render: z.string().optional(),
    title: z.unknown().optional(),
  })
  .passthrough();

/** Module kinds the runtime runs as such; every other kind is a product (UI) module. */
const CORE_MODULE_KINDS = ['function', 'consumer', 'trigger', 'webtrigger', 'scheduledTrigger'] as const;

const manifestSchema = z.object({
  app: z.object({
    // Optional locally: a manifest before `forge register` has none (a warning says what is assumed).
    id: z.string().optional(),
    runtime: z.object({ name: z.string() }).optional(),
    storage: z.object({ entities: z.array(entitySchema).optional() }).optional(),
  }),
  permissions: z.object({ scopes: z.array(z.string()).optional() }).optional(),
  modules: z
    .object({
      function: z
        .array(keyed.extend({ handler: z.string(), timeoutSeconds: z.number().optional() }))
        .default([]),
      consumer: z.array(consumerSchema).optional(),
      trigger: z
        .array(
          keyed.extend({
            function: z.string(),
            events: z.array(z.string()),
            filter: z.object({ ignoreSelf: z.boolean().optional() }).passthrough().optional(),
          }),
        )
        .optional(),
      webtrigger: z.array(keyed.extend({ function: z.string() })).optional(),
      scheduledTrigger: z.array(keyed.extend({ function: z.string(), interval: z.string() })).optional(),
    })
    .catchall(z.array(productModuleSchema)),
  resources: z.array(z.object({ key: z.string(), path: z.string() })).optional(),
  // Read only to say at start that they are not emulated.
  remotes: z.array(keyed).optional(),
  providers: z.unknown().optional(),
  services: z.array(keyed).optional(),
  connectModules: z.unknown().optional(),
});

/** Manifest sections for platform features the runtime does not emulate, with what they are. */
const NOT_EMULATED_SECTIONS = {
  remotes: 'Forge Remote',
  providers: 'external authentication (providers)',
  services: 'Forge Containers (services)',
  connectModules: 'Connect modules',
} as const;

export type RawManifest = z.infer<typeof manifestSchema>;
export type AttributeType = z.infer<typeof attributeType>;

export interface EntityIndex {
  name: string;
  partition: string[];
  range: string[];
}

export interface EntityDefinition {
  name: string;
  attributes: Record<string, AttributeType>;
  indexes: EntityIndex[];
}

export interface FunctionDefinition {
  key: string;
  /** `dir/file.export`, relative to `src/`. */
  handler: string;
  timeoutSeconds: number;
}

/** A product module shown in the product's UI (`jira:adminPage`, `confluence:macro`, ...). */
export interface UiModuleDefinition {
  key: string;
  /** The module kind, e.g. `jira:issuePanel`: what Forge gives as `extension.type`. */
  type: string;
  /** The function whose `@forge/resolver` definitions answer the front end's `invoke`. */
  resolverFunction?: string;
  /** A remote resolver (`resolver.endpoint`): listed, not emulated. */
  resolverEndpoint?: string;
  resource?: string;
  /** `native` for UI Kit, absent for Custom UI. */
  render?: string;
  title: string;
}

export interface AppManifest {
  appDir: string;
  appId: string;
  /** False when `app.id` is missing and `appId` is the local stand-in. */
  appIdDeclared: boolean;
  functions: Map<string, FunctionDefinition>;
  /** queue name -> function key of its consumer */
  consumers: Map<string, string>;
  /** queue name -> the `@forge/resolver` method called, for consumers declared the resolver way */
  consumerMethods: Map<string, string>;
  triggers: Array<{ key: string; function: string; events: string[]; ignoreSelf: boolean }>;
  webtriggers: Map<string, string>;
  scheduledTriggers: Map<string, { function: string; interval: string }>;
  /** Every product module that has a resolver or a resource, by module key. */
  uiModules: Map<string, UiModuleDefinition>;
  /** module key -> resolver function key, for UI modules with a function resolver */
  resolvers: Map<string, string>;
  entities: Map<string, EntityDefinition>;
  resources: Map<string, string>;
  /** What the runtime assumes or leaves out, one line each, for the start banner and `rt.warnings`. */
  warnings: string[];
  raw: RawManifest;
}

const DEFAULT_TIMEOUT_SECONDS = 55;

/** The app id assumed for a manifest without `app.id` (an app not yet registered with `forge register`). */
export const LOCAL_APP_ID = 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000010ca';

/** Parsed manifests by file content: simulations create thousands of runtimes for one app. */
const parsed = new Map<string, RawManifest>();

function parseManifest(text: string, file: string): RawManifest {
  let raw = parsed.get(text);
  if (!raw) {
    const result = manifestSchema.safeParse(parse(text));
    if (!result.success)
      throw new Error(
        `${file} is not a manifest the local runtime can read:\n${z.prettifyError(result.error)}`,
      );
    raw = result.data;
    parsed.set(text, raw);
  }
  return raw;
}

export function loadManifest(appDir: string): AppManifest {
  const file = path.join(appDir, 'manifest.yml');
  const raw = parseManifest(readFileSync(file, 'utf8'), file);
  const m = raw.modules;
  const warnings: string[] = [];
  if (raw.app.id === undefined) {
    warnings.push(
      `manifest.yml has no app.id (the app is not registered yet: \`forge register\` adds one); the local runtime assumes ${LOCAL_APP_ID}`,
    );
  }
  const entities = new Map<string, EntityDefinition>();
  for (const entity of raw.app.storage?.entities ?? []) {
    entities.set(entity.name, {
      name: entity.name,
      attributes: Object.fromEntries(Object.entries(entity.attributes).map(([k, v]) => [k, v.type])),
      indexes: (entity.indexes ?? []).map((index) =>
        typeof index === 'string'
          ? { name: index, partition: [], range: [index] }
          : { name: index.name, partition: index.partition ?? [], range: index.range },
      ),
    });
  }
  const consumers = new Map<string, string>();
  const consumerMethods = new Map<string, string>();
  for (const consumer of m.consumer ?? []) {
    if ('function' in consumer) consumers.set(consumer.queue, consumer.function);
    else {
      consumers.set(consumer.queue, consumer.resolver.function);
      consumerMethods.set(consumer.queue, consumer.resolver.method);
    }
  }
  const uiModules = readUiModules(raw, warnings);
  for (const [section, what] of Object.entries(NOT_EMULATED_SECTIONS)) {
    if (raw[section as keyof typeof NOT_EMULATED_SECTIONS] !== undefined)
      warnings.push(`manifest.yml's ${section}: ${what} is not emulated`);
  }
  const resolvers = new Map<string, string>();
  const functionKeys = new Set(m.function.map((f) => f.key));
  for (const module of uiModules.values()) {
    if (!module.resolverFunction) continue;
    resolvers.set(module.key, module.resolverFunction);
    if (!functionKeys.has(module.resolverFunction)) {
      warnings.push(
        `${module.type} '${module.key}' names the resolver function '${module.resolverFunction}', which manifest.yml's function modules do not define: invoking it fails`,
      );
    }
  }
  return {
    appDir,
    appId: raw.app.id ?? LOCAL_APP_ID,
    appIdDeclared: raw.app.id !== undefined,
    functions: new Map(
      m.function.map((f) => [
        f.key,
        { key: f.key, handler: f.handler, timeoutSeconds: f.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS },
      ]),
    ),
    consumers,
    consumerMethods,
    triggers: (m.trigger ?? []).map((t) => ({
      key: t.key,
      function: t.function,
      events: t.events,
      ignoreSelf: t.filter?.ignoreSelf ?? false,
    })),
    webtriggers: new Map((m.webtrigger ?? []).map((w) => [w.key, w.function])),
    scheduledTriggers: new Map(
      (m.scheduledTrigger ?? []).map((s) => [s.key, { function: s.function, interval: s.interval }]),
    ),
    uiModules,
    resolvers,
    entities,
    resources: new Map((raw.resources ?? []).map((r) => [r.key, r.path])),
    warnings,
    raw,
  };
}

/**
 * Every product module with a resolver or a resource, whatever its kind: the runtime does not keep
 * a list of UI module kinds, so a kind added to Forge tomorrow works too. Modules with neither
 * (`endpoint`, `jira:entityProperty`, a custom field's value function, ...) are listed as not emulated.
 */
function readUiModules(raw: RawManifest, warnings: string[]): Map<string, UiModuleDefinition> {
  const modules = new Map<string, UiModuleDefinition>();
  const notEmulated: string[] = [];
  for (const [kind, entries] of Object.entries(raw.modules)) {
    if ((CORE_MODULE_KINDS as readonly string[]).includes(kind)) continue;
    for (const entry of entries as z.infer<typeof productModuleSchema>[]) {
      const resolver = entry.resolver;
      const resolverFunction = typeof resolver?.['function'] === 'string' ? resolver['function'] : undefined;
      const resolverEndpoint = typeof resolver?.['endpoint'] === 'string' ? resolver['endpoint'] : undefined;
      if (!resolverFunction && !entry.resource) {
        notEmulated.push(`${kind} '${entry.key}'`);
        continue;
      }
      if (modules.has(entry.key)) {
        throw new Error(
          `manifest.yml declares the module key '${entry.key}' twice (${modules.get(entry.key)!.type} and ${kind}); Forge requires module keys to be unique`,
        );
      }
      if (resolverEndpoint) {
        warnings.push(
          `${kind} '${entry.key}' has a remote resolver (endpoint ${resolverEndpoint}): Forge Remote is not emulated, so invoking it answers an error`,
        );
      }
      modules.set(entry.key, {
        key: entry.key,
        type: kind,
        ...(resolverFunction ? { resolverFunction } : {}),
        ...(resolverEndpoint ? { resolverEndpoint } : {}),
        ...(entry.resource ? { resource: entry.resource } : {}),
        ...(entry.render ? { render: entry.render } : {}),
        title: titleOf(entry.title) ?? entry.key,
      });
    }
  }
  if (notEmulated.length > 0) {
    warnings.push(`Modules the local runtime does not emulate (ignored): ${notEmulated.join(', ')}`);
  }
  return modules;
}

/** A title is a string, or an i18n object `{ i18n: key }`: the key stands in for it. */
function titleOf(title: unknown): string | undefined {
  if (typeof title === 'string') return title;
  if (typeof title === 'object' && title !== null && typeof (title as { i18n?: unknown }).i18n === 'string')
    return (title as { i18n: string }).i18n;
  return undefined;
}
