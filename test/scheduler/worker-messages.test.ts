import { describe, expect, it } from 'vitest';
import type { ProbeOptions, ProbeTarget } from '../../src/probes/target.js';
import { isTimeoutAbort } from '../../src/probes/errors.js';
import { abortMessage, abortReason, optionsOf, runMessage, targetOf } from '../../src/scheduler/worker-messages.js';

const options: ProbeOptions = {
  timeoutSeconds: 7,
  ipVersion: 'ipv6',
  resolvers: [{ host: '10.0.0.53', port: 5353 }],
  tls: { ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n', insecureSkipVerify: true, serverName: 'outlook.office365.com' },
  http: { maxBodyBytes: 1024, maxHeaderBytes: 2048 },
  proxy: { name: 'corp', url: new URL('http://user:pw@proxy.example:3128') },
  stun: { count: 5, spacingSeconds: 0.02 },
};

/** Through structured clone, as postMessage sends it. */
const overTheWire = <T>(value: T): T => structuredClone(value);

describe('worker messages', () => {
  it('an http target and its options arrive whole, URLs as URLs', () => {
    const target: ProbeTarget = { name: 'exchange', spec: { kind: 'http', url: new URL('https://outlook.office365.com/owa/?x=1'), method: 'HEAD', validStatusCodes: [200, 401], headers: { 'x-a': 'b' } } };
    const message = overTheWire(runMessage(3, target, options));
    expect(message.id).toBe(3);
    const back = targetOf(message);
    expect(back.spec.kind === 'http' && back.spec.url).toBeInstanceOf(URL);
    expect(back).toEqual(target);
    const backOptions = optionsOf(message);
    expect(backOptions.proxy?.url).toBeInstanceOf(URL);
    expect(backOptions).toEqual(options);
  });

  it('tcp, dns and stun targets arrive whole; absent proxy and stun stay absent', () => {
    const plain: ProbeOptions = { ...options, proxy: undefined, stun: undefined };
    delete plain.proxy;
    delete plain.stun;
    for (const spec of [
      { kind: 'tcp', host: 'a.example', port: 443 },
      { kind: 'dns', host: 'b.example' },
      { kind: 'stun', host: '13.107.64.2', port: 3478 },
    ] as const) {
      const message = overTheWire(runMessage(1, { name: spec.kind, spec }, plain));
      expect(targetOf(message)).toEqual({ name: spec.kind, spec });
      const back = optionsOf(message);
      expect(back).toEqual(plain);
      expect('proxy' in back || 'stun' in back).toBe(false);
    }
  });

  it('an abort reason keeps its name (probes tell a timeout by it) and message', () => {
    const timeout = abortReason(overTheWire(abortMessage(4, new DOMException('probe deadline reached', 'TimeoutError'))));
    expect(timeout).toBeInstanceOf(Error);
    expect([timeout.name, timeout.message]).toEqual(['TimeoutError', 'probe deadline reached']);
    expect(isTimeoutAbort(AbortSignal.abort(timeout))).toBe(true);
    const plain = abortReason(overTheWire(abortMessage(4, new Error('client went away'))));
    expect(isTimeoutAbort(AbortSignal.abort(plain))).toBe(false);
    expect(plain.message).toBe('client went away');
    expect(abortReason(overTheWire(abortMessage(4, 'stop'))).message).toBe('stop');
  });

  it('carries nothing but the probe fields (a scheduled target has more on it)', () => {
    const extra = { ...options, source: 'config', observe: () => undefined } as unknown as ProbeOptions;
    expect(() => overTheWire(runMessage(1, { name: 't', spec: { kind: 'tcp', host: 'h', port: 1 } }, extra))).not.toThrow();
  });
});
