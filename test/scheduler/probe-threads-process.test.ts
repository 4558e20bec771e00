/**
 * The built exporter (dist/, where the thread's module is compiled JS) with probe threads:
 * scheduled and /probe probes run and succeed, a reload changes the thread count both ways,
 * and SIGTERM still ends the process at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { poll, startExporter, type ExporterProcess } from '../helpers/process.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

let server: TestServer;
let exporter: ExporterProcess | undefined;
const config = (threads: number) =>
  `defaults: {interval: 1s, timeout: 2s}\nscheduler: {probe_threads: ${threads}}\nprobe: {allowed_targets: ["127.0.0.1"]}\ntargets:\n  - {name: web, url: "${server.url('/')}"}\n  - {name: port, tcp: "127.0.0.1:${server.port}"}\n`;

beforeAll(async () => {
  server = await startHttpServer({ body: 'ok' });
  exporter = await startExporter(config(2));
});
afterAll(async () => {
  await exporter?.stop('SIGKILL');
  await server.close();
});

async function scrape() {
  return parseExposition(await (await fetch(`${exporter?.baseUrl}/metrics`)).text());
}

const probesOf = (series: ReturnType<typeof parseExposition>) => select(series, 'o365_probes_total').reduce((n, s) => n + s.value, 0);

describe('probe threads in the running exporter', () => {
  it('scheduled probes run on the threads and succeed; each thread reports its event loop', async () => {
    const series = await poll('both targets probed and both threads reporting', async () => {
      const s = await scrape();
      const ok = select(s, 'o365_probe_success').filter((x) => x.value === 1).length >= 2;
      return ok && select(s, 'o365_exporter_probe_thread_eventloop_lag_p99_seconds').length === 2 ? s : undefined;
    });
    expect(valueOf(series, 'o365_exporter_probe_threads')).toBe(2);
    expect(valueOf(series, 'o365_exporter_probe_thread_restarts_total')).toBe(0);
    expect(select(series, 'o365_exporter_probe_thread_eventloop_lag_p99_seconds').map((s) => s.labels.thread).sort()).toEqual(['0', '1']);
  });

  it('/probe answers with threads on', async () => {
    const res = await fetch(`${exporter?.baseUrl}/probe?module=http&target=${encodeURIComponent(server.url('/').href)}`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toMatch(/^probe_success 1$/m);
    expect(body).toMatch(/^probe_http_status_code 200$/m);
  });

  it('a reload changes the thread count; probing goes on at 0 (main thread) and back at 3', async () => {
    for (const threads of [0, 3]) {
      exporter?.writeConfig(config(threads));
      exporter?.child.kill('SIGHUP');
      const before = probesOf(await poll(`${threads} threads`, async () => {
        const s = await scrape();
        return valueOf(s, 'o365_exporter_probe_threads') === threads ? s : undefined;
      }));
      const after = await poll('more probes', async () => {
        const s = await scrape();
        return probesOf(s) >= before + 4 ? s : undefined;
      });
      expect(select(after, 'o365_probe_success').every((s) => s.value === 1)).toBe(true);
    }
    expect(exporter?.stderr()).not.toMatch(/level=error/);
  });

  it('SIGTERM ends the process with its threads, exit code 0', async () => {
    // Past the grace the helper sends SIGKILL, and the status would say so.
    const status = await exporter?.stop('SIGTERM', 5000);
    expect(status).toEqual({ code: 0, signal: null });
    exporter = undefined;
  });
});
