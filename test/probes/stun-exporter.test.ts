/**
 * Teams UDP end to end: a running exporter probes coturn and a lossy, slow responder over
 * STUN, and /metrics carries loss, reachability, RTT histogram, counters and the mapped address.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessExporter, type InProcessExporter } from '../helpers/in-process-exporter.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { poll } from '../helpers/process.js';
import { startStunResponder, type StunResponder } from '../helpers/stun-responder.js';

describe('Teams UDP relay metrics from a running exporter', () => {
  let coturn: Coturn | undefined;
  let lossy: StunResponder | undefined;
  let running: InProcessExporter | undefined;
  let base: string;
  let tmp: string;

  beforeAll(async () => {
    coturn = await startCoturn();
    lossy = await startStunResponder({ drop: (i) => i % 2 === 1, delayMs: 30 });
    tmp = mkdtempSync(join(tmpdir(), 'o365-stun-exporter-'));
    writeFileSync(
      join(tmp, 'config.yml'),
      `defaults: {interval: 1h, timeout: 5s}
targets:
  - {name: teams-relay, stun: "127.0.0.1:${coturn.port}", service: Teams, category: Optimize}
  - {name: lossy-relay, stun: "127.0.0.1:${lossy.port}", service: Teams, category: Optimize}
`,
    );
    running = await startInProcessExporter(join(tmp, 'config.yml'));
    base = running.base;
  });

  afterAll(async () => {
    await running?.stop();
    await Promise.all([coturn?.stop(), lossy?.close()]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('coturn: reachable, no loss, mapped 127.0.0.1; lossy responder: half lost, every RTT above the delay', async () => {
    const series = await poll('both relays probed', async () => {
      const parsed = parseExposition(await (await fetch(`${base}/metrics`)).text());
      const done = ['teams-relay', 'lossy-relay'].every((target) => valueOf(parsed, 'o365_udp_reachable', { target }) !== undefined);
      return done ? parsed : undefined;
    });
    const relay = { target: 'teams-relay', service: 'Teams', category: 'Optimize', path: 'direct' };
    expect(valueOf(series, 'o365_probe_success', relay)).toBe(1);
    expect(valueOf(series, 'o365_udp_reachable', relay)).toBe(1);
    expect(valueOf(series, 'o365_udp_loss_ratio', relay)).toBe(0);
    expect(valueOf(series, 'o365_udp_requests_total', relay)).toBe(10);
    expect(valueOf(series, 'o365_udp_responses_total', relay)).toBe(10);
    expect(valueOf(series, 'o365_udp_rtt_seconds_count', relay)).toBe(10);
    expect(valueOf(series, 'o365_udp_mapped_address_info', { ...relay, mapped_address: '127.0.0.1' })).toBe(1);
    expect(valueOf(series, 'o365_udp_jitter_seconds', relay)).toBeGreaterThanOrEqual(0);
    expect(valueOf(series, 'o365_probe_phase_seconds', { ...relay, phase: 'udp' })).toBeGreaterThan(0);

    const lossyLabels = { target: 'lossy-relay' };
    expect(valueOf(series, 'o365_udp_loss_ratio', lossyLabels)).toBe(0.5);
    expect(valueOf(series, 'o365_udp_reachable', lossyLabels)).toBe(1);
    expect(valueOf(series, 'o365_udp_requests_total', lossyLabels)).toBe(10);
    expect(valueOf(series, 'o365_udp_responses_total', lossyLabels)).toBe(5);
    expect(valueOf(series, 'o365_udp_rtt_seconds_count', lossyLabels)).toBe(5);
    // Answers held back 30 ms: none can land in a bucket below that.
    expect(valueOf(series, 'o365_udp_rtt_seconds_bucket', { ...lossyLabels, le: '0.025' })).toBe(0);
    expect(valueOf(series, 'o365_probe_phase_seconds', { ...lossyLabels, phase: 'udp' })).toBeGreaterThanOrEqual(0.03);
  });
});
