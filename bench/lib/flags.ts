/** `npm run bench -- [flags]`: which scenarios, how many probes, how long. Defaults fit in 15 minutes. */
import { parseArgs } from 'node:util';
import type { AccuracyOptions } from '../scenarios/accuracy.js';
import type { FarKind } from '../scenarios/env.js';
import type { CertKey } from './certs.js';
import type { CpuIdleMode } from './cpu-idle.js';
import type { LinkKind } from './link.js';
import type { ScheduledOptions } from '../scenarios/scheduled.js';
import type { ThroughputOptions } from '../scenarios/throughput.js';

export const SCENARIOS = ['accuracy', 'throughput', 'scheduled'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchFlags {
  only: Scenario[];
  outDir: string;
  /** Hard bound on the whole run: past it the harness cleans up and exits 2. */
  maxMinutes: number;
  /** Niceness of the harness, and `nice -n` on top of it for everything it starts (see LabOptions.nice). */
  nice: number;
  realtimeLink: boolean;
  /** Which link emulator (see lib/link.ts). */
  link: LinkKind | 'auto';
  /** --link-clock: where packet times on the link start (lib/lab.ts). */
  linkClock: 'kernel' | 'read';
  /** Which far peers (see scenarios/env.ts). */
  far: FarKind | 'auto';
  /** --cpu-idle: hold the CPUs' idle at polling for the run (lib/cpu-idle.ts) or leave it to the kernel. */
  cpuIdle: CpuIdleMode;
  /** --cert-key: the bench certificates' key type (lib/certs.ts). */
  certKey: CertKey;
  /** Re-render the report from a results JSON instead of measuring. */
  render?: string;
  /** This exporter's scheduler.probe_threads in every scenario; absent: its default. */
  probeThreads?: number;
  /** Node binary this exporter runs on: a path, 'image' (the container image's) or 'auto' (see exporterRuntime). */
  exporterNode: string;
  accuracy: AccuracyOptions;
  throughput: ThroughputOptions;
  scheduled: ScheduledOptions;
}

export const USAGE = `Usage: npm run bench -- [flags]   (needs root: network namespaces, TUN devices)
  --only=accuracy,throughput,scheduled   scenarios to run (default: all)
  --quick                                 a short run of everything, to try the harness (~4 min)
  --out=DIR                               results directory (default bench/results)
  --max-minutes=N                         hard bound on the run (default 15)
  --nice=N                                niceness of the harness; exporters and peers get nice -n N on top (default -10: they run at -20; 0: as is)
  --no-realtime-link                      run the link emulator without SCHED_FIFO
  --link=auto|c|python                    link emulator (default auto: C when cc exists, else Python)
  --link-clock=kernel|read                where a packet's time on the link starts: when the sending host's kernel hands it to
                                          the TUN device (default; the C emulator's packet sockets) or when the emulator reads it
  --far=auto|native|node                  far DNS/HTTPS (default auto: dnsmasq + nginx when installed, else Node)
  --cpu-idle=poll|spin|default            hold idle CPUs at polling for the run (default: a 0 us request on /dev/cpu_dma_latency,
                                          so that no host wake-up lands in a phase); spin: that and, in the idle accuracy cases, a
                                          SCHED_IDLE busy loop per CPU (for kernels without a cpuidle driver; stopped at the kernel's
                                          first stall report: once, on one VM, they went with a 5 min one); or leave idle to the kernel
  --cert-key=ec|rsa                       key of the bench CA and server certificate: P-256 (default) or RSA-2048
  --probe-threads=N                       this exporter's scheduler.probe_threads (default: its config default)
  --exporter-node=auto|image|PATH         node binary this exporter runs on; image: the container image's Node,
                                          which npm test fetches (default auto: image when fetched, else the harness's)
  --render=FILE                           only rewrite the report (md, svg, png) beside a results JSON
  --accuracy.probes=N --accuracy.warmup=N --accuracy.rtts=10,40,150 --accuracy.jitter=40:5
  --accuracy.load-targets=N --accuracy.load-interval=SECONDS --accuracy.load-warmup=SECONDS --accuracy.idle-warmup=SECONDS --accuracy.case-seconds=N
  --accuracy.no-extras                    only the floor and --accuracy.rtts cases (no jitter, no TLS 1.2)
  --accuracy.reference=idle|all|off       the blocking C reference client probes beside the exporters in the
                                          idle cases (default), in every case, or not at all
  --throughput.concurrency=32,8,1 --throughput.seconds=N --throughput.rounds=N --throughput.warmup=N
  --scheduled.sizes=100,1000,5000 --scheduled.seconds=N --scheduled.interval=N --scheduled.scrape-every=N
`;

/** A flag that takes one of `allowed` (the first is its default). */
function oneOf<T extends string>(flag: string, text: string | undefined, allowed: readonly [T, ...T[]]): T {
  if (text === undefined) return allowed[0];
  if ((allowed as readonly string[]).includes(text)) return text as T;
  const names = allowed.length > 2 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : allowed.join(' or ');
  throw new Error(`--${flag}: "${text}" is not ${names}`);
}

const numbers = (text: string, flag: string): number[] => {
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`${flag}: "${text}" is not a list of numbers`);
  return list;
};

const count = (text: string | undefined, fallback: number, flag: string): number => {
  const n = number(text, fallback, flag);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${text}" is not a whole number of at least 1`);
  return n;
};

const number = (text: string | undefined, fallback: number, flag: string): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: "${text}" is not a number`);
  return n;
};

function niceness(text: string | undefined): number {
  const n = text === undefined ? -10 : Number(text);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error(`--nice: "${text}" is not an integer in -20..19`);
  return n;
}

export function parseBenchFlags(argv: string[]): BenchFlags {
  const options = Object.fromEntries(
    ['only', 'out', 'max-minutes', 'nice', 'render', 'probe-threads', 'exporter-node', 'accuracy.probes', 'accuracy.warmup', 'accuracy.rtts', 'accuracy.jitter', 'accuracy.load-targets',
      'accuracy.load-interval', 'accuracy.load-warmup', 'accuracy.idle-warmup', 'accuracy.case-seconds', 'accuracy.reference', 'throughput.concurrency', 'throughput.seconds', 'throughput.rounds', 'throughput.warmup',
      'scheduled.sizes', 'scheduled.seconds', 'scheduled.interval', 'scheduled.scrape-every'].map((name) => [name, { type: 'string' as const }]),
  );
  const { values: v } = parseArgs({ args: argv, strict: true, options: { ...options, link: { type: 'string' }, 'link-clock': { type: 'string' }, far: { type: 'string' }, 'cpu-idle': { type: 'string' }, 'cert-key': { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean' }, 'no-realtime-link': { type: 'boolean' }, 'accuracy.no-extras': { type: 'boolean' } } });
  if (v.help) throw new Error(USAGE);
  const get = (name: string) => (v as Record<string, string | boolean | undefined>)[name] as string | undefined;
  const quick = v.quick === true;
  const only = (get('only') ?? SCENARIOS.join(',')).split(',').map((s) => s.trim());
  for (const s of only) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario "${s}"`);
  const [jitterRtt = 40, jitterMs = 5] = numbers(get('accuracy.jitter')?.replace(':', ',') ?? '40,5', '--accuracy.jitter');
  return {
    only: only as Scenario[],
    outDir: get('out') ?? 'bench/results',
    maxMinutes: number(get('max-minutes'), 15, '--max-minutes'),
    nice: niceness(get('nice')),
    realtimeLink: v['no-realtime-link'] !== true,
    link: oneOf<LinkKind | 'auto'>('link', get('link'), ['auto', 'c', 'python']),
    linkClock: oneOf('link-clock', get('link-clock'), ['kernel', 'read']),
    far: oneOf<FarKind | 'auto'>('far', get('far'), ['auto', 'native', 'node']),
    cpuIdle: oneOf<CpuIdleMode>('cpu-idle', get('cpu-idle'), ['poll', 'spin', 'default']),
    certKey: oneOf<CertKey>('cert-key', get('cert-key'), ['ec', 'rsa']),
    render: get('render'),
    ...(get('probe-threads') === undefined ? {} : { probeThreads: number(get('probe-threads'), 0, '--probe-threads') }),
    exporterNode: get('exporter-node') ?? 'auto',
    accuracy: {
      rttsMs: numbers(get('accuracy.rtts') ?? '10,40,150', '--accuracy.rtts'),
      jitter: { rttMs: jitterRtt, jitterMs },
      extras: v['accuracy.no-extras'] !== true,
      probes: number(get('accuracy.probes'), quick ? 10 : 50, '--accuracy.probes'),
      warmup: number(get('accuracy.warmup'), quick ? 2 : 5, '--accuracy.warmup'),
      loadTargets: number(get('accuracy.load-targets'), quick ? 100 : 500, '--accuracy.load-targets'),
      loadIntervalSeconds: number(get('accuracy.load-interval'), 5, '--accuracy.load-interval'),
      loadWarmupSeconds: number(get('accuracy.load-warmup'), quick ? 5 : 30, '--accuracy.load-warmup'),
      idleWarmupSeconds: number(get('accuracy.idle-warmup'), quick ? 0 : 20, '--accuracy.idle-warmup'),
      caseSeconds: number(get('accuracy.case-seconds'), quick ? 30 : 120, '--accuracy.case-seconds'),
      reference: oneOf('accuracy.reference', get('accuracy.reference'), ['idle', 'all', 'off']),
    },
    throughput: {
      // Highest first: concurrency 1 measured last reads this exporter's steady state; measured
      // first, after 12 s of warm-up at 1, its first turns still held V8's compiling (results/throughput-c1-last/).
      concurrency: numbers(get('throughput.concurrency') ?? '32,8,1', '--throughput.concurrency'),
      seconds: number(get('throughput.seconds'), quick ? 4 : 12, '--throughput.seconds'),
      rounds: count(get('throughput.rounds'), quick ? 2 : 12, '--throughput.rounds'),
      warmupSeconds: number(get('throughput.warmup'), quick ? 1 : 12, '--throughput.warmup'),
    },
    scheduled: {
      sizes: numbers(get('scheduled.sizes') ?? (quick ? '100,1000' : '100,1000,5000'), '--scheduled.sizes'),
      seconds: number(get('scheduled.seconds'), quick ? 35 : 120, '--scheduled.seconds'),
      intervalSeconds: number(get('scheduled.interval'), 15, '--scheduled.interval'),
      scrapeEverySeconds: number(get('scheduled.scrape-every'), quick ? 5 : 15, '--scheduled.scrape-every'),
    },
  };
}
