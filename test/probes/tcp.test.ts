import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../src/probes/index.js';
import type { TcpTargetSpec } from '../../src/probes/target.js';
import { connectTcp, tcpProbe } from '../../src/probes/tcp.js';
import type { TestServer } from '../helpers/servers.js';
import { context, openNetworkHandles, probeOptions, refusedPort, settleHandles, startHttpServer } from '../helpers/servers.js';
import { startStunResponder } from '../helpers/stun-responder.js';

function tcpTarget(port: number, host = '127.0.0.1'): { name: string; spec: TcpTargetSpec } {
  return { name: 'tcp', spec: { kind: 'tcp', host, port } };
}

describe('tcp probe', () => {
  let server: TestServer;
  let baseline: number;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    server = await startHttpServer();
  });

  afterAll(async () => {
    await server.close();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  it('connects and reports the connect phase and the address', async () => {
    const result = await tcpProbe(tcpTarget(server.port), probeOptions(), context());
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    expect(result.address).toBe('127.0.0.1');
    expect(result.phases.connect).toBeGreaterThan(0);
    // An IP literal needs no query: the dns phase is absent, never 0.
    expect(result.phases).not.toHaveProperty('dns');
    expect(result.durationSeconds).toBeGreaterThanOrEqual(result.phases.connect ?? 0);
    expect(result.startedAt).toBeLessThanOrEqual(Date.now());
  });

  it('reports connect_refused on a closed port, without a connect phase', async () => {
    const result = await tcpProbe(tcpTarget(await refusedPort()), probeOptions(), context());
    expect(result.success).toBe(false);
    expect(result.failure).toMatchObject({ phase: 'connect', reason: 'connect_refused' });
    expect(result.phases).not.toHaveProperty('connect');
    expect(result.address).toBe('127.0.0.1');
  });

  it('reports aborted when the context signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await tcpProbe(tcpTarget(server.port), probeOptions(), context(controller.signal));
    expect(result.failure?.reason).toBe('aborted');
  });

  it('connectTcp hands back a connected socket and its connect time', async () => {
    const { socket, seconds } = await connectTcp('127.0.0.1', server.port, new AbortController().signal, 5);
    try {
      expect(seconds).toBeGreaterThan(0);
      expect(socket.remotePort).toBe(server.port);
    } finally {
      socket.destroy();
    }
  });

  it('connectTcp rejects with a ProbeError of the connect phase', async () => {
    const port = await refusedPort();
    await expect(connectTcp('127.0.0.1', port, new AbortController().signal)).rejects.toMatchObject({
      name: 'ProbeError',
      phase: 'connect',
      reason: 'connect_refused',
    });
  });

  it('runProbe dispatches tcp, and stun to the STUN probe', async () => {
    const tcp = await runProbe(tcpTarget(server.port), probeOptions(), context());
    expect(tcp.success).toBe(true);
    const responder = await startStunResponder();
    try {
      const options = { ...probeOptions(), stun: { count: 2, spacingSeconds: 0.01 } };
      const stun = await runProbe({ name: 'stun', spec: { kind: 'stun', host: '127.0.0.1', port: responder.port } }, options, context());
      expect(stun.failure).toBeUndefined();
      expect(stun.udp).toMatchObject({ sent: 2, received: 2, mappedAddress: '127.0.0.1' });
    } finally {
      await responder.close();
    }
  });
});
