/**
 * The status page at `/`: a static shell with inline style and script (no CDN, works offline)
 * that polls api/status. Served with a Content-Security-Policy that allows exactly this
 * style and script (by hash) and requests to this exporter only, so even a bug that put
 * remote text into the page as HTML could not run anything.
 */
import { createHash } from 'node:crypto';
import type { Exporter } from '../exporter.js';
import { STATUS_SCRIPT } from './status-script.js';
import { STATUS_STYLE } from './status-style.js';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(STATUS_SCRIPT)}`,
  `style-src ${hash(STATUS_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page; its <noscript> part is a server-rendered table for curl, text browsers and no-JS. */
export function statusPage(exporter: Exporter): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>o365-exporter status</title>
<style>${STATUS_STYLE}</style>
</head>
<body data-connected="unknown">
<header>
  <h1>o365-exporter</h1>
  <div class="totals" id="totals"></div>
  <div class="meta"><span id="updated">loading...</span> <span id="endpoints"></span></div>
  <nav><a href="metrics">/metrics</a><a href="-/ready">/-/ready</a><a href="-/healthy">/-/healthy</a><a href="config">config</a><a href="api/status">api/status</a></nav>
</header>
<div id="banner" role="alert"></div>
<noscript>${noscriptTable(exporter)}</noscript>
<main id="services"></main>
<footer id="version"></footer>
<script>${STATUS_SCRIPT}</script>
</body>
</html>
`;
}

function noscriptTable(exporter: Exporter): string {
  const rows = exporter.store
    .all()
    .map(({ target, last }) => {
      const state = !last ? 'pending' : last.success ? 'up' : `down: ${last.failure?.phase} ${last.failure?.reason}`;
      return `<tr><td>${escapeHtml(target.name)}</td><td>${escapeHtml(target.path)}</td><td>${escapeHtml(target.service)}</td><td>${escapeHtml(state)}</td></tr>`;
    })
    .join('');
  return `<p>The live view needs JavaScript; the same data is at <a href="api/status">api/status</a>.</p><table><tr><th>target</th><th>path</th><th>service</th><th>last probe</th></tr>${rows}</table>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function statusPageHeaders(): Record<string, string> {
  return { 'content-security-policy': STATUS_PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' };
}
