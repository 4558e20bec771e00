/**
 * The diagnostics' memory: per target the last front doors and TLS verdict seen, the score
 * samples, and the who-am-i check. Fed by the scheduler as a ResultObserver; read by
 * src/metrics/diagnostics-metrics.ts at scrape time. No metrics and no network work here
 * (the who-am-i check runs on its own timer).
 *
 * A finding is replaced only by a result that carries what it is made from, so a probe that
 * failed before the answer (a timeout) leaves the last front door and verdict in place
 * rather than making the series blink.
 */
import type { Config } from '../config/schema.js';
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver } from '../scheduler/results.js';
import type { Logger } from '../util/log.js';
import type { LatLon } from './distance.js';
import { frontDoors, type FrontDoor } from './frontdoor.js';
import { DEFAULT_TLS_ISSUERS, interceptionOf, issuerMatcher, type InterceptionFinding, type IssuerMatcher } from './interception.js';
import { NetworkScores } from './network-score.js';
import { WhoamiCheck } from './resolver.js';

export interface TargetFindings {
  target: ScheduledTarget;
  /** Nearest to the client first; empty: the answer named none. Absent: nothing seen yet. */
  frontDoors?: FrontDoor[];
  /** Absent until a certificate was seen. */
  interception?: InterceptionFinding;
}

export class Diagnostics implements ResultObserver {
  readonly scores = new NetworkScores();
  readonly whoami: WhoamiCheck;
  /** The site's own location (config `location`), for front door distance. */
  location?: LatLon;
  private readonly findings = new Map<string, TargetFindings>();
  private isMicrosoft: IssuerMatcher = issuerMatcher(DEFAULT_TLS_ISSUERS);
  private issuerPatterns: readonly string[] = DEFAULT_TLS_ISSUERS;

  constructor(logger: Logger) {
    this.whoami = new WhoamiCheck(logger);
  }

  /** Takes the diagnostics settings of a (re)loaded config; starts or stops the who-am-i check. */
  apply(config: Config): void {
    this.location = config.location ? { lat: config.location.lat, lon: config.location.lon } : undefined;
    const patterns = config.diagnostics.tls_issuers;
    if (patterns.join('\n') !== this.issuerPatterns.join('\n')) {
      this.issuerPatterns = patterns;
      this.isMicrosoft = issuerMatcher(patterns);
      // Verdicts were made against the old list; the next certificate of each target re-decides.
      for (const f of this.findings.values()) f.interception = undefined;
    }
    this.scores.setWindow(config.diagnostics.score_window);
    const w = config.diagnostics.whoami;
    this.whoami.apply(w && { name: w.name, intervalSeconds: w.interval, timeoutSeconds: config.defaults.timeout, resolvers: config.resolvers });
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    const f = this.findings.get(target.key) ?? { target };
    f.target = target;
    if (result.http || result.dns) f.frontDoors = frontDoors(result);
    const interception = interceptionOf(result, this.isMicrosoft);
    if (interception) f.interception = interception;
    this.findings.set(target.key, f);
    this.scores.observe(target, result);
  }

  forget(target: ScheduledTarget): void {
    this.findings.delete(target.key);
  }

  all(): TargetFindings[] {
    return [...this.findings.values()];
  }

  async stop(): Promise<void> {
    await this.whoami.stop();
  }
}
