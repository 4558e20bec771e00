/**
 * The bench network: two namespaces made for this run, "near" (the exporters) and "far"
 * (DNS and HTTPS servers), joined by the link emulator over TUN devices, plus a veth from
 * the root namespace to "near" so the harness can reach the exporters. Everything gets a
 * name unique to this process and is deleted by `close()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { linkProgram, startLink, type Link, type LinkKind } from './link.js';
import { start, type Proc } from './procs.js';

export interface Lab {
  near: string;
  far: string;
  /** Far end of the emulated link, where the far peers listen. */
  farAddress: string;
  /** Near end of the veth: exporters listen here, the harness connects here. */
  nearControlAddress: string;
  link: Link;
  /**
   * Where packet times start: 'kernel', when the sending host's kernel handed a packet to its
   * TUN device (the C emulator's packet sockets), or 'read', when the emulator read it.
   */
  linkClock: { kind: 'kernel' | 'read'; why?: string };
  /** Starts a process inside a namespace (`ip netns exec` execs, so the pid is the process's). */
  exec(ns: string, name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Proc;
  close(): Promise<void>;
}

/**
 * The niceness the lab's processes run at when the harness runs at `nice` too (run.ts sets
 * both from --nice): `nice -n` adds to the niceness it inherits, so at the default -10 the
 * exporters, peers and wrk run at -20, above the harness, as in every published run.
 */
export function startedNiceness(nice: number): number {
  return Math.max(-20, Math.min(19, 2 * nice));
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * The k of a 10.78.k.0/30 control link no other lab on this machine holds: two labs (a run
 * and the test suite's) must not route the same subnet from the root namespace.
 */
function freeControlSubnet(seed: number): number {
  const held = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
  for (let i = 0; i < 250; i++) {
    const k = ((seed + i) % 250) + 1;
    if (!held.includes(` 10.78.${k}.1/`)) return k;
  }
  throw new Error('bench lab: every 10.78.k.0/30 control link (k = 1..250) is in use');
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // cleanup of something that may not exist
  }
}

export interface LabOptions {
  /** Bound on the link emulator's life, seconds. */
  maxSeconds: number;
  /**
   * `nice -n` for every process started in the lab (exporters, peers, wrk): added to the
   * harness's own niceness (see startedNiceness). On a shared machine, other load would
   * otherwise decide sub-millisecond results; both exporters get the same. 0 leaves them at
   * the harness's priority.
   */
  nice: number;
  /** Run the link emulator SCHED_FIFO: it stands for the network and must not wait for a CPU. */
  realtimeLink: boolean;
  /** Which link emulator: "auto" is the C one when a compiler is there (see link.ts). */
  linkKind?: LinkKind | 'auto';
  /** 'kernel' (default): ask the emulator for kernel timestamps (Lab['linkClock']); 'read': do not. */
  linkClock?: 'kernel' | 'read';
}

let labsMade = 0;

export async function createLab({ maxSeconds, nice, realtimeLink, linkKind = 'auto', linkClock: wantClock = 'kernel' }: LabOptions): Promise<Lab> {
  // Unique to this process and lab, short enough for interface names (15 bytes with a suffix).
  const id = `o3b${process.pid.toString(36)}_${labsMade++}`;
  const near = `${id}-near`;
  const far = `${id}-far`;
  const netnsEtc = join('/etc/netns', near);
  const k = freeControlSubnet(process.pid);
  const farAddress = '10.77.0.2';
  const nearControlAddress = `10.78.${k}.2`;
  let link: Link | undefined;
  let linkClock: Lab['linkClock'] = { kind: 'read' };
  const buildDir = mkdtempSync(join(tmpdir(), 'o365-bench-link-'));
  const close = async (): Promise<void> => {
    await link?.close();
    rmSync(buildDir, { recursive: true, force: true });
    quietly(() => ip('netns', 'del', near));
    quietly(() => ip('netns', 'del', far));
    quietly(() => ip('link', 'del', `${id}v`));
    rmSync(netnsEtc, { recursive: true, force: true });
    quietly(() => rmdirSync(dirname(netnsEtc))); // only if empty: other runs may use it
  };
  try {
    ip('netns', 'add', near);
    ip('netns', 'add', far);
    for (const ns of [near, far]) ip('-n', ns, 'link', 'set', 'lo', 'up');
    link = await startLink(linkProgram(linkKind, buildDir), `${id}n`, `${id}f`, maxSeconds, realtimeLink);
    for (const [ns, dev, address] of [[near, `${id}n`, '10.77.0.1/24'], [far, `${id}f`, `${farAddress}/24`]] as const) {
      ip('link', 'set', dev, 'netns', ns);
      ip('-n', ns, 'addr', 'add', address, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    ip('link', 'add', `${id}v`, 'type', 'veth', 'peer', 'name', `${id}w`, 'netns', near);
    ip('addr', 'add', `10.78.${k}.1/30`, 'dev', `${id}v`);
    ip('link', 'set', `${id}v`, 'up');
    ip('-n', near, 'addr', 'add', `${nearControlAddress}/30`, 'dev', `${id}w`);
    ip('-n', near, 'link', 'set', `${id}w`, 'up');
    const tapError = wantClock === 'kernel' ? await link.tap(near, far) : 'asked for (--link-clock=read)';
    linkClock = tapError === undefined ? { kind: 'kernel' } : { kind: 'read', why: tapError };
    // `ip netns exec` bind-mounts this over /etc/resolv.conf: both exporters resolve via the far DNS server.
    mkdirSync(netnsEtc, { recursive: true });
    writeFileSync(join(netnsEtc, 'resolv.conf'), `nameserver ${farAddress}\n`);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    near,
    far,
    farAddress,
    nearControlAddress,
    link,
    linkClock,
    // `nice` execs too, so the pid is still the command's.
    exec: (ns, name, command, args, env) => start(name, 'ip', ['netns', 'exec', ns, 'nice', '-n', String(nice), command, ...args], env),
    close,
  };
}
