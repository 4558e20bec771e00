/**
 * The built CLI as a process: `--config.check` exit codes and messages, and an invalid
 * config at start. Needs `npm run build` (dist/).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain, tempDir } from '../helpers/process.js';

const tmp = tempDir('o365-cli-test-');
afterAll(() => tmp.cleanup());

function configFile(name: string, yaml: string): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('--config.check', () => {
  it('exits 0 and says so for a valid file', async () => {
    const file = configFile('valid.yml', 'targets:\n  - {name: a, tcp: "127.0.0.1:1"}\n  - {name: b, dns: example.test}\n');
    const proc = runMain(['--config.check', `--config.file=${file}`]);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.stdout()).toBe(`config ${file} is valid: 2 targets, 2 scheduled (target x path)\n`);
  });

  it('exits 0 for the embedded default', async () => {
    const proc = runMain(['--config.check']);
    expect((await proc.exited).code).toBe(0);
    expect(proc.stdout()).toMatch(/^config <embedded default> is valid: \d+ targets/);
  });

  it('exits 1 with the error naming the file, line and path', async () => {
    const file = configFile('invalid.yml', 'defaults:\n  interval: 30s\ntargets:\n  - name: a\n    tcp: "127.0.0.1:70000"\n');
    const proc = runMain(['--config.check', `--config.file=${file}`]);
    expect((await proc.exited).code).toBe(1);
    expect(proc.stdout()).toBe(`invalid config ${file}:\n  ${file}:5: targets[0].tcp: port 70000 out of range 1-65535\n`);
  });

  it('exits 1 when the file does not exist', async () => {
    const file = join(tmp.dir, 'absent.yml');
    const proc = runMain(['--config.check', `--config.file=${file}`]);
    expect((await proc.exited).code).toBe(1);
    expect(proc.stdout()).toContain(`invalid config ${file}:\n  cannot read file: ENOENT`);
  });
});

describe('starting with an invalid config', () => {
  it('exits 1 and logs the message, without listening', async () => {
    const file = configFile('start-invalid.yml', 'targets:\n  - {name: a, tcp: "h:1"}\n  - {name: a, tcp: "h:2"}\n');
    const proc = runMain([`--config.file=${file}`, '--web.listen-address=127.0.0.1:0']);
    const status = await proc.exited;
    expect(status.code).toBe(1);
    expect(proc.stderr()).toContain('msg="invalid config, not starting"');
    expect(proc.stderr()).toContain(`${file}:3: targets[1].name: duplicate target name \\"a\\" (also targets[0])`);
    expect(proc.stderr()).not.toContain('listening');
  });

  it('exits 2 with the usage on a bad flag', async () => {
    const proc = runMain(['--log.level=loud']);
    expect((await proc.exited).code).toBe(2);
    expect(proc.stderr()).toMatch(/--log\.level: "loud" is not one of[^]*Usage: o365-exporter/);
  });
});
