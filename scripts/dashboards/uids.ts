/** Stable uids and URL slugs: provisioning, links and bookmarks depend on them never changing. */
export const UID = {
  overview: { uid: 'o365-overview', slug: 'o365-exporter-overview', file: 'overview.json' },
  target: { uid: 'o365-target-detail', slug: 'o365-exporter-target-detail', file: 'target-detail.json' },
  teams: { uid: 'o365-teams-media', slug: 'o365-exporter-teams-media', file: 'teams-media.json' },
  endpoints: { uid: 'o365-endpoints-exporter', slug: 'o365-exporter-endpoints-and-exporter', file: 'endpoints-and-exporter.json' },
} as const;
