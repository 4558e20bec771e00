/** What every scenario runs in: the lab, the certificates, the peers already listening. */
import { join } from 'node:path';
import { FAR_HOST, makeCerts, type BenchCerts } from '../lib/certs.js';
import { LOCAL_PORT } from '../lib/configs.js';
import { REPO_ROOT } from '../lib/exporters.js';
import type { Lab } from '../lib/lab.js';
import type { Proc } from '../lib/procs.js';

export interface BenchEnv {
  lab: Lab;
  certs: BenchCerts;
  /** DNS + HTTPS at the far end of the link. */
  far: Proc;
  /** HTTPS for every 127.1.x.y target, inside the near namespace. */
  local: Proc;
  log(line: string): void;
}

const peer = (name: string) => join(REPO_ROOT, 'bench', 'peers', name);

export async function startPeers(lab: Lab, certDir: string, log: (line: string) => void): Promise<BenchEnv> {
  const certs = makeCerts(certDir, lab.farAddress);
  const far = lab.exec(lab.far, 'far peer', process.execPath, ['--import', 'tsx', peer('far.ts'), lab.farAddress, certs.certFile, certs.keyFile, FAR_HOST]);
  const local = lab.exec(lab.near, 'local peer', process.execPath, ['--import', 'tsx', peer('local.ts'), String(LOCAL_PORT), certs.certFile, certs.keyFile]);
  await Promise.all([far.waitFor(/far ready/), local.waitFor(/local ready/)]);
  return { lab, certs, far, local, log };
}
