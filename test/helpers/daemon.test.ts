import { writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from './daemon.js';
import { onFreePort, PortTakenError } from './ports.js';
import { tempDir } from './process.js';

/** A real Prometheus with an empty config on `port`, as the helpers start it. */
function prometheusOn(port: number) {
  const tmp = tempDir('o365-daemon-test-');
  writeFileSync(join(tmp.dir, 'prometheus.yml'), 'scrape_configs: []\n');
  return startDaemon({
    name: 'prometheus',
    command: 'prometheus',
    args: [`--config.file=${join(tmp.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(tmp.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    cwd: tmp.dir,
    cleanup: tmp.cleanup,
    readyUrl: `http://127.0.0.1:${port}/-/ready`,
    readyTimeoutMs: 60_000,
  });
}

describe('a daemon whose port another process holds', () => {
  // It answers nothing: the ready poll's connections to it are closed at once.
  const squatter = net.createServer((socket) => socket.destroy());
  let taken = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  });

  it('fails as it exits, with its own reason, not at the ready timeout', async () => {
    const thrown = await prometheusOn(taken).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(PortTakenError);
    const error = String(thrown);
    expect(error).toContain('exited (code 1');
    expect(error).toContain('address already in use');
    expect(error).not.toContain('did not answer 200');
  });

  it('onFreePort starts it again on another port', async () => {
    const ports: number[] = [];
    const daemon = await onFreePort((port) => (ports.push(port), prometheusOn(port)), { firstPort: taken });
    try {
      expect(ports[0]).toBe(taken);
      expect(ports).toHaveLength(2);
      const res = await fetch(`http://127.0.0.1:${ports[1]}/-/ready`);
      expect(res.status).toBe(200);
    } finally {
      await daemon.stop();
    }
  });
});
