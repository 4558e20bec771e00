/**
 * The far peers as native servers: nginx for HTTPS (443: TLS 1.3, 8444: TLS 1.2 at most) and
 * dnsmasq for DNS, the same names, certificate and answers as far.ts (the Node fallback).
 * Why: the far servers' own time is inside every phase's truth ("vs injected" counts it as
 * the exporter's error). Node answered a DNS query in ~0.3 ms and a TLS handshake or an HTTP
 * request in ~0.5 ms at 0 ms RTT; these answer in tens of microseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCerts } from '../lib/certs.js';
import type { Lab } from '../lib/lab.js';
import type { Proc } from '../lib/procs.js';
import { sleep } from '../lib/procs.js';
import { RESPONSE_BODY } from './respond.js';

export const NGINX = '/usr/sbin/nginx';
export const DNSMASQ = '/usr/sbin/dnsmasq';

function installed(binary: string): boolean {
  try {
    execFileSync(binary, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const nativeFarAvailable = (): boolean => installed(NGINX) && installed(DNSMASQ);

/**
 * One process, no daemon, no master: the bench holds its pid and stops it. Tickets off: every
 * probe is a full handshake (neither exporter resumes anyway), and nothing but the answer
 * follows the handshake. `return 200` sends header and body in one TLS record, one segment.
 */
export function nginxConfig(dir: string, address: string, certs: BenchCerts): string {
  const server = (port: number, protocols: string) => `
  server {
    listen ${address}:${port} ssl;
    ssl_protocols ${protocols};
    location / { return 200 "${RESPONSE_BODY}"; }
  }`;
  return `daemon off;
master_process off;
worker_processes 1;
error_log stderr warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/plain;
  keepalive_timeout 10s;
  ssl_certificate ${certs.certFile};
  ssl_certificate_key ${certs.keyFile};
  ssl_ecdh_curve X25519:prime256v1;
  ssl_session_tickets off;
  ssl_session_cache off;
${server(443, 'TLSv1.3')}
${server(8444, 'TLSv1.2')}
}
`;
}

/** dnsmasq answering A for `names` with `address`, NXDOMAIN for every other name, TTL 0. */
export function dnsmasqArgs(address: string, names: string[]): string[] {
  return ['--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll', '--user=root', '--pid-file=',
    `--listen-address=${address}`, '--bind-interfaces', '--port=53', '--local-ttl=0', '--cache-size=0', '--log-facility=-',
    ...names.map((n) => `--address=/${n}/${address}`), '--address=/#/'];
}

/** Polls `ss` in the namespace until every TCP and UDP port listens on `address`. */
async function listening(lab: Lab, ns: string, tcp: number[], udp: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ss = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-Hlntu'], { encoding: 'utf8' });
    const has = (proto: string, port: number) => ss.split('\n').some((l) => l.startsWith(proto) && l.includes(`${lab.farAddress}:${port} `));
    if (tcp.every((p) => has('tcp', p)) && udp.every((p) => has('udp', p))) return;
    if (Date.now() > deadline) throw new Error(`far peers not listening after ${timeoutMs} ms:\n${ss}`);
    await sleep(50);
  }
}

export async function startNativeFar(lab: Lab, certs: BenchCerts, dir: string, names: string[]): Promise<Proc[]> {
  const nginxDir = join(dir, 'nginx');
  mkdirSync(nginxDir, { recursive: true });
  const conf = join(nginxDir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(nginxDir, lab.farAddress, certs));
  const procs = [
    lab.exec(lab.far, 'far https (nginx)', NGINX, ['-p', nginxDir, '-e', 'stderr', '-c', conf]),
    lab.exec(lab.far, 'far dns (dnsmasq)', DNSMASQ, dnsmasqArgs(lab.farAddress, names)),
  ];
  await listening(lab, lab.far, [443, 8444], [53]);
  return procs;
}
