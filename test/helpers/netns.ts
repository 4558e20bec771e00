/**
 * A network namespace made by a test, with only its loopback up: nothing in it is reachable
 * from the host and no address outside it is touched. nftables rules inside it (e.g. SYNs to
 * a port dropped) affect nothing else on the machine. Processes run in it with
 * `ip netns exec NAME`, which execs, so a child's pid is the command's own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  name: string;
  /** Prefix for a command run inside: ['ip', 'netns', 'exec', name]. */
  prefix: string[];
  /** Drops TCP SYNs to `port` on the namespace's loopback: connects to it hang. */
  dropSyn(port: number): void;
  run(command: string, args: string[]): ChildProcess;
  /** Kills what run() started, then deletes the namespace. */
  remove(): Promise<void>;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createNetns(prefix = 'o365-fm'): Netns {
  const name = `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  ip(['netns', 'add', name]);
  const children: ChildProcess[] = [];
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    ip(['netns', 'del', name]);
    throw err;
  }
  const exec = ['ip', 'netns', 'exec', name];
  return {
    name,
    prefix: exec,
    dropSyn(port) {
      const rules = `add table inet fault; add chain inet fault input { type filter hook input priority 0; }; add rule inet fault input tcp dport ${port} tcp flags syn drop`;
      execFileSync(exec[0] as string, [...exec.slice(1), 'nft', rules], { stdio: ['ignore', 'ignore', 'pipe'] });
    },
    run(command, args) {
      const child = spawn(exec[0] as string, [...exec.slice(1), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    async remove() {
      await Promise.all(
        children.map((child) => {
          if (child.exitCode !== null || child.signalCode !== null) return undefined;
          return new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          });
        }),
      );
      ip(['netns', 'del', name]);
    },
  };
}
