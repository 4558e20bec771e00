/**
 * Writes dashboards/*.json from the typed definitions here.
 *   npx tsx scripts/dashboards/generate.ts          # write
 *   npx tsx scripts/dashboards/generate.ts --check  # exit 1 if a committed file differs
 * test/dashboards/generated.test.ts runs the check, so edit the TypeScript, not the JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allDashboards, render } from './index.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dashboards');
const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(outDir, { recursive: true });
for (const { file, dashboard } of allDashboards()) {
  const path = join(outDir, file);
  const text = render(dashboard);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing file: stale
  }
  if (current === text) continue;
  stale += 1;
  if (check) console.error(`${path} is not what scripts/dashboards generates: run npx tsx scripts/dashboards/generate.ts`);
  else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = check && stale ? 1 : 0;
