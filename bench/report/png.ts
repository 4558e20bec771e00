/**
 * SVG -> PNG with what the machine has: rsvg-convert if installed, else headless Chromium
 * (a Debian test peer here). Neither is required: without them only the SVG is written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../lib/preflight.js';
import { reapNaming } from '../lib/procs.js';

/** Returns the tool used, or undefined when no converter exists. */
export function svgToPng(svgFile: string, pngFile: string, width: number, height: number): string | undefined {
  rmSync(pngFile, { force: true });
  if (onPath('rsvg-convert')) {
    execFileSync('rsvg-convert', ['-o', pngFile, svgFile], { stdio: 'ignore', timeout: 60_000 });
    return 'rsvg-convert';
  }
  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(onPath);
  if (!chromium) return undefined;
  const profile = mkdtempSync(join(tmpdir(), 'o365-bench-chromium-'));
  try {
    execFileSync(chromium, [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`, `--screenshot=${pngFile}`, `file://${svgFile}`,
    ], { stdio: 'ignore', timeout: 90_000 });
  } finally {
    // Its zygote processes can outlive the browser by a moment; none may outlive the bench.
    reapNaming(profile, 5_000);
    rmSync(profile, { recursive: true, force: true });
  }
  return existsSync(pngFile) ? chromium : undefined;
}
