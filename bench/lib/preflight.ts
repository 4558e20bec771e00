/**
 * What a run needs installed, checked before anything is created: a missing tool is named
 * with its Debian package at the start, not found by a scenario minutes into the run.
 * Optional tools (the C reference client's libssl-dev, rsvg-convert or chromium for the PNG,
 * nginx and dnsmasq under --far=auto) are not required: the run says what it did without them.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DNSMASQ, NGINX } from '../peers/far-native.js';
import { hasCompiler } from './cc.js';
import type { BenchFlags } from './flags.js';

export interface Missing {
  command: string;
  /** The Debian package that provides it. */
  pkg: string;
  /** What needs it. */
  for: string;
}

/** True when `command` (a name, or an absolute path) is an executable file on PATH. */
export function onPath(command: string): boolean {
  const candidates = command.startsWith('/') ? [command] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

type Need = Missing & { when: boolean };

function needs(flags: BenchFlags, has: (command: string) => boolean): Need[] {
  const wants = (scenario: BenchFlags['only'][number]): boolean => flags.only.includes(scenario);
  const linkC = flags.link === 'c' || (flags.link === 'auto' && has('cc'));
  return [
    { command: 'ip', pkg: 'iproute2', for: 'the lab\'s namespaces and devices', when: true },
    { command: 'nice', pkg: 'coreutils', for: 'the lab\'s processes', when: true },
    { command: 'openssl', pkg: 'openssl', for: 'the bench certificates', when: true },
    { command: 'cc', pkg: 'gcc', for: '--link=c', when: flags.link === 'c' },
    { command: 'python3', pkg: 'python3', for: 'the Python link emulator (no cc)', when: !linkC },
    { command: 'chrt', pkg: 'util-linux', for: 'the SCHED_FIFO link emulator (--no-realtime-link runs without)', when: flags.realtimeLink },
    { command: NGINX, pkg: 'nginx-light', for: '--far=native', when: flags.far === 'native' },
    { command: DNSMASQ, pkg: 'dnsmasq-base', for: '--far=native', when: flags.far === 'native' },
    { command: 'prometheus-blackbox-exporter', pkg: 'prometheus-blackbox-exporter', for: 'accuracy and throughput', when: wants('accuracy') || wants('throughput') },
    { command: 'wrk', pkg: 'wrk', for: 'throughput', when: wants('throughput') },
  ];
}

/** Installed: on PATH, and for cc working, as the link emulator's choice asks (lib/cc.ts). */
const installed = (command: string): boolean => (command === 'cc' ? hasCompiler() : onPath(command));

/** The tools this run needs that are not installed. */
export function missingTools(flags: BenchFlags, has: (command: string) => boolean = installed): Missing[] {
  return needs(flags, has)
    .filter((need) => need.when && !has(need.command))
    .map(({ command, pkg, for: what }) => ({ command, pkg, for: what }));
}

/** One message naming every missing tool and the apt-get line that installs them. */
export function missingMessage(missing: Missing[]): string {
  const lines = missing.map((m) => `  ${m.command} (Debian package ${m.pkg}), for ${m.for}`);
  const packages = [...new Set(missing.map((m) => m.pkg))].join(' ');
  return `bench: not installed:\n${lines.join('\n')}\ninstall with: apt-get install -y ${packages}\n`;
}
