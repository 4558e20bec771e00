import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const RESULTS = new URL('../../bench/results/', import.meta.url);

describe('bench --render', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the report beside the JSON it reads, and leaves latest.* and the JSON alone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-render-'));
    const file = join(dir, 'run-x.json');
    copyFileSync(new URL('run-2026-12-03T1012.json', RESULTS), file);
    const before = readFileSync(file, 'utf8');
    await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', `--render=${file}`, `--out=${join(dir, 'out')}`], { cwd: new URL('../..', import.meta.url) });
    expect(readFileSync(join(dir, 'run-x.md'), 'utf8')).toContain('## Results of 2026-12-03T10:12');
    expect(readFileSync(join(dir, 'run-x.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(existsSync(join(dir, 'latest.md'))).toBe(false);
  }, 60_000);
});
