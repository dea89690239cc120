// Reads `manifest.yml` into the parts the local runtime serves: functions and the modules that
// invoke them, queues and their consumers, and the custom entities with their indexes.
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

const manifestSchema = z.object({
  app: z.object({
    id: z.string(),
    runtime: z.object({ name: z.string() }).optional(),
    storage: z.object({ entities: z.array(entitySchema).optional() }).optional(),
  }),
  permissions: z.object({ scopes: z.array(z.string()).optional() }).optional(),
  modules: z.object({
    function: z.array(keyed.extend({ handler: z.string(), timeoutSeconds: z.number().optional() })),
    consumer: z.array(keyed.extend({ queue: z.string(), function: z.string() })).optional(),
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
    'jira:issuePanel': z
      .array(
        keyed.extend({
          resource: z.string().optional(),
          resolver: z.object({ function: z.string() }).optional(),
        }),
      )
      .optional(),
  }),
  resources: z.array(z.object({ key: z.string(), path: z.string() })).optional(),
});

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

export interface AppManifest {
  appDir: string;
  appId: string;
  functions: Map<string, FunctionDefinition>;
  /** queue name -> function key of its consumer */
  consumers: Map<string, string>;
  triggers: Array<{ key: string; function: string; events: string[]; ignoreSelf: boolean }>;
  webtriggers: Map<string, string>;
  scheduledTriggers: Map<string, { function: string; interval: string }>;
  /** module key -> resolver function key, for UI modules with a resolver */
  resolvers: Map<string, string>;
  entities: Map<string, EntityDefinition>;
  resources: Map<string, string>;
  raw: RawManifest;
}

const DEFAULT_TIMEOUT_SECONDS = 55;

/** Parsed manifests by file content: simulations create thousands of runtimes for one app. */
const parsed = new Map<string, RawManifest>();

function parseManifest(text: string): RawManifest {
  let raw = parsed.get(text);
  if (!raw) {
    raw = manifestSchema.parse(parse(text));
    parsed.set(text, raw);
  }
  return raw;
}

export function loadManifest(appDir: string): AppManifest {
  const raw = parseManifest(readFileSync(path.join(appDir, 'manifest.yml'), 'utf8'));
  const m = raw.modules;
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
  const resolvers = new Map<string, string>();
  for (const panel of m['jira:issuePanel'] ?? []) {
    if (panel.resolver) resolvers.set(panel.key, panel.resolver.function);
  }
  return {
    appDir,
    appId: raw.app.id,
    functions: new Map(
      m.function.map((f) => [
        f.key,
        { key: f.key, handler: f.handler, timeoutSeconds: f.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS },
      ]),
    ),
    consumers: new Map((m.consumer ?? []).map((c) => [c.queue, c.function])),
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
    resolvers,
    entities,
    resources: new Map((raw.resources ?? []).map((r) => [r.key, r.path])),
    raw,
  };
}
