/**
 * DNS resolver identity ("who am I"): a name whose authoritative server answers with the
 * address of whoever asked it (e.g. whoami.akamai.net) reveals the egress address of each
 * recursive resolver. Microsoft's connectivity test flags a resolver far from the site:
 * remote resolvers get remote front doors. Runs on its own timer, never inside a scrape.
 */
import { resolverLabel } from '../probes/dns-client.js';
import { resolveHost } from '../probes/dns.js';
import { systemResolvers } from '../probes/resolv-conf.js';
import { isProbeError, type Reason } from '../probes/result.js';
import type { ProbeOptions, Resolver } from '../probes/target.js';
import { errorMessage } from '../probes/errors.js';
import type { Logger } from '../util/log.js';

export interface WhoamiSettings {
  name: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Empty: the system's resolvers (/etc/resolv.conf), like the probes. */
  resolvers: Resolver[];
}

export interface WhoamiAnswer {
  /** host:port of the resolver asked. */
  resolver: string;
  /** Unix ms the question was asked. */
  at: number;
  /** The resolver's egress address, as the authoritative server saw it. */
  egress?: string;
  seconds?: number;
  failure?: { reason: Reason; message: string };
}

function optionsFor(resolver: Resolver, timeoutSeconds: number): ProbeOptions {
  return {
    timeoutSeconds,
    ipVersion: 'prefer_ipv4',
    resolvers: [resolver],
    tls: { insecureSkipVerify: false },
    http: { maxBodyBytes: 0, maxHeaderBytes: 0 },
  };
}

/** Asks `name` of each resolver separately (not with failover), all at once. Never rejects. */
export async function whoami(name: string, resolvers: Resolver[], timeoutSeconds: number, signal: AbortSignal): Promise<WhoamiAnswer[]> {
  const asked = resolvers.length > 0 ? resolvers : await systemResolvers();
  return Promise.all(
    asked.map(async (resolver): Promise<WhoamiAnswer> => {
      const at = Date.now();
      try {
        const r = await resolveHost(name, optionsFor(resolver, timeoutSeconds), signal);
        return { resolver: resolverLabel(resolver), at, egress: r.address, seconds: r.seconds };
      } catch (err) {
        const reason: Reason = isProbeError(err) ? err.reason : 'internal_error';
        return { resolver: resolverLabel(resolver), at, failure: { reason, message: errorMessage(err) } };
      }
    }),
  );
}

/** The periodic check: first run at once, then one every interval after the last ended. */
export class WhoamiCheck {
  private settings?: WhoamiSettings;
  private answers: WhoamiAnswer[] = [];
  private timer?: NodeJS.Timeout;
  private controller = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly logger: Logger) {}

  /** The answers of the last completed run (empty while disabled or before the first). */
  latest(): readonly WhoamiAnswer[] {
    return this.answers;
  }

  /** Starts, restarts (settings changed) or stops (undefined) the check. */
  apply(settings: WhoamiSettings | undefined): void {
    if (JSON.stringify(settings) === JSON.stringify(this.settings)) return;
    this.halt();
    this.settings = settings;
    this.answers = [];
    if (settings) this.runNow(settings);
  }

  async stop(): Promise<void> {
    this.halt();
    this.settings = undefined;
    await this.running;
  }

  private halt(): void {
    clearTimeout(this.timer);
    this.controller.abort();
    this.controller = new AbortController();
  }

  private runNow(settings: WhoamiSettings): void {
    const { signal } = this.controller;
    const run = whoami(settings.name, settings.resolvers, settings.timeoutSeconds, signal).then((answers) => {
      if (signal.aborted) return; // settings changed or stopping meanwhile
      this.answers = answers;
      for (const a of answers.filter((x) => x.failure)) {
        this.logger.warn('dns who-am-i query failed', { name: settings.name, resolver: a.resolver, reason: a.failure?.reason, error: a.failure?.message });
      }
      this.timer = setTimeout(() => this.runNow(settings), settings.intervalSeconds * 1000);
      this.timer.unref();
    });
    this.running = run;
  }
}
