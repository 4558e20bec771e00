/**
 * Writes the generated reference docs (docs/configuration.md, docs/config.schema.json,
 * docs/metrics.md) from the schema and catalogue the exporter itself uses.
 * `--check` writes nothing and exits 1 when a file is out of date.  Run: npm run docs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs, undocumented } from '../src/docs/generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let problems = 0;
for (const [relative, content] of Object.entries(generatedDocs())) {
  const file = join(root, relative);
  if (readOrUndefined(file) === content) continue;
  if (check) {
    problems++;
    process.stderr.write(`${relative} is out of date: run npm run docs\n`);
  } else {
    writeFileSync(file, content);
    process.stdout.write(`wrote ${relative}\n`);
  }
}
for (const line of undocumented()) {
  problems++;
  process.stderr.write(`${line}\n`);
}
process.exitCode = problems ? 1 : 0;

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
