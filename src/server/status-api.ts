/**
 * GET /api/status: what the status page shows, as JSON, from the ResultStore (no network
 * work). Everything is plain data; the page puts it in the DOM as text, never as HTML.
 */
import { frontDoorOf, type FrontDoorView } from '../cli/front-door.js';
import { EXPLANATIONS } from '../cli/explain.js';
import { verdictContext, verdictsFor, type Verdict, type VerdictContext } from '../cli/verdicts.js';
import { interceptionOf } from '../diagnostics/interception.js';
import type { ScheduledTarget } from '../config/targets.js';
import type { Exporter } from '../exporter.js';
import type { Phase, ProbeResult } from '../probes/result.js';
import { HISTORY_LENGTH, type HistoryPoint, type TargetState } from '../scheduler/results.js';
import { redactUrl } from '../util/redact.js';
import { VERSION } from '../util/version.js';

/** Points of history sent per target: all the store keeps (enough for a sparkline). */
export const HISTORY_POINTS = HISTORY_LENGTH;

type PhasesMs = Partial<Record<Phase, number>>;

export interface TargetStatus {
  key: string;
  name: string;
  path: string;
  service: string;
  category: string;
  kind: ScheduledTarget['target']['spec']['kind'];
  /** URL (credentials redacted) or host:port. */
  endpoint: string;
  source: ScheduledTarget['source'];
  intervalSeconds: number;
  state: 'pending' | 'up' | 'down';
  last?: {
    startedAt: number;
    durationMs: number;
    phasesMs: PhasesMs;
    status?: number;
    address?: string;
    failure?: { phase: Phase; reason: string; message: string; meaning: string };
  };
  lastSuccessAt?: number;
  frontDoor?: FrontDoorView;
  /** Foreign issuer when TLS looks intercepted; the proxy name when probed through one. */
  flags: { tlsIntercepted?: string; proxy?: string };
  udp?: { sent: number; received: number; lossRatio: number; rttMedianMs?: number; jitterMs?: number; mappedAddress?: string };
  verdicts: Verdict[];
  history: { at: number; success: boolean; durationMs: number; phasesMs: PhasesMs }[];
}

export interface StatusSnapshot {
  version: string;
  generatedAt: number;
  ready: boolean;
  config: string;
  endpoints?: { instance: string; version?: string; lastCheckAt?: number; from?: string };
  services: { service: string; up: number; down: number; pending: number; targets: TargetStatus[] }[];
}

export function statusSnapshot(exporter: Exporter, now: number = Date.now()): StatusSnapshot {
  const byService = new Map<string, TargetStatus[]>();
  const context = verdictContext(exporter.config);
  for (const state of exporter.store.all()) {
    const status = targetStatus(state, context);
    byService.set(status.service, [...(byService.get(status.service) ?? []), status]);
  }
  const services = [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, targets]) => ({
      service,
      up: targets.filter((t) => t.state === 'up').length,
      down: targets.filter((t) => t.state === 'down').length,
      pending: targets.filter((t) => t.state === 'pending').length,
      targets: targets.sort((a, b) => a.name.localeCompare(b.name) || a.path.localeCompare(b.path)),
    }));
  return { version: VERSION, generatedAt: now, ready: exporter.scheduler.ready, config: exporter.configSource.source, endpoints: endpointsOf(exporter), services };
}

function targetStatus(state: TargetState, context: VerdictContext): TargetStatus {
  const t = state.target;
  const last = state.last;
  const tls = last ? interceptionOf(last, context.isMicrosoft) : undefined;
  return {
    key: t.key,
    name: t.name,
    path: t.path,
    service: t.service,
    category: t.category,
    kind: t.target.spec.kind,
    endpoint: endpointOf(t),
    source: t.source,
    intervalSeconds: t.intervalSeconds,
    state: !last ? 'pending' : last.success ? 'up' : 'down',
    last: last ? lastOf(last) : undefined,
    lastSuccessAt: state.lastSuccessAt,
    frontDoor: last ? frontDoorOf(last, context.location) : undefined,
    flags: { tlsIntercepted: tls?.intercepted ? tls.issuer : undefined, proxy: t.path === 'direct' ? undefined : t.path },
    udp: last?.udp ? udpOf(last.udp) : undefined,
    verdicts: last ? verdictsFor(t, last, context) : [],
    history: state.history.slice(-HISTORY_POINTS).map(historyPoint),
  };
}

function lastOf(r: ProbeResult): NonNullable<TargetStatus['last']> {
  const failure = r.failure ? { ...r.failure, meaning: EXPLANATIONS[r.failure.reason].meaning } : undefined;
  return { startedAt: r.startedAt, durationMs: toMs(r.durationSeconds), phasesMs: phasesMs(r.phases), status: r.http?.statusCode, address: r.address, failure };
}

function historyPoint(p: HistoryPoint): TargetStatus['history'][number] {
  return { at: p.at, success: p.success, durationMs: toMs(p.durationSeconds), phasesMs: phasesMs(p.phases) };
}

function udpOf(udp: NonNullable<ProbeResult['udp']>): NonNullable<TargetStatus['udp']> {
  const sorted = [...udp.rtts].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
  return {
    sent: udp.sent,
    received: udp.received,
    lossRatio: udp.sent ? 1 - udp.received / udp.sent : 0,
    rttMedianMs: median === undefined ? undefined : toMs(median),
    jitterMs: udp.jitterSeconds === undefined ? undefined : toMs(udp.jitterSeconds),
    mappedAddress: udp.mappedAddress,
  };
}

function endpointOf(t: ScheduledTarget): string {
  const spec = t.target.spec;
  if (spec.kind === 'http') return redactUrl(spec.url);
  if (spec.kind === 'dns') return spec.host;
  return `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
}

const toMs = (seconds: number) => Math.round(seconds * 1e6) / 1e3;

function phasesMs(phases: Partial<Record<Phase, number>>): PhasesMs {
  const out: PhasesMs = {};
  for (const [phase, seconds] of Object.entries(phases) as [Phase, number][]) out[phase] = toMs(seconds);
  return out;
}

interface DiscoveryLike {
  view(): { state: { instance: string; list?: { version: string }; lastCheckAt?: number; from?: string } } | undefined;
}

/** Endpoint list version when the exporter runs discovery (read structurally: discovery is optional). */
function endpointsOf(exporter: Exporter): StatusSnapshot['endpoints'] {
  const discovery = (exporter as unknown as { discovery?: Partial<DiscoveryLike> }).discovery;
  const view = typeof discovery?.view === 'function' ? (discovery as DiscoveryLike).view() : undefined;
  if (!view) return undefined;
  const { instance, list, lastCheckAt, from } = view.state;
  return { instance, version: list?.version, lastCheckAt, from };
}
