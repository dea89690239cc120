// The installation the local runtime pretends to be: one site, one cloud id, one environment, the
// same for every module (UI resolvers, the Custom UI host's `view.getContext()`, triggers, web
// triggers, scheduled triggers and queue consumers), so they all agree on where they run.

/** The default cloud id; `createRuntime({ site: { cloudId } })` picks another. */
export const LOCAL_CLOUD_ID = '00000000-0000-4000-8000-00000000c10d';
/** Matches `__forge_runtime__.appContext` in the sandbox. */
export const LOCAL_ENVIRONMENT = { environmentId: 'local', environmentType: 'DEVELOPMENT' } as const;

/** The product whose site the app is installed on: it names the site in `installContext`. */
export type SiteProduct = 'jira' | 'confluence' | 'compass';

/** What `createRuntime({ site })` may set; the rest is derived. */
export interface SiteOptions {
  cloudId?: string;
  /** Default: the local Jira's base URL. */
  siteUrl?: string;
  /** Default: the product of the manifest's first product module (`jira` when there is none). */
  product?: SiteProduct;
}

export interface LocalSite {
  readonly cloudId: string;
  readonly siteUrl: string;
  readonly product: SiteProduct;
  /** `ari:cloud:{product}::site/{cloudId}`: the installation every module's context names. */
  readonly installContext: string;
  readonly environmentId: string;
  readonly environmentType: string;
}

const CLOUD_ID = /^[A-Za-z0-9-]{1,64}$/;

export function resolveSite(
  options: SiteOptions | undefined,
  defaults: { siteUrl: string; moduleKinds: Iterable<string> },
): LocalSite {
  const cloudId = options?.cloudId ?? LOCAL_CLOUD_ID;
  if (!CLOUD_ID.test(cloudId))
    throw new Error(`site.cloudId must be letters, digits and dashes (a UUID), got '${cloudId}'`);
  const siteUrl = (options?.siteUrl ?? defaults.siteUrl).replace(/\/+$/, '');
  if (!URL.canParse(siteUrl)) throw new Error(`site.siteUrl must be an absolute URL, got '${siteUrl}'`);
  const product = options?.product ?? productOf(defaults.moduleKinds);
  return {
    cloudId,
    siteUrl,
    product,
    installContext: `ari:cloud:${product}::site/${cloudId}`,
    ...LOCAL_ENVIRONMENT,
  };
}

function productOf(kinds: Iterable<string>): SiteProduct {
  for (const kind of kinds) {
    const product = kind.split(':')[0];
    if (product === 'jira' || product === 'confluence' || product === 'compass') return product;
  }
  return 'jira';
}

/** The second argument of trigger, web trigger, scheduled trigger and consumer handlers. */
export function moduleContext(site: LocalSite, moduleKey: string) {
  return { cloudId: site.cloudId, moduleKey, installContext: site.installContext };
}
