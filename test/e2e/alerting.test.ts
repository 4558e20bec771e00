/**
 * End to end: the built exporter probes local targets; a real Prometheus scrapes it every
 * second with rules/alerts.yml and rules/recording.yml loaded unchanged (no test copy, no
 * shortened `for`) and sends to a real Alertmanager whose webhook receiver is a server in
 * this test. Breaking the healthy target (its certificate swapped for one from a foreign
 * "inspection" CA, as a TLS-inspecting proxy would present) must deliver
 * O365TLSCertificateRejected to the webhook; healing it must deliver the resolution.
 * That rule has no `for`, which is what keeps this test short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB, startLab, type Lab } from '../helpers/o365-lab.js';

const ALERT = 'O365TLSCertificateRejected';
let lab: Lab | undefined;
const getLab = (): Lab => {
  if (!lab) throw new Error('lab not started');
  return lab;
};

beforeAll(async () => {
  lab = await startLab({ alerting: true });
  // Rules are evaluated and alerts reach Alertmanager: the refused target's alerts are pending.
  await lab.prometheus.waitFor(`ALERTS{alertname="O365TargetDown", target="${LAB.down}"}`, (s) => s.length > 0, 60_000);
  await lab.prometheus.waitFor(`o365_probe_success{target="${LAB.healthy}"}`, (s) => s[0]?.value === 1, 30_000);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('alerting end to end', () => {
  it(`${ALERT} reaches the webhook when the target presents a foreign CA's certificate, and resolves when healed`, async () => {
    const { https, pki, webhook, prometheus } = getLab();
    if (!webhook) throw new Error('no webhook');
    // Quiet case: a refused connection is not a certificate problem, and the healthy target is healthy.
    expect(await prometheus.query(`ALERTS{alertname="${ALERT}"}`)).toEqual([]);
    expect(webhook.messages.flatMap((m) => m.alerts).filter((a) => a.labels.alertname === ALERT)).toEqual([]);

    expect((await prometheus.query(`o365_tls_intercepted{target="${LAB.healthy}", path="direct"}`))[0]?.value).toBe(0);

    const brokenAt = Date.now();
    https.useCertificate(pki.inspected);
    const firing = await webhook.waitForAlert(`${ALERT} firing for ${LAB.healthy}`, (a) => a.labels.alertname === ALERT && a.labels.target === LAB.healthy && a.labels.path === 'direct' && a.status === 'firing');
    const firedAfterMs = Date.now() - brokenAt;
    expect(firing.labels).toMatchObject({ severity: 'warning', site: LAB.site, service: 'Exchange', category: 'Optimize', path: 'direct', job: 'o365' });
    expect(firing.annotations.summary).toBe(`TLS certificate of ${LAB.healthy} rejected at ${LAB.site}`);
    expect(firing.annotations.runbook_url).toMatch(new RegExp(`/docs/runbooks/${ALERT}\\.md$`));
    expect(firing.annotations.description).toContain('TLS inspection');
    // The exporter saw the inspection CA: the reason is on the failure counter.
    const reasons = await prometheus.query(`o365_probe_failures_total{target="${LAB.healthy}"}`);
    expect(reasons.map((s) => s.metric.reason)).toContain('tls_untrusted_issuer');
    // The interception diagnostic sees the foreign issuer too; its alert (for: 5m) is pending.
    await prometheus.waitFor(`o365_tls_intercepted{target="${LAB.healthy}", path="direct"}`, (s) => s[0]?.value === 1, 15_000);
    await prometheus.waitFor(`ALERTS{alertname="O365TLSInterceptionDetected", alertstate="pending", target="${LAB.healthy}", path="direct"}`, (s) => s.length === 1, 15_000);

    const healedAt = Date.now();
    https.useCertificate(pki.valid);
    const resolved = await webhook.waitForAlert(`${ALERT} resolved for ${LAB.healthy}`, (a) => a.labels.alertname === ALERT && a.labels.target === LAB.healthy && a.labels.path === 'direct' && a.status === 'resolved');
    const resolvedAfterMs = Date.now() - healedAt;
    expect(Date.parse(resolved.endsAt)).toBeGreaterThan(Date.parse(firing.startsAt));
    expect(Date.parse(resolved.endsAt)).toBeGreaterThanOrEqual(healedAt - 1000);
    // teams-lab is served by the same server, so it broke and healed too: if it alerted, it resolved.
    // sharepoint-down (connection refused all along) never raised the certificate alert.
    const teams = webhook.messages.flatMap((m) => m.alerts).filter((a) => a.labels.alertname === ALERT && a.labels.target === LAB.teams);
    if (teams.some((a) => a.status === 'firing')) {
      await webhook.waitForAlert(`${ALERT} resolved for ${LAB.teams}`, (a) => a.labels.alertname === ALERT && a.labels.target === LAB.teams && a.status === 'resolved');
    }
    expect(webhook.messages.flatMap((m) => m.alerts).filter((a) => a.labels.alertname === ALERT && a.labels.target === LAB.down)).toEqual([]);
    console.log(`${ALERT}: firing at the webhook ${firedAfterMs} ms after the break, resolved ${resolvedAfterMs} ms after the heal`);
  }, 90_000);
});
