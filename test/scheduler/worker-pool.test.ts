/**
 * The probe worker pool with real probes against servers on loopback: results come back
 * whole, aborts reach the thread, a dying thread fails only its own probes and is replaced,
 * and probes on a thread are not timed across work that holds the main thread.
 */
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/probes/index.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { ProbeTarget } from '../../src/probes/target.js';
import { WorkerPool } from '../../src/scheduler/worker-pool.js';
import { silentLogger } from '../../src/util/log.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll } from '../helpers/process.js';
import { context, httpTarget, probeOptions, startDnsServer, startHttpsServer, startSilentServer, type TestServer } from '../helpers/servers.js';

const tcp = (port: number): ProbeTarget => ({ name: 'tcp', spec: { kind: 'tcp', host: '127.0.0.1', port } });

/** Holds this thread (not the pool's threads) for `ms`, as rendering a big /metrics does. */
function holdMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A plain HTTP server in a child process, answering every request after `delayMs`. */
function spawnSlowServer(delayMs: number): { port: Promise<number>; stop(): Promise<void> } {
  const code = `require('http').createServer((q, s) => setTimeout(() => s.end('x'), ${delayMs})).listen(0, '127.0.0.1', function () { console.log(this.address().port); })`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`slow server exited (${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { port, stop: () => (child.kill(), exited) };
}

/** The pool's threads, for tests that must kill one the way a crash would. */
function threadsOf(pool: WorkerPool): { worker: { terminate(): Promise<number> }; tasks: Map<number, unknown> }[] {
  return (pool as unknown as { threads: { worker: { terminate(): Promise<number> }; tasks: Map<number, unknown> }[] }).threads;
}

describe('worker pool', () => {
  let pki: Pki;
  let https: TestServer;
  let silent: TestServer;
  let pool: WorkerPool | undefined;

  beforeAll(async () => {
    pki = makePki();
    https = await startHttpsServer(pki.valid, { body: 'hello' });
    silent = await startSilentServer();
  });

  afterAll(async () => {
    await https.close();
    await silent.close();
    pki.cleanup();
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('runs an https probe on a thread and returns the whole result', async () => {
    pool = new WorkerPool(2, silentLogger);
    expect(pool.size).toBe(2);
    const pending = pool.run(httpTarget(https.url('/x')), probeOptions({ tls: { ca: pki.ca.cert, serverName: 'localhost' } }), context());
    expect(threadsOf(pool).map((t) => t.tasks.size).sort()).toEqual([0, 1]); // it went to a thread
    const result = await pending;
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    expect(Object.keys(result.phases)).toEqual(expect.arrayContaining(['connect', 'tls', 'first_byte']));
    expect(result.tls).toMatchObject({ version: 'TLSv1.3', authorized: true });
    expect(result.http).toMatchObject({ statusCode: 200 });
    expect(result.address).toBe('127.0.0.1');
  });

  it('times a probe on its thread while the main thread is held; on the main thread the hold is in the figure', async () => {
    // The server answers 100 ms after the request, from its own process (this thread will be held).
    const server = spawnSlowServer(100);
    try {
      const port = await server.port;
      const target = httpTarget(new URL(`http://127.0.0.1:${port}/`));
      pool = new WorkerPool(1, silentLogger);
      await pool.run(target, probeOptions(), context()); // the thread is up and has loaded the probes
      const probeWhileHeld = async (run: typeof runProbe): Promise<ProbeResult> => {
        const pending = run(target, probeOptions(), context());
        await new Promise((resolve) => setTimeout(resolve, 30)); // the request is out, its answer due in ~70 ms
        holdMainThread(400);
        return pending;
      };
      const onThread = await probeWhileHeld(pool.run);
      const onMain = await probeWhileHeld(runProbe);
      expect(onThread.success && onMain.success).toBe(true);
      expect(onMain.phases.first_byte).toBeGreaterThan(0.3);
      expect(onThread.phases.first_byte).toBeLessThan(0.3);
    } finally {
      await server.stop();
    }
  });

  it('an abort reaches the thread: the probe ends at once as aborted', async () => {
    pool = new WorkerPool(1, silentLogger);
    const controller = new AbortController();
    const started = Date.now();
    const pending = pool.run(httpTarget(silent.url()), probeOptions({ timeoutSeconds: 10 }), context(controller.signal));
    setTimeout(() => controller.abort(new Error('scrape went away')), 100);
    const result = await pending;
    expect(result.success).toBe(false);
    expect(result.failure?.reason).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a probe whose signal is already aborted comes back aborted', async () => {
    pool = new WorkerPool(1, silentLogger);
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    const result = await pool.run(httpTarget(silent.url()), probeOptions({ timeoutSeconds: 10 }), context(controller.signal));
    expect(result.failure?.reason).toBe('aborted');
  });

  it('a thread that dies fails only its own probes (internal_error), is replaced, and the others go on', async () => {
    let restarts = 0;
    pool = new WorkerPool(2, silentLogger, { threadRestarted: () => restarts++ });
    const hung = [0, 1].map(() => pool!.run(httpTarget(silent.url()), probeOptions({ timeoutSeconds: 2 }), context()));
    await poll('both threads busy', () => threadsOf(pool!).every((t) => t.tasks.size === 1) || undefined);
    const [victim, survivor] = threadsOf(pool);
    await victim!.worker.terminate();
    const first = await Promise.race(hung);
    expect(first.failure).toMatchObject({ reason: 'internal_error', phase: 'dns' });
    expect(first.failure?.message).toMatch(/probe thread \d exited/);
    expect(survivor!.tasks.size).toBe(1); // the other thread's probe still runs
    expect(restarts).toBe(1);
    // Until the replacement starts, probes go to the live thread; then there are two again.
    expect((await pool.run(tcp(https.port), probeOptions(), context())).success).toBe(true);
    await poll('thread replaced', () => (pool!.size === 2 ? true : undefined), 5000);
    const last = await Promise.all(hung);
    expect(last.map((r) => r.failure?.reason).sort()).toEqual(['internal_error', 'tls_timeout']);
  });

  it('with every thread gone, probes run on the main thread rather than not at all', async () => {
    pool = new WorkerPool(1, silentLogger);
    await threadsOf(pool)[0]!.worker.terminate();
    await poll('thread gone', () => (pool!.size === 0 ? true : undefined));
    const result = await pool.run(tcp(https.port), probeOptions(), context());
    expect(result.success).toBe(true);
  });

  it('resizes: grows at once, shrinks once the leaving threads finish their probes', async () => {
    pool = new WorkerPool(1, silentLogger);
    await pool.resize(3);
    expect(pool.size).toBe(3);
    const hung = pool.run(httpTarget(silent.url()), probeOptions({ timeoutSeconds: 1 }), context());
    pool.resize(0);
    expect(pool.size).toBe(0);
    // The idle ones leave; the busy one stays until its probe ends.
    await poll('idle threads left', () => (threadsOf(pool!).length === 1 ? true : undefined));
    expect((await hung).failure?.reason).toBe('tls_timeout');
    await poll('busy thread left', () => (threadsOf(pool!).length === 0 ? true : undefined));
  });

  it('reports each thread\'s event-loop delay', async () => {
    pool = new WorkerPool(2, silentLogger);
    const lag = await poll('lag reports', () => (pool!.lag().size === 2 ? pool!.lag() : undefined), 8000, 200);
    expect([...lag.keys()].sort()).toEqual([0, 1]);
    for (const figures of lag.values()) {
      // The 10 ms sampling interval is counted in, as prom-client's figures are.
      expect(figures.p50).toBeGreaterThanOrEqual(0.009);
      expect(figures.max).toBeGreaterThanOrEqual(figures.p99);
    }
  });

  it('a dns probe through a thread uses the resolvers it was given', async () => {
    const dns = await startDnsServer({ 'outlook.office365.com': '127.0.0.1' });
    try {
      pool = new WorkerPool(1, silentLogger);
      const options = { ...probeOptions(), resolvers: [{ host: '127.0.0.1', port: dns.port }] };
      const result = await pool.run({ name: 'dns', spec: { kind: 'dns', host: 'outlook.office365.com' } }, options, context());
      expect(result.success).toBe(true);
      expect(result.dns?.addresses).toEqual(['127.0.0.1']);
      expect(dns.connections()).toBe(1);
    } finally {
      await dns.close();
    }
  });
});
