/**
 * What the exporter reads out of HTTP heads from the network: a proxy's answer to CONNECT
 * (scanHead, parseStatusLine, and readProxyAnswer on a real socket fed in random pieces)
 * and the front door headers and CNAMEs (X-FEServer, X-CalculatedFETarget, X-MSEdge-Ref,
 * *-efz.ms-acdc names). Never a throw; a status is 100-599; a site code stays a short
 * upper-case label whatever a middlebox sends.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cnameIata, edgeCode, exchangeSiteCode, frontDoors } from '../../src/diagnostics/frontdoor.js';
import { parseStatusLine, readProxyAnswer, scanHead } from '../../src/probes/proxy.js';
import { isProbeError, type ProbeResult } from '../../src/probes/result.js';

const RUNS = { numRuns: 2000, interruptAfterTimeLimit: 10_000 };

const token = fc.stringMatching(/^[!-~]{0,20}$/);
const crlf = fc.constantFrom('\r\n', '\n', '\r', '');
const statusLine = fc.tuple(fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/1.x', 'http/1.1', 'HTTP', ''), fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), token), fc.string({ maxLength: 30 })).map(([v, code, reason]) => `${v} ${code} ${reason}`);
const headerLine = fc.tuple(token, fc.string({ maxLength: 60 })).map(([k, v]) => `${k}: ${v}`);
/** A head as a proxy might send it, right or wrong, then maybe tunnel bytes. */
const head = fc.tuple(statusLine, fc.array(fc.tuple(headerLine, crlf), { maxLength: 8 }), crlf, crlf, fc.uint8Array({ maxLength: 40 })).map(([line, headers, end1, end2, rest]) =>
  Buffer.concat([Buffer.from(`${line}\r\n${headers.map(([h, e]) => h + e).join('')}${end1}${end2}`, 'latin1'), Buffer.from(rest)]),
);
const anyBytes = fc.oneof(head, fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)));

describe('proxy CONNECT answers', () => {
  it('scanHead: wait, a status 100-599 with a head inside the bytes, or an error; never a throw', () => {
    fc.assert(
      fc.property(anyBytes, fc.integer({ min: 0, max: 400 }), (bytes, max) => {
        const scan = scanHead(bytes, max);
        if (scan === undefined) return;
        if ('error' in scan) return void expect(scan.error.length).toBeGreaterThan(0);
        expect(scan.statusCode).toBeGreaterThanOrEqual(100);
        expect(scan.statusCode).toBeLessThanOrEqual(599);
        expect(scan.headBytes).toBeLessThanOrEqual(bytes.length);
      }),
      RUNS,
    );
  });

  it('parseStatusLine: a number only for HTTP/1.x status lines', () => {
    fc.assert(
      fc.property(fc.oneof(statusLine, fc.string({ maxLength: 80 })), (line) => {
        const code = parseStatusLine(line);
        if (code !== undefined) expect(line).toMatch(new RegExp(`^HTTP/1\\.[01] ${code}`));
      }),
      RUNS,
    );
  });

  describe('readProxyAnswer on a real socket', () => {
    let server: net.Server | undefined;
    let script: { pieces: Buffer[] } = { pieces: [] };

    beforeAll(async () => {
      // Sends the scripted pieces one write at a time, then closes.
      server = net.createServer((socket) => {
        socket.on('error', () => {});
        const pieces = [...script.pieces];
        const next = (): void => {
          const piece = pieces.shift();
          if (!piece) return void socket.end();
          socket.write(piece, () => setImmediate(next));
        };
        next();
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    it('settles with an answer or a proxy_refused ProbeError for any bytes in any pieces', async () => {
      await fc.assert(
        fc.asyncProperty(anyBytes, fc.array(fc.nat(), { maxLength: 6 }), async (bytes, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          script = { pieces: [0, ...points].map((from, i) => bytes.subarray(from, [...points, bytes.length][i])).filter((p) => p.length > 0) };
          const port = (server?.address() as net.AddressInfo).port;
          const socket = net.connect({ host: '127.0.0.1', port });
          socket.on('error', () => {});
          try {
            const answer = await readProxyAnswer(socket, new AbortController().signal, 256);
            expect(answer.statusCode).toBeGreaterThanOrEqual(100);
          } catch (err) {
            if (!isProbeError(err)) throw err;
            expect(err.reason).toBe('proxy_refused');
          } finally {
            socket.destroy();
          }
        }),
        { numRuns: 150, interruptAfterTimeLimit: 10_000 },
      );
    });
  });
});

describe('front door headers and names', () => {
  const siteCode = (code: string | undefined): void => {
    if (code !== undefined) expect(code).toMatch(/^[A-Z]{2,8}$/);
  };

  it('site codes from any header value are short upper-case labels or nothing', () => {
    const serverName = fc.tuple(fc.stringMatching(/^[A-Za-z]{0,9}$/), fc.stringMatching(/^[0-9A-Za-z.]{0,20}$/)).map(([a, b]) => a + b);
    const msEdge = fc.tuple(fc.string({ maxLength: 30 }), fc.stringMatching(/^[A-Za-z0-9]{0,20}$/), fc.string({ maxLength: 30 })).map(([a, b, c]) => `Ref A: ${a} Ref B: ${b} Ref C: ${c}`);
    fc.assert(
      fc.property(fc.oneof(serverName, msEdge, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (value) => {
        siteCode(exchangeSiteCode(value));
        siteCode(edgeCode(value));
        const iata = cnameIata(value);
        if (iata !== undefined) expect(iata).toMatch(/^[A-Z]{3}$/);
      }),
      RUNS,
    );
  });

  it('frontDoors() of a result with hostile headers and CNAMEs never throws and stays small', () => {
    const headerValue = fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('AM0PR01CA0001', 'Ref A: x Ref B: LON21EDGE0112 Ref C: y', 'MWHPR1001CA0012.namprd.prod.outlook.com'));
    const headers = fc.dictionary(fc.constantFrom('x-feserver', 'x-calculatedfetarget', 'x-msedge-ref', 'x-beserver', '__proto__', 'constructor'), headerValue);
    const cnames = fc.array(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('lhr-efz.ms-acdc.office.com', 'xx.ms-acdc.office.com', 'outlook.ms-acdc.office.com')), { maxLength: 10 });
    fc.assert(
      fc.property(headers, cnames, (h, c) => {
        const result = { success: true, startedAt: 0, durationSeconds: 0.1, phases: {}, http: { headers: h }, dns: { cnames: c } } as unknown as ProbeResult;
        const doors = frontDoors(result);
        expect(doors.length).toBeLessThanOrEqual(4);
        for (const d of doors) expect(d.code).toMatch(/^[A-Z]{2,8}$/);
      }),
      RUNS,
    );
  });
});
