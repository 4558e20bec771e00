/**
 * The embedded default config: the core Microsoft 365 Optimize/Allow endpoints over HTTPS
 * and the Teams media relay over UDP (STUN), so `npm start` with no flags measures
 * something useful on any network.
 * SharePoint needs a tenant name: set `tenant:` (or O365_TENANT) to add it.
 */
export const DEFAULT_CONFIG_NAME = '<embedded default>';

export const DEFAULT_CONFIG_YAML = `# o365-exporter embedded default config
defaults:
  interval: 30s
  timeout: 10s
  ip_version: prefer_ipv4
targets:
  - name: exchange
    url: https://outlook.office365.com/owa/
    service: Exchange
    category: Optimize
  - name: outlook
    url: https://outlook.office.com/
    service: Exchange
    category: Optimize
  - name: teams
    url: https://teams.microsoft.com/
    service: Teams
    category: Allow
  - name: login
    url: https://login.microsoftonline.com/
    service: Common
    category: Allow
  - name: office-portal
    url: https://www.office.com/
    service: Common
    category: Default
  - name: teams-relay
    stun: world.tr.teams.microsoft.com:3478
    service: Teams
    category: Optimize
`;

/** The default with `tenant:` set and the tenant's SharePoint and OneDrive targets added. */
export function defaultConfigForTenant(tenant: string): string {
  const targets = [
    ['sharepoint', `https://${tenant}.sharepoint.com/`],
    ['onedrive', `https://${tenant}-my.sharepoint.com/`],
  ]
    .map(([name, url]) => `  - name: ${name}\n    url: ${url}\n    service: SharePoint\n    category: Optimize\n`)
    .join('');
  return `tenant: ${JSON.stringify(tenant)}\n${DEFAULT_CONFIG_YAML}${targets}`;
}
