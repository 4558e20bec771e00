/**
 * The Dockerfile builds and runs: a base image made from the Node the Dockerfile's default base
 * ships (fetched by scripts/install-test-deps.sh; no container registry here),
 * `podman build` with BASE_IMAGE pointing at it, then the container scraped over loopback
 * (host network) while it probes a peer this test starts. Fails, never skips, without podman.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageNodeVersion } from '../../bench/lib/image-node.js';
import { SANDBOX_FLAGS, importRootfs, makeNodeRootfs, podman, podmanOk, requirePodman } from '../helpers/podman.js';
import { refusedPort, startHttpServer, type TestServer } from '../helpers/servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const BASE = `localhost/o365-base:test-${RUN}`;
const IMAGE = `localhost/o365-exporter:test-${RUN}`;
const CONTAINER = `o365-exporter-test-${RUN}`;
const UID = 65532;
const RUN_FLAGS = [...SANDBOX_FLAGS, '--read-only'];

let tmp: string;
let peer: TestServer;
let port: number;
let baseSize = 0;
let imageSize = 0;

async function inspect(format: string, what = IMAGE, kind: 'image' | 'container' = 'image'): Promise<string> {
  return (await podmanOk([kind, 'inspect', '--format', format, what])).trim();
}

/** `node -e script` inside the running container; returns exit code and output. */
function execNode(script: string) {
  return podman(['exec', CONTAINER, 'node', '-e', script]);
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const state = await podman(['inspect', '--format', '{{.State.Status}} exit={{.State.ExitCode}} {{.State.Error}}', CONTAINER]);
  const logs = await podman(['logs', '--tail', '40', CONTAINER]);
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\ncontainer: ${state.stdout.trim()}\n${logs.stdout}${logs.stderr}`);
}

describe('Dockerfile (podman)', () => {
  beforeAll(async () => {
    requirePodman();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'o365-docker-'));
    peer = await startHttpServer({ body: 'ok' });
    const rootfs = path.join(tmp, 'rootfs');
    fs.mkdirSync(rootfs);
    await importRootfs(rootfs, BASE, makeNodeRootfs(rootfs));
    fs.rmSync(rootfs, { recursive: true, force: true });
    // The machine's npm cache as an overlay (:O): the build reads it, its writes are thrown away.
    const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
    const cacheMount = fs.existsSync(npmCache) ? ['-v', `${npmCache}:/root/.npm:O`] : [];
    await podmanOk(['build', '--layers=false', '--pull=never', ...SANDBOX_FLAGS, ...cacheMount, '--build-arg', `BASE_IMAGE=${BASE}`, '--build-arg', 'REVISION=test', '-t', IMAGE, ROOT], 900_000);
    baseSize = Number(await inspect('{{.Size}}', BASE));
    imageSize = Number(await inspect('{{.Size}}'));
    console.log(`image ${IMAGE}: ${(imageSize / 1e6).toFixed(1)} MB, of which base ${(baseSize / 1e6).toFixed(1)} MB, app ${((imageSize - baseSize) / 1e6).toFixed(1)} MB`);

    const config = path.join(tmp, 'config');
    const data = path.join(tmp, 'data');
    fs.mkdirSync(config);
    fs.mkdirSync(data);
    fs.chownSync(data, UID, UID);
    fs.writeFileSync(
      path.join(config, 'config.yml'),
      `labels: {site: podman}\ndefaults: {interval: 1s, timeout: 2s}\ntargets:\n  - {name: host-peer, url: "${peer.url('/').href}", service: Common}\n`,
    );
    fs.writeFileSync(path.join(config, 'bad.yml'), 'targets:\n  - {name: x, url: "ftp://nope"}\n');
    port = await refusedPort();
    await podmanOk(['run', '-d', '--name', CONTAINER, ...RUN_FLAGS, '-v', `${data}:/data`, '-v', `${config}:/etc/o365-exporter:ro`, IMAGE, '--config.file=/etc/o365-exporter/config.yml', `--web.listen-address=127.0.0.1:${port}`]);
  }, 1_200_000);

  afterAll(async () => {
    await podman(['rm', '-f', '-t', '0', CONTAINER]);
    await podman(['rmi', '-f', IMAGE, BASE]);
    await peer?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('serves /metrics from the container, with the probe of a peer on the host', async () => {
    const metrics = await poll('a successful probe in /metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^o365_probe_success\{[^}]*target="host-peer"[^}]*site="podman"[^}]*\} 1$/m.test(text) ? text : undefined;
    }, 50_000);
    expect(metrics).toMatch(/^o365_exporter_config_last_reload_successful\{site="podman"\} 1$/m);
    expect(peer.connections()).toBeGreaterThan(0);
    expect(await (await fetch(`http://127.0.0.1:${port}/-/ready`)).text()).toMatch(/ready/i);
    expect((await fetch(`http://127.0.0.1:${port}/-/healthy`)).status).toBe(200);
  }, 70_000);

  it('runs on the Node version of the default base image, not the machine\'s', async () => {
    expect(await execNode('process.stdout.write(process.version)')).toMatchObject({ code: 0, stdout: `v${imageNodeVersion()}` });
  });

  it('runs as the non-root numeric user 65532', async () => {
    expect(await inspect('{{.Config.User}}')).toBe(`${UID}:${UID}`);
    const ids = await execNode('process.stdout.write(`${process.getuid()}:${process.getgid()}`)');
    expect(ids).toMatchObject({ code: 0, stdout: `${UID}:${UID}` });
    expect(await podmanOk(['top', CONTAINER, 'huser'])).toMatch(new RegExp(`^${UID}$`, 'm'));
  });

  it('works on a read-only root filesystem with /data writable', async () => {
    const readOnly = await execNode("try { fs.writeFileSync('/app/x', 'x') } catch (e) { process.stdout.write(e.code) }");
    expect(readOnly.stdout).toMatch(/^(EROFS|EACCES)$/);
    const write = await execNode("fs.writeFileSync('/data/written-by-container', 'x')");
    expect(write.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'data', 'written-by-container'), 'utf8')).toBe('x');
  });

  it('gives a fresh anonymous /data volume to the non-root user', async () => {
    const result = await podman(['run', '--rm', ...RUN_FLAGS, '--entrypoint', 'node', IMAGE, '-e', "fs.writeFileSync('/data/x', 'x'); process.stdout.write(String(fs.statSync('/data').uid))"]);
    expect(result).toMatchObject({ code: 0, stdout: String(UID) });
  });

  it('has the OCI labels, EXPOSE 9365, the /data volume and the entrypoint', async () => {
    const labels = JSON.parse(await inspect('{{json .Config.Labels}}')) as Record<string, string>;
    expect(labels).toMatchObject({ 'org.opencontainers.image.title': 'o365-exporter', 'org.opencontainers.image.licenses': 'Apache-2.0', 'org.opencontainers.image.revision': 'test' });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(labels['org.opencontainers.image.version']).toBe(pkg.version);
    expect(Object.keys(JSON.parse(await inspect('{{json .Config.ExposedPorts}}')) as object)).toEqual(['9365/tcp']);
    expect(Object.keys(JSON.parse(await inspect('{{json .Config.Volumes}}')) as object)).toEqual(['/data']);
    expect(JSON.parse(await inspect('{{json .Config.Entrypoint}}'))).toEqual(['node', '/app/dist/src/main.js', '--storage.path=/data']);
  });

  it('ships compiled JS and production dependencies only', async () => {
    const listing = await execNode(
      "const nm = '/app/node_modules'; const mods = fs.readdirSync(nm).flatMap((d) => d.startsWith('@') ? fs.readdirSync(nm + '/' + d).map((s) => d + '/' + s) : [d]);" +
        "process.stdout.write(JSON.stringify({ app: fs.readdirSync('/app').sort(), mods }))",
    );
    const { app, mods } = JSON.parse(listing.stdout) as { app: string[]; mods: string[] };
    expect(app).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: object; devDependencies: object };
    for (const dep of Object.keys(pkg.dependencies)) expect(mods).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies)) expect(mods).not.toContain(dev);
    // Dev dependencies (typescript, eslint, vitest, helm, a browser driver) would add >100 MB.
    expect(imageSize - baseSize).toBeLessThan(60e6);
    expect(imageSize - baseSize).toBeGreaterThan(1e6);
  });

  it('rejects a bad config with --config.check, naming the problem', async () => {
    const result = await podman(['run', '--rm', ...RUN_FLAGS, '-v', `${path.join(tmp, 'config')}:/etc/o365-exporter:ro`, IMAGE, '--config.check', '--config.file=/etc/o365-exporter/bad.yml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad\.yml/);
    expect(result.stdout).toMatch(/http:\/\/ or https:\/\//);
  });

  it('stops cleanly on SIGTERM as PID 1 (exit code 0)', async () => {
    await podmanOk(['stop', '-t', '20', CONTAINER], 60_000);
    expect(await inspect('{{.State.ExitCode}}', CONTAINER, 'container')).toBe('0');
  });
});
