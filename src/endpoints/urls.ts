/**
 * Kinds of published URLs: a concrete host, a wildcard that stands for the tenant's own
 * names (filled from the tenant), or any other wildcard (cannot be probed: counted, never guessed).
 */
export type UrlKind = 'concrete' | 'wildcard' | 'tenant';
export const URL_KINDS: readonly UrlKind[] = ['concrete', 'wildcard', 'tenant'];

interface TenantPattern {
  pattern: RegExp;
  /** Hosts the pattern stands for, given the tenant name. */
  hosts(tenant: string, match: RegExpExecArray): string[];
}

/**
 * The patterns whose "*" is the tenant name. SharePoint (all clouds: .com, .us, -mil.us,
 * .cn) serves the tenant's sites at <tenant>.sharepoint.* and OneDrive at <tenant>-my;
 * Exchange autodiscover uses the tenant's onmicrosoft domain.
 */
const TENANT_PATTERNS: TenantPattern[] = [
  { pattern: /^\*\.(sharepoint(?:-mil)?\.(?:com|us|cn|de))$/, hosts: (t, m) => [`${t}.${m[1]}`, `${t}-my.${m[1]}`] },
  { pattern: /^\*-(my|files|myfiles)\.(sharepoint(?:-mil)?\.(?:com|us|cn|de))$/, hosts: (t, m) => [`${t}-${m[1]}.${m[2]}`] },
  { pattern: /^autodiscover\.\*\.((?:mail\.)?onmicrosoft\.(?:com|us|cn|de))$/, hosts: (t, m) => [`autodiscover.${t}.${m[1]}`] },
];

export function urlKind(url: string): UrlKind {
  if (!url.includes('*')) return 'concrete';
  return TENANT_PATTERNS.some((p) => p.pattern.test(url)) ? 'tenant' : 'wildcard';
}

/** The concrete hosts a tenant pattern stands for; [] for other URLs or without a tenant. */
export function tenantHosts(url: string, tenant: string | undefined): string[] {
  if (!tenant) return [];
  for (const p of TENANT_PATTERNS) {
    const match = p.pattern.exec(url);
    if (match) return p.hosts(tenant.toLowerCase(), match);
  }
  return [];
}

/** A probe-able host name (what the web service lists is network input). */
export function isHostName(text: string): boolean {
  return text.length <= 253 && /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(text);
}
