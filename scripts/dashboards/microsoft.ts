/**
 * Microsoft's numbers, drawn as thresholds on the panels (REFERENCE.md section 2; the same
 * values are in rules/alerts.yml, and test/dashboards/thresholds.test.ts checks they agree).
 */
import { steps } from './build.js';

export const MS = {
  /** Network assessment: Exchange median TCP connect 25 ms = score 80 (healthy line), 100 ms = 60. */
  exchangeConnectHealthySeconds: 0.025,
  exchangeConnectPoorSeconds: 0.1,
  /** Troubleshooting guidance: DNS resolution ideally under 100 ms. */
  dnsSeconds: 0.1,
  /** Teams client -> Microsoft edge targets. */
  teamsRttSeconds: 0.1,
  teamsJitterSeconds: 0.03,
  teamsLossRatio: 0.01,
  /** Connectivity test flags a front door or egress farther than 800 km. */
  frontDoorKm: 800,
  /** Network assessment score: 80 is the healthy line. */
  healthyScore: 80,
  /** Not Microsoft's: the exporter's own certificate warning (rules/alerts.yml). */
  certWarningSeconds: 14 * 86400,
} as const;

export const T = {
  exchangeConnect: steps(['green', null], ['yellow', MS.exchangeConnectHealthySeconds], ['red', MS.exchangeConnectPoorSeconds]),
  dns: steps(['green', null], ['red', MS.dnsSeconds]),
  teamsRtt: steps(['green', null], ['red', MS.teamsRttSeconds]),
  teamsJitter: steps(['green', null], ['red', MS.teamsJitterSeconds]),
  teamsLoss: steps(['green', null], ['red', MS.teamsLossRatio]),
  frontDoor: steps(['green', null], ['red', MS.frontDoorKm]),
  score: steps(['red', null], ['yellow', 60], ['green', MS.healthyScore]),
  certExpiry: steps(['red', null], ['yellow', 3 * 86400], ['green', MS.certWarningSeconds]),
  /** 1 = good. */
  ok: steps(['red', null], ['green', 1]),
  /** 1 = bad (interception, a flag raised). */
  flag: steps(['green', null], ['red', 1]),
  availability: steps(['red', null], ['yellow', 0.99], ['green', 0.999]),
};
