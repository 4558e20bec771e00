/** All dashboards, each with the file it is written to under dashboards/. */
import { endpointsAndExporter } from './endpoints-exporter.js';
import type { Dashboard } from './grafana.js';
import { overview } from './overview.js';
import { targetDetail } from './target-detail.js';
import { teamsMedia } from './teams-media.js';
import { UID } from './uids.js';

export function allDashboards(): { file: string; dashboard: Dashboard }[] {
  return [
    { file: UID.overview.file, dashboard: overview() },
    { file: UID.target.file, dashboard: targetDetail() },
    { file: UID.teams.file, dashboard: teamsMedia() },
    { file: UID.endpoints.file, dashboard: endpointsAndExporter() },
  ];
}

/** The committed text of a dashboard file: 2-space JSON and a final newline. */
export function render(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
