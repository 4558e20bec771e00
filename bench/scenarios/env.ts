/** What every scenario runs in: the lab, the certificates, the peers already listening. */
import { join } from 'node:path';
import { FAR_HOST, makeCerts, type BenchCerts, type CertKey } from '../lib/certs.js';
import { LOCAL_PORT } from '../lib/configs.js';
import { REPO_ROOT } from '../lib/exporters.js';
import type { Lab } from '../lib/lab.js';
import type { Proc } from '../lib/procs.js';
import { nativeFarAvailable, startNativeFar } from '../peers/far-native.js';

/** Far DNS and HTTPS: nginx + dnsmasq ("native", see peers/far-native.ts) or Node (peers/far.ts). */
export type FarKind = 'native' | 'node';

export interface BenchEnv {
  lab: Lab;
  certs: BenchCerts;
  /** DNS + HTTPS at the far end of the link. */
  far: Proc[];
  farKind: FarKind;
  /** HTTPS for every 127.1.x.y target, inside the near namespace. */
  local: Proc;
  /** This exporter's scheduler.probe_threads (--probe-threads); absent: its default. */
  probeThreads?: number;
  /** A SCHED_IDLE busy loop per CPU through the accuracy cases (--cpu-idle=spin, lib/idle-spinners.ts). */
  idleSpin?: boolean;
  /** The Node binary this exporter runs on (--exporter-node); absent: the harness's. */
  exporterNode?: string;
  log(line: string): void;
}

const peer = (name: string) => join(REPO_ROOT, 'bench', 'peers', name);

export async function startPeers(lab: Lab, certDir: string, log: (line: string) => void, want: FarKind | 'auto' = 'auto', certKey: CertKey = 'ec'): Promise<BenchEnv> {
  const certs = makeCerts(certDir, lab.farAddress, certKey);
  const farKind: FarKind = want === 'auto' ? (nativeFarAvailable() ? 'native' : 'node') : want;
  const local = lab.exec(lab.near, 'local peer', process.execPath, ['--import', 'tsx', peer('local.ts'), String(LOCAL_PORT), certs.certFile, certs.keyFile]);
  let far: Proc[];
  if (farKind === 'native') {
    far = await startNativeFar(lab, certs, certDir, [FAR_HOST]);
  } else {
    const node = lab.exec(lab.far, 'far peer', process.execPath, ['--import', 'tsx', peer('far.ts'), lab.farAddress, certs.certFile, certs.keyFile, FAR_HOST]);
    await node.waitFor(/far ready/);
    far = [node];
  }
  await local.waitFor(/local ready/);
  return { lab, certs, far, farKind, local, log };
}
