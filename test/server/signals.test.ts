/**
 * Signals on the real process (built dist/): SIGHUP reloads the config file (a bad one is
 * refused and the old targets keep running), SIGTERM stops it with exit code 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { poll, startExporter, type ExporterProcess } from '../helpers/process.js';
import { refusedPort, startSilentServer } from '../helpers/servers.js';

let exporter: ExporterProcess | undefined;
let port = 0;
const config = (names: string[]) => `defaults: {interval: 1s, timeout: 1s}\ntargets:\n${names.map((n) => `  - {name: ${n}, tcp: "127.0.0.1:${port}"}\n`).join('')}`;

beforeAll(async () => {
  port = await refusedPort();
  exporter = await startExporter(config(['first', 'second']));
});
afterAll(async () => {
  await exporter?.stop('SIGKILL');
});

async function scrape() {
  return parseExposition(await (await fetch(`${exporter?.baseUrl}/metrics`)).text());
}
const targetsIn = (series: ReturnType<typeof parseExposition>) => [...new Set(select(series, 'o365_probe_success').map((s) => s.labels.target))].sort();

describe('signals', () => {
  it('SIGHUP reloads: new targets appear, removed ones disappear', async () => {
    expect(targetsIn(await scrape())).toEqual(['first', 'second']);
    exporter?.writeConfig(config(['first', 'third']));
    exporter?.child.kill('SIGHUP');
    const series = await poll('third probed and second gone', async () => {
      const s = await scrape();
      return targetsIn(s).join() === 'first,third' ? s : undefined;
    });
    expect(select(series, 'o365_probes_total', { target: 'second' })).toEqual([]);
    expect(valueOf(series, 'o365_exporter_config_last_reload_successful')).toBe(1);
    expect(exporter?.stderr()).toMatch(/msg="config reloaded"/);
  });

  it('SIGHUP with an invalid file keeps the running config and says why', async () => {
    exporter?.writeConfig('defaults: {interval: 1s, timeout: 1s}\ntargets:\n  - {name: broken, tcp: "127.0.0.1:0"}\n');
    exporter?.child.kill('SIGHUP');
    await poll('reload failure logged', () => (exporter?.stderr().includes('config reload failed') ? true : undefined));
    expect(exporter?.stderr()).toContain('targets[0].tcp: port 0 out of range 1-65535');
    const series = await scrape();
    expect(valueOf(series, 'o365_exporter_config_last_reload_successful')).toBe(0);
    expect(targetsIn(series)).toEqual(['first', 'third']);
    expect(exporter?.child.exitCode).toBeNull();
  });

  it('SIGTERM stops it cleanly with exit code 0', async () => {
    const status = await exporter?.stop('SIGTERM', 10_000);
    expect(status).toEqual({ code: 0, signal: null });
    expect(exporter?.stderr()).toContain('msg="shutting down" signal=SIGTERM');
  });
});

describe('SIGTERM with a probe in flight', () => {
  it('aborts the hung probe and exits 0, long before the probe timeout', async () => {
    const silent = await startSilentServer('https');
    const hung = await startExporter(`defaults: {interval: 1m, timeout: 1m}\ntargets:\n  - {name: hung, url: "https://127.0.0.1:${silent.port}/"}\n`, { waitReady: false });
    try {
      await poll('the probe connected', () => (silent.connections() > 0 ? true : undefined));
      expect((await fetch(`${hung.baseUrl}/-/ready`)).status).toBe(503);
      // The stop helper sends SIGKILL after 10 s: an exit status 0 means the probe was aborted.
      expect(await hung.stop('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    } finally {
      await hung.stop('SIGKILL');
      await silent.close();
    }
  });
});
