/** The printed report (also bench/results/latest.md): one table per scenario, then the goals. */
import { CERT_KEY_NAME } from '../lib/certs.js';
import { describeCpuIdle } from '../lib/cpu-idle.js';
import { startedNiceness } from '../lib/lab.js';
import type { CaseResult, ExporterCaseResult, PhaseResult } from '../scenarios/accuracy-case.js';
import type { ScheduledResult } from '../scenarios/scheduled.js';
import type { ThroughputStep } from '../scenarios/throughput.js';
import { evaluateGoals, flatness, rssFloors } from './goals.js';
import { byConcurrency, concurrencies, type BenchResults } from './results.js';
import { fixed, mib, signed, table } from './table.js';

const cell = (p: PhaseResult | undefined, which: 'nominal' | 'wire') =>
  p ? `${signed(p[which].median)} / ${fixed(p[which].p99Abs)}` : 'n/a';

const exporterOf = (c: CaseResult, kind: ExporterCaseResult['exporter']) => c.exporters.find((e) => e.exporter === kind);

function accuracyTables(cases: CaseResult[]): string {
  const withReference = cases.some((c) => exporterOf(c, 'reference'));
  const rows = cases.flatMap((c) =>
    (exporterOf(c, 'o365')?.phases ?? []).map((p, i) => {
      const bb = exporterOf(c, 'blackbox')?.phases[i];
      const ref = exporterOf(c, 'reference')?.phases[i];
      const refCell = (which: 'nominal' | 'wire') => (withReference ? [cell(ref, which)] : []);
      return [i === 0 ? c.label : '', p.phase, String(p.roundTrips), fixed(p.reportedMedianMs), cell(p, 'nominal'), cell(bb, 'nominal'), ...refCell('nominal'), cell(p, 'wire'), cell(bb, 'wire'), ...refCell('wire')];
    }),
  );
  const refHeads = (which: string) => (withReference ? [`C client ${which}`] : []);
  const main = table(['case', 'phase', 'RTTs', 'o365 reported median', 'o365 vs injected', 'blackbox vs injected', ...refHeads('vs injected'), 'o365 vs wire', 'blackbox vs wire', ...refHeads('vs wire')], rows);
  const info = table(
    ['case', `probes o365/blackbox${withReference ? '/C client' : ''}`, 'failed', 'TLS', 'link lateness p99 (us)', 'machine CPU busy %', 'CPU steal %', 'o365 event-loop delay p99 / max (ms)', 'o365 probe threads\' delay p99 / max (ms)', 'wake witness late p99 / max (ms), wake-ups > 10 ms'],
    cases.map((c) => {
      const o = exporterOf(c, 'o365');
      const b = exporterOf(c, 'blackbox');
      const delay = (d: CaseResult['eventLoop']) => (d ? `${fixed(d.p99 * 1000, 1)} / ${fixed(d.max * 1000, 1)}` : 'n/a');
      const r = exporterOf(c, 'reference');
      const ref = (n: number | undefined) => (r ? `/${n ?? 0}` : '');
      return [c.label, `${o?.probes ?? 0}/${b?.probes ?? 0}${ref(r?.probes)}`, `${o?.failures ?? 0}/${b?.failures ?? 0}${ref(r?.failures)}`, `${o?.tlsVersion ?? '?'} / ${b?.tlsVersion ?? '?'}`, fixed(c.linkLatenessUs.p99, 0), fixed(c.machineBusyPercent, 0), stealCell(c.machineStealPercent), delay(c.eventLoop), delay(c.threadLoop), witnessCell(c.wakeWitness)];
    }),
  );
  const paths = withReference ? `\n\n${hostPathTable(cases)}` : '';
  return `### Accuracy: reported minus truth, ms (median / p99 of |error|)\n\n${main}\n\n${info}${paths}`;
}

/** The wake witness's window (lib/wake-witness.ts): what the host did to a sleeping thread in the case. */
function witnessCell(w: CaseResult['wakeWitness']): string {
  return w ? `${fixed(w.p99, 1)} / ${fixed(w.max, 1)}, ${w.over10ms} of ${w.samples}` : 'n/a';
}

/** The C reference client's stamps against the wire: the host's path, in every client's "vs wire". */
function hostPathTable(cases: CaseResult[]): string {
  const us = (f: { median: number; p99: number }) => `${fixed(f.median, 0)} / ${fixed(f.p99, 0)}`;
  const rows = cases.flatMap((c) =>
    (exporterOf(c, 'reference')?.labPaths ?? []).map((p, i) => [i === 0 ? c.label : '', p.phase, us(p.send), us(p.receive), fixed(p.send.median + p.receive.median, 0)]),
  );
  const head = 'The host\'s own path, us (median / p99), from the C reference client\'s stamps and the link emulator\'s (same clock): send = from its stamp before the system call to the packet\'s start on the wire, receive = from the answer\'s end on the wire to its stamp after the call returned (the wire: see "vs wire").';
  return `${head}\n\n${table(['case', 'phase', 'send', 'receive', 'sum of the medians'], rows)}`;
}

function throughputTable(steps: ThroughputStep[]): string {
  return `### /probe throughput and cost\n\n${table(
    ['exporter', 'concurrency', 'probes/s', 'p50 ms', 'p99 ms', 'CPU s / 1000 probes', 'probes per CPU s', 'peak RSS MiB', 'failed', 'target CPU %'],
    byConcurrency(steps).map((s) => [s.exporter, String(s.concurrency), fixed(s.probesPerSecond, 0), fixed(s.p50Ms, 1), fixed(s.p99Ms, 1), fixed(s.cpuSecondsPer1000, 2), fixed(s.probesPerCpuSecond, 0), mib(s.peakRssBytes), String(s.failed), fixed(s.peerCpuPercent, 0)]),
  )}\n\nMeasured at concurrency ${concurrencies(steps).join(', ')}, in that order.\n\ntarget CPU %: the local HTTPS target's CPU during that exporter's turns, % of one core; it is one single-threaded process, so near 100 it bounds probes/s (probes per CPU second stay the exporter's own).`;
}

function floorsCell(r: ScheduledResult): string {
  const f = rssFloors(r);
  const verdict = f.flat === undefined ? '' : `, ${flatness(f)}`;
  return `${mib(f.earlier)} -> ${mib(f.later)} (${mib(r.rssMaxBytes)}${verdict})`;
}

function connectsCell(r: ScheduledResult): string {
  const c = r.connects;
  if (!c) return 'n/a';
  const share = (n: number) => `${fixed((n / c.count) * 100, 2)} %`;
  return `${share(c.over10ms)} / ${share(c.over50ms)} (${fixed(c.p99AtMostSeconds * 1000, 1)} ms)`;
}

/** Results before 2026-12-03 did not record steal. */
const stealCell = (percent: number | undefined): string => (percent === undefined ? 'n/a' : fixed(percent, 1));

function scheduledTable(results: ScheduledResult[]): string {
  return `### Scheduled mode (interval ${results[0]?.intervalSeconds ?? '?'} s, steady window after the first interval)\n\n${table(
    ['targets', 'probes/s', 'CPU % (1 core = 100)', 'peer CPU %', 'CPU steal %', 'RSS floor 3rd -> 4th quarter (max) MiB', 'JS heap used at end MiB', '/metrics median / max s', '/metrics MB', 'on time', 'slots missed (total)', 'failed', 'loopback connects over 10 / 50 ms (p99 <=)'],
    results.map((r) => [
      String(r.targets), fixed(r.probesPerSecond, 1), fixed(r.cpuPercent, 1), fixed(r.peerCpuPercent, 1), stealCell(r.machineStealPercent),
      floorsCell(r), mib(r.scrapes.at(-1)?.heapUsedBytes ?? NaN),
      `${fixed(r.metricsMedianSeconds, 3)} / ${fixed(r.metricsMaxSeconds, 3)}${r.failedScrapes ? ` (${r.failedScrapes} failed)` : ''}`, fixed(r.metricsBytes / 1e6, 1),
      `${fixed(r.onTimeRatio * 100, 1)} %`, `${r.slotsMissed} (${r.slotsMissedTotal})`, String(r.failures), connectsCell(r),
    ]),
  )}`;
}

/** run.ts sets the harness's niceness, and lab processes get `nice -n` on top of it (lab.ts). */
const niceness = (nice: number) => (nice === 0 ? 'Harness, exporters and peers at the niceness they were started with' : `Harness at nice ${nice}, exporters, peers and wrk at nice ${startedNiceness(nice)}`);

const load = (l: number[] | undefined) => (l ? l.map((x) => x.toFixed(1)).join(' / ') : 'n/a');

export function summaryMarkdown(results: BenchResults): string {
  const m = results.machine;
  const parts = [
    `## Results of ${results.date}\n\nMachine: ${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB memory, Linux ${m.kernel}, Node ${m.node} (harness), blackbox_exporter ${m.blackbox}. Run took ${(results.durationSeconds / 60).toFixed(1)} min; load average ${load(results.loadAverage.start)} at the start, ${load(results.loadAverage.end)} at the end${results.stealPercent === undefined ? '' : `; CPU stolen by the hypervisor ${fixed(results.stealPercent, 1)} % of one core over the run`}. ${niceness(results.flags.nice)}${results.flags.realtimeLink ? ', link emulator SCHED_FIFO' : ''}.${results.lab ? ` Link emulator: ${results.lab.link}${results.lab.linkClock === 'kernel' ? ' (packet times from the kernel)' : ''}; far peers: ${results.lab.far}${labExtras(results.lab)}.` : ''}`,
  ];
  if (results.accuracy) parts.push(accuracyTables(results.accuracy.cases));
  if (results.accuracy?.referenceSkipped) parts.push(`The C reference client did not run: ${results.accuracy.referenceSkipped}.`);
  if (results.accuracy?.witnessSkipped) parts.push(`The wake witness did not run: ${results.accuracy.witnessSkipped}.`);
  if (results.accuracy?.spinnersStopped) parts.push(`**The idle spinners were stopped early**: ${results.accuracy.spinnersStopped}. The cases after that ran without them; the one in progress, if any, was disturbed.`);
  if (results.throughput) parts.push(throughputTable(results.throughput));
  if (results.scheduled) parts.push(scheduledTable(results.scheduled));
  for (const r of results.scheduled ?? []) if (r.error) parts.push(`**${r.targets} targets: ${r.error}**`);
  if (results.errors) parts.push(`### Failed scenarios\n\n${results.errors.map((e) => `- ${e.scenario}: ${e.message.split('\n')[0]}`).join('\n')}`);
  const goals = evaluateGoals(results);
  parts.push(`### Goals\n\n${goals.map((g) => `- ${g.verdict.toUpperCase()}: ${g.goal}. ${g.detail}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

/** What a run set beyond the link and far peers (--cert-key, --probe-threads, --exporter-node, --cpu-idle). */
function labExtras(lab: NonNullable<BenchResults['lab']>): string {
  const key = lab.certKey === undefined ? '' : `; certificates ${CERT_KEY_NAME[lab.certKey]}`;
  const threads = lab.probeThreads === undefined ? '' : `; this exporter with scheduler.probe_threads ${lab.probeThreads}`;
  const node = lab.exporterNode === undefined ? '' : `; this exporter on Node ${lab.exporterNode.node} (OpenSSL ${lab.exporterNode.openssl})`;
  const idle = lab.cpuIdle === undefined ? '' : `; CPU idle ${describeCpuIdle(lab.cpuIdle)}`;
  return key + threads + node + idle;
}
