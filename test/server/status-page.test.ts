/**
 * The status page in a real headless browser (Debian chromium through playwright-core)
 * against an exporter probing local peers: a healthy HTTPS target reached through a local
 * DNS server, a refused one, and one whose server is stopped during the test. Screenshots
 * go to test-artifacts/ (gitignored).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import { runProbe } from '../../src/probes/index.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import type { StatusSnapshot } from '../../src/server/status-api.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { refusedPort, startHttpsServer, type TestServer } from '../helpers/servers.js';
import { startStubExporter, type StubExporter } from '../helpers/stub-exporter.js';

// The page.evaluate callbacks below run in the browser; this project compiles without the DOM lib.
interface BrowserElement {
  getBoundingClientRect(): { left: number; right: number };
}
declare const document: { querySelectorAll(selector: string): Iterable<BrowserElement>; documentElement: BrowserElement & { scrollWidth: number } };
declare const window: { innerWidth: number; __pwned?: number };
declare function getComputedStyle(element: BrowserElement): { fontSize: string };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(root, 'test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Free text from the config, shown on the page: must come out as text. */
const HOSTILE_SERVICE = '<img src=x onerror="window.__pwned=1">Teams & Co';

describe('status page in chromium', () => {
  let pki: Pki;
  let healthy: TestServer;
  let breakable: TestServer;
  let dns: TestDnsServer;
  let exporter: Exporter;
  let server: Server | undefined;
  let base: string;
  let tmp: string;
  let browser: Browser;
  let page: Page;
  let stub: StubExporter | undefined;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    pki = makePki();
    healthy = await startHttpsServer(pki.valid, { status: 200, headers: { 'x-feserver': 'AM0PR01CA0001' } });
    breakable = await startHttpsServer(pki.valid, { status: 200 });
    dns = await startDnsServer({ 'outlook.test': { cname: 'lhr-efz.ms-acdc.office.test' }, 'lhr-efz.ms-acdc.office.test': { a: ['127.0.0.1'] } });
    tmp = mkdtempSync(join(tmpdir(), 'o365-status-page-'));
    const ca = join(tmp, 'ca.pem');
    writeFileSync(ca, pki.ca.cert);
    writeFileSync(
      join(tmp, 'config.yml'),
      `resolvers: ["${dns.resolver.host}:${dns.resolver.port}"]
defaults: {interval: 1s, timeout: 5s, ip_version: ipv4}
proxies: [{name: corp, url: "http://user:s3cret@127.0.0.1:3128"}]
targets:
  - {name: mail, url: "https://outlook.test:${healthy.port}/owa/", service: Exchange, category: Default, tls: {ca_file: "${ca}", server_name: localhost}, headers: {authorization: "Bearer t0ken"}}
  - {name: files, url: "https://127.0.0.1:${await refusedPort()}/", service: SharePoint, category: Optimize}
  - {name: chat, url: "https://127.0.0.1:${breakable.port}/", service: '${HOSTILE_SERVICE}', category: Allow, tls: {ca_file: "${ca}", server_name: localhost}}
`,
    );
    exporter = await Exporter.start({ configFile: join(tmp, 'config.yml') });
    const listening = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('Failed to load resource') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${base}/?refresh=1`);
  });

  afterAll(async () => {
    await browser?.close();
    await stub?.stop();
    if (server) await close(server);
    await exporter?.stop();
    await Promise.all([healthy?.close(), breakable?.close(), dns?.close()]);
    pki?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const card = (name: string) => page.locator(`article[data-target="${name}"]`);

  it('shows a healthy target with its waterfall, status and front door', async () => {
    await card('mail').and(page.locator('[data-state="up"]')).waitFor({ timeout: 15_000 });
    const mail = card('mail');
    await expect(mail.locator('.state').textContent()).resolves.toBe('UP');
    const phases = await mail.locator('.legend [data-phase]').evaluateAll((items) => items.map((i) => i.getAttribute('data-phase')));
    expect(phases).toEqual(['dns', 'connect', 'tls', 'first_byte', 'transfer']);
    expect(await mail.locator('.legend').textContent()).toMatch(/DNS [\d.]+ ms.*connect [\d.]+ ms.*TLS [\d.]+ ms.*first byte [\d.]+ ms/);
    expect(await mail.locator('.bar span').count()).toBe(5);
    expect(await mail.locator('.facts').textContent()).toMatch(/^HTTP 200 · [\d.]+ ms total · \d+ s ago$/);
    expect(await mail.locator('.frontdoor').textContent()).toBe('Front door LHR (London) from cname');
    // The test CA is not one of Microsoft's: the page flags it as TLS interception.
    expect(await mail.locator('.flags').textContent()).toBe('TLS intercepted: o365-exporter Test CA');
    expect(await mail.locator('.failure').count()).toBe(0);
    expect(await mail.locator('svg.spark polyline').count()).toBe(1);
    expect(await mail.locator('.history').textContent()).toMatch(/^\d+ recent probes?, \d+ % ok, [\d.]+ ms to [\d.]+ ms$/);
  });

  it('shows a failing target with the failed phase and reason in words', async () => {
    await card('files').and(page.locator('[data-state="down"]')).waitFor({ timeout: 15_000 });
    const files = card('files');
    await expect(files.locator('.state').textContent()).resolves.toBe('DOWN');
    expect(await files.locator('.failure').textContent()).toMatch(/^Failed in connect: connect_refused — the TCP connection was refused/);
    expect(await files.locator('svg.spark rect.fail').count()).toBeGreaterThan(0);
    // The waterfall shows the phase that failed, with the time spent in it.
    expect(await files.locator('.legend [data-failed="true"]').textContent()).toMatch(/^connect failed after [\d.]+ ms$/);
    expect(await files.locator('.bar span.failed').count()).toBe(1);
    expect(await files.locator('.endpoint').textContent()).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await page.locator('section[data-service="SharePoint"] h2').textContent()).toContain('1 down');
  });

  it('shows text from the config as text, never as HTML', async () => {
    const heading = page.locator('section h2', { hasText: 'Teams & Co' });
    expect(await heading.textContent()).toContain(HOSTILE_SERVICE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  });

  it('updates by itself when a target breaks', async () => {
    await card('chat').and(page.locator('[data-state="up"]')).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'status-desktop.png'), fullPage: true });
    await breakable.close();
    // No reload: the page polls api/status and the exporter probes every second.
    await card('chat').and(page.locator('[data-state="down"]')).waitFor({ timeout: 20_000 });
    expect(await card('chat').locator('.failure').textContent()).toMatch(/^Failed in connect: connect_refused/);
    expect(await page.title()).toBe('(2 down) o365-exporter status');
    await page.screenshot({ path: join(ARTIFACTS, 'status-desktop-broken.png'), fullPage: true });
  }, 90_000);

  it('is readable on a phone: one column, no sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await card('mail').waitFor();
    const layout = await page.evaluate(() => {
      const cards = [...document.querySelectorAll('article.card')].map((c) => c.getBoundingClientRect());
      return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, rights: cards.map((r) => r.right), lefts: new Set(cards.map((r) => Math.round(r.left))).size };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
    expect(Math.max(...layout.rights)).toBeLessThanOrEqual(layout.innerWidth);
    expect(layout.lefts).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'status-phone.png'), fullPage: true });
  });

  it('scales up on a wall screen, cards side by side', async () => {
    await page.setViewportSize({ width: 2560, height: 1440 });
    const wall = await page.evaluate(() => ({
      fontSize: parseFloat(getComputedStyle(document.documentElement).fontSize),
      scrollWidth: document.documentElement.scrollWidth,
      columns: new Set([...document.querySelectorAll('article.card')].map((c) => Math.round(c.getBoundingClientRect().left))).size,
    }));
    expect(wall.fontSize).toBeGreaterThanOrEqual(19);
    expect(wall.scrollWidth).toBeLessThanOrEqual(2560);
    // Three targets, three columns side by side.
    expect(wall.columns).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'status-wall.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('links /metrics, /-/ready and a redacted config view', async () => {
    const hrefs = await page.locator('header nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(expect.arrayContaining(['metrics', '-/ready', 'config']));
    for (const href of hrefs) expect((await fetch(new URL(href ?? '', `${base}/`))).status, href ?? '').toBe(200);
    const config = await (await fetch(`${base}/config`)).text();
    expect(config).toContain('name: mail');
    expect(config).not.toContain('s3cret');
    expect(config).not.toContain('t0ken');
    expect(config).toContain('http://REDACTED:REDACTED@127.0.0.1:3128');
  });

  it('serves the JSON it polls, and the page under a strict CSP without errors', async () => {
    const res = await fetch(`${base}/api/status`);
    const snapshot = (await res.json()) as StatusSnapshot;
    expect(snapshot.services.map((s) => s.service)).toEqual([HOSTILE_SERVICE, 'Exchange', 'SharePoint'].sort((a, b) => a.localeCompare(b)));
    const mail = snapshot.services.find((s) => s.service === 'Exchange')?.targets[0];
    expect(mail).toMatchObject({ name: 'mail', path: 'direct', state: 'up', kind: 'http', frontDoor: { code: 'LHR', city: 'London' }, flags: { tlsIntercepted: 'o365-exporter Test CA' } });
    expect(mail?.history.length).toBeGreaterThan(0);
    const page0 = await fetch(`${base}/`);
    expect(page0.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/);
    expect(problems).toEqual([]);
  });

  it('renders Teams UDP figures, a proxy path, TLS interception and a probe still running', async () => {
    stub = await startStubExporter();
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    other.on('pageerror', (e) => problems.push(e.message));
    await other.goto(`${stub.base}/?refresh=1`);
    const relay = other.locator('article[data-target="relay"]');
    await relay.locator('.udp').waitFor({ timeout: 10_000 });
    expect(await relay.locator('.udp').textContent()).toBe('UDP 8/10 answered, loss 20.0 %, RTT 120 ms, jitter 35 ms, seen as 203.0.113.7');
    expect(await relay.locator('.verdicts li').allTextContents()).toEqual(["UDP loss 20.0 %: above Teams' 1 %", "UDP round trip 120 ms: above Teams' 100 ms", "UDP jitter 35 ms: above Teams' 30 ms"]);
    const viaCorp = other.locator('article[data-target="mail"][data-path="corp"]');
    await viaCorp.locator('.legend').waitFor();
    expect(await viaCorp.locator('.title .chip').allTextContents()).toEqual(['Optimize', 'via corp']);
    expect(await viaCorp.locator('.legend').textContent()).toContain('proxy 90 ms');
    expect(await viaCorp.locator('.flags').textContent()).toBe('TLS intercepted: Corporate Inspection CA');
    expect(await viaCorp.locator('.frontdoor').textContent()).toBe('Front door AMS (Amsterdam) from x-msedge-ref');
    expect(await other.locator('article[data-target="slow"] .empty').textContent()).toBe('waiting for the first probe');
    expect(await other.locator('article[data-target="slow"]').getAttribute('data-state')).toBe('pending');
    await other.screenshot({ path: join(ARTIFACTS, 'status-diagnostics.png'), fullPage: true });
    await other.close();
  }, 90_000);

  it('says so when the exporter cannot be reached, and keeps the last data', async () => {
    await close(server as Server);
    server = undefined;
    await page.locator('#banner.show').waitFor({ timeout: 15_000 });
    expect(await page.locator('#banner').textContent()).toMatch(/^Cannot reach the exporter/);
    expect(await card('mail').count()).toBe(1);
    expect(await page.locator('body').getAttribute('data-connected')).toBe('false');
  });
});
