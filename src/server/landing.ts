/** A plain landing page linking the endpoints (the status page replaces it when present). */
import type { Exporter } from '../exporter.js';
import { VERSION } from '../util/version.js';

export function landingPage(exporter: Exporter): string {
  const rows = exporter.store
    .all()
    .map((s) => `<tr><td>${escapeHtml(s.target.name)}</td><td>${escapeHtml(s.target.path)}</td><td>${s.last ? (s.last.success ? 'up' : `down: ${s.last.failure?.phase} ${s.last.failure?.reason}`) : 'pending'}</td></tr>`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>o365-exporter</title></head><body>
<h1>o365-exporter ${escapeHtml(VERSION)}</h1>
<ul><li><a href="metrics">/metrics</a></li><li><a href="-/healthy">/-/healthy</a></li><li><a href="-/ready">/-/ready</a></li><li><a href="probe?target=outlook.office365.com&amp;module=https">/probe?target=outlook.office365.com&amp;module=https</a></li></ul>
<table><tr><th>target</th><th>path</th><th>last probe</th></tr>${rows}</table>
</body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
