/**
 * The Helm chart with a real helm 3.10: lint, render with several values files, and check the
 * parsed manifests (kinds, apiVersions, labels, hardening, probes, checksum) and the schema.
 * The rules, dashboards and config it carries are checked in helm-assets.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART, VALUES, helm, only, podSpec, render, renderNotes, template, workload, type Container, type K8sObject, type PodSpec, type ScrapeEndpoint } from '../helpers/helm.js';

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  DaemonSet: 'apps/v1',
  Service: 'v1',
  ConfigMap: 'v1',
  ServiceAccount: 'v1',
  Pod: 'v1',
  ServiceMonitor: 'monitoring.coreos.com/v1',
  PodMonitor: 'monitoring.coreos.com/v1',
  PrometheusRule: 'monitoring.coreos.com/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  PodDisruptionBudget: 'policy/v1',
};
const GOOD_VALUES: [string, string[]][] = [
  ['defaults', []],
  ['all options', ['all-options.yaml']],
  ['DaemonSet', ['daemonset.yaml']],
  ['web config', ['web-config.yaml']],
];
/** What the listener speaks with each of GOOD_VALUES (all-options and web-config set webConfig.scheme: https). */
const PROBE_SCHEME: Record<string, string> = { defaults: 'HTTP', 'all options': 'HTTPS', DaemonSet: 'HTTP', 'web config': 'HTTPS' };
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => o.kind).sort();
}

function exporterContainer(spec: PodSpec): Container {
  const container = spec.containers.find((c) => c.name === 'exporter');
  if (!container) throw new Error('no exporter container');
  return container;
}

function expectHardened(spec: PodSpec, container: Container): void {
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(container.securityContext).toMatchObject({
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(container.securityContext).not.toHaveProperty('capabilities.add');
  expect(container.resources?.requests).toHaveProperty('memory');
  expect(container.resources?.limits).toHaveProperty('memory');
  expect(spec.automountServiceAccountToken).toBe(false);
}

describe('helm chart: lint and render', () => {
  it.each(GOOD_VALUES)('passes helm lint --strict with %s', async (_name, files) => {
    const result = await helm(['lint', '--strict', CHART, ...files.flatMap((f) => ['-f', path.join(VALUES, f)])]);
    expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  it('renders a hardened Deployment, Service, ConfigMap, ServiceAccount and a test pod by default', async () => {
    const objects = await render();
    expect(kinds(objects)).toEqual(['ConfigMap', 'Deployment', 'Pod', 'Service', 'ServiceAccount']);
    const deployment = only(objects, 'Deployment');
    expect(deployment.spec).toMatchObject({ replicas: 1 });
    const spec = podSpec(deployment);
    expectHardened(spec, exporterContainer(spec));
    expect(spec.hostNetwork).toBeUndefined();
  });

  it.each(GOOD_VALUES)('uses the expected apiVersion, labels and valid names for every object (%s)', async (_name, files) => {
    for (const object of await render(files)) {
      expect(object.apiVersion, object.kind).toBe(API_VERSIONS[object.kind]);
      expect(object.metadata.name).toMatch(DNS1123);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
      expect(object.metadata.labels).toMatchObject({
        'helm.sh/chart': 'o365-exporter-0.2.0',
        'app.kubernetes.io/name': 'o365-exporter',
        'app.kubernetes.io/instance': 'site-a',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/version': expect.stringMatching(/^\d+\.\d+\.\d+/),
      });
    }
  });

  it.each(GOOD_VALUES)('probes /-/healthy and /-/ready on the named port the Service targets (%s)', async (name, files) => {
    const objects = await render(files);
    const spec = podSpec(workload(objects));
    const container = exporterContainer(spec);
    const service = only(objects, 'Service');
    const servicePort = service.spec?.ports?.[0];
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/-/healthy', port: 'http', scheme: PROBE_SCHEME[name] });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/-/ready', port: 'http', scheme: PROBE_SCHEME[name] });
    expect(servicePort?.targetPort).toBe('http');
    const httpPort = container.ports?.find((p) => p.name === 'http');
    expect(httpPort?.containerPort).toBe(servicePort?.port);
    expect(container.args).toContain(`--web.listen-address=:${httpPort?.containerPort}`);
    expect(container.args).toContain('--config.file=/etc/o365-exporter/config.yml');
    expect(container.args).toContain('--storage.path=/data');
    // The Service and the workload select the pods by labels the pods really carry.
    const podLabels = workload(objects).spec?.template?.metadata.labels ?? {};
    expect(podLabels).toMatchObject(service.spec?.selector ?? { missing: true });
    expect(podLabels).toMatchObject(workload(objects).spec?.selector?.matchLabels ?? { missing: true });
    // Read-only root filesystem: the config read-only, /data and /tmp writable volumes.
    const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(mounts['/etc/o365-exporter']?.readOnly).toBe(true);
    expect(mounts['/data']?.readOnly).toBeFalsy();
    expect(mounts['/tmp']?.readOnly).toBeFalsy();
    expectHardened(spec, container);
  });

  it('renders every optional object with all options on', async () => {
    const objects = await render(['all-options.yaml']);
    expect(kinds(objects).filter((k) => k !== 'ConfigMap')).toEqual(['Deployment', 'NetworkPolicy', 'Pod', 'PodDisruptionBudget', 'PodMonitor', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const deployment = only(objects, 'Deployment');
    expect(deployment.metadata.annotations).toMatchObject({ 'reloader.stakater.com/auto': 'true' });
    const container = exporterContainer(podSpec(deployment));
    expect(container.image).toBe('registry.example.com/net/o365-exporter@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(container.args).toEqual(expect.arrayContaining(['--log.level=debug', '--log.format=json', '--web.config.file=/etc/o365-exporter-web/web.yml']));
    expect(podSpec(deployment).volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'o365-ams-data' } });
    expect(only(objects, 'ServiceMonitor').metadata.namespace).toBe('monitoring');
    expect(only(objects, 'ServiceMonitor').spec?.endpoints?.[0]?.port).toBe('http');
    expect(only(objects, 'PodMonitor').spec?.podMetricsEndpoints?.[0]?.port).toBe('http');
    expect(only(objects, 'ServiceMonitor').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', team: 'network-operations' });
    // Every selector selects what it is meant to: the Service (ServiceMonitor) or the pods.
    const podLabels = deployment.spec?.template?.metadata.labels ?? {};
    expect(only(objects, 'Service').metadata.labels).toMatchObject(only(objects, 'ServiceMonitor').spec?.selector?.matchLabels ?? { missing: true });
    for (const kind of ['PodMonitor', 'PodDisruptionBudget']) expect(podLabels).toMatchObject(only(objects, kind).spec?.selector?.matchLabels ?? { missing: true });
    expect(podLabels).toMatchObject((only(objects, 'NetworkPolicy').spec as unknown as { podSelector: { matchLabels: object } }).podSelector.matchLabels);
    expect(only(objects, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 1 });
    expect(only(objects, 'PodDisruptionBudget').spec).not.toHaveProperty('maxUnavailable');
    const policy = only(objects, 'NetworkPolicy').spec as unknown as { policyTypes: string[]; egress: { ports: { port: number; endPort?: number; protocol: string }[] }[] };
    expect(policy.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.egress.flatMap((r) => r.ports)).toEqual(expect.arrayContaining([{ port: 53, protocol: 'UDP' }, { port: 443, protocol: 'TCP' }, { port: 3478, endPort: 3481, protocol: 'UDP' }]));
    // The helm test pod: same image, asks /-/ready of the Service, as hardened as the exporter.
    const testPod = only(objects, 'Pod');
    expect(testPod.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    const testContainer = podSpec(testPod).containers[0] as Container;
    expect(testContainer.image).toBe(container.image);
    expect(JSON.stringify(testContainer)).toContain('https://o365-ams.o365.svc:9400/-/ready');
    expect(testContainer.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  });

  it('renders a DaemonSet on the host network with kind: DaemonSet', async () => {
    const objects = await render(['daemonset.yaml']);
    expect(kinds(objects)).not.toContain('Deployment');
    const spec = podSpec(only(objects, 'DaemonSet'));
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(only(objects, 'DaemonSet').spec).not.toHaveProperty('replicas');
  });

  it('changes the checksum/config annotation when the config changes, and only then', async () => {
    const checksum = async (sets: string[]) => workload(await render([], sets)).spec?.template?.metadata.annotations?.['checksum/config'];
    const base = await checksum([]);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await checksum(['config.defaults.interval=45s'])).not.toBe(base);
    expect(await checksum(['site=branch-7'])).not.toBe(base);
    expect(await checksum(['resources.limits.memory=512Mi', 'logLevel=debug'])).toBe(base);
    // A ConfigMap the chart does not render cannot be hashed: no annotation, and none claimed.
    const external = await render([], ['existingConfigMap=my-config']);
    expect(workload(external).spec?.template?.metadata.annotations ?? {}).not.toHaveProperty('checksum/config');
    expect(external.some((o) => o.kind === 'ConfigMap')).toBe(false);
  });

  it('rejects a site given twice with different values', async () => {
    const result = await template([], ['site=a', 'config.labels.site=b']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/site "a" and config.labels.site "b" disagree/);
  });
});

describe('helm chart: web config (webConfig)', () => {
  const WEB_DIR = '/etc/o365-exporter-web';
  const endpoint = (objects: K8sObject[], kind: 'ServiceMonitor' | 'PodMonitor'): ScrapeEndpoint | undefined => {
    const spec = only(objects, kind).spec;
    return (kind === 'ServiceMonitor' ? spec?.endpoints : spec?.podMetricsEndpoints)?.[0];
  };

  it('renders no web config by default: no Secret volume or mount, no flag, HTTP everywhere', async () => {
    const objects = await render([], ['serviceMonitor.enabled=true', 'podMonitor.enabled=true']);
    const spec = podSpec(workload(objects));
    const container = exporterContainer(spec);
    expect(spec.volumes?.map((v) => v.name)).not.toContain('web-config');
    expect(container.volumeMounts?.map((m) => m.mountPath)).not.toContain(WEB_DIR);
    expect(container.args?.some((a) => a.startsWith('--web.config.file'))).toBe(false);
    expect(container.livenessProbe?.httpGet?.scheme).toBe('HTTP');
    expect(container.readinessProbe?.httpGet?.scheme).toBe('HTTP');
    for (const kind of ['ServiceMonitor', 'PodMonitor'] as const) {
      expect(endpoint(objects, kind)?.scheme, kind).toBe('http');
      expect(endpoint(objects, kind), kind).not.toHaveProperty('tlsConfig');
      expect(endpoint(objects, kind), kind).not.toHaveProperty('basicAuth');
    }
    expect(podSpec(only(objects, 'Pod')).containers[0]?.env).toEqual([{ name: 'READY_URL', value: 'http://site-a-o365-exporter.o365.svc:9365/-/ready' }]);
  });

  it('mounts the whole Secret read-only, passes --web.config.file in it, probes over HTTPS', async () => {
    const objects = await render(['web-config.yaml']);
    const spec = podSpec(workload(objects));
    const container = exporterContainer(spec);
    // 0440 (288): the pod's fsGroup 65532 owns the files, so the exporter reads the key and no one else.
    expect(spec.volumes).toContainEqual({ name: 'web-config', secret: { secretName: 'o365-web', defaultMode: 0o440 } });
    const mount = container.volumeMounts?.find((m) => m.name === 'web-config');
    expect(mount).toEqual({ name: 'web-config', mountPath: WEB_DIR, readOnly: true });
    expect(container.args?.filter((a) => a.startsWith('--web.config.file'))).toEqual([`--web.config.file=${WEB_DIR}/web.yml`]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/-/healthy', port: 'http', scheme: 'HTTPS' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/-/ready', port: 'http', scheme: 'HTTPS' });
    expect(podSpec(only(objects, 'Pod')).containers[0]?.env).toEqual([{ name: 'READY_URL', value: 'https://site-a-o365-exporter.o365.svc:9365/-/ready' }]);
    expectHardened(spec, container);
  });

  it('passes the monitors\' tlsConfig and basicAuth through unchanged, with scheme https', async () => {
    const values = parse(fs.readFileSync(path.join(VALUES, 'web-config.yaml'), 'utf8')) as Record<'serviceMonitor' | 'podMonitor', { tlsConfig: object; basicAuth: object }>;
    const objects = await render(['web-config.yaml']);
    for (const [kind, key] of [['ServiceMonitor', 'serviceMonitor'], ['PodMonitor', 'podMonitor']] as const) {
      const scrape = endpoint(objects, kind);
      expect(scrape?.scheme, kind).toBe('https');
      expect(scrape?.tlsConfig, kind).toEqual(values[key].tlsConfig);
      expect(scrape?.basicAuth, kind).toEqual(values[key].basicAuth);
    }
    // ServiceMonitor's TLSConfig also takes files in the Prometheus container (all-options.yaml).
    const all = await render(['all-options.yaml']);
    expect(endpoint(all, 'ServiceMonitor')?.tlsConfig).toEqual({ caFile: '/etc/prometheus/secrets/o365-ams-scrape/ca.crt', serverName: 'o365-ams.o365.svc' });
  });

  it('takes another key name, 0444 without fsGroup, and the same in a DaemonSet with the reloader annotation', async () => {
    const objects = await render(['web-config.yaml'], ['webConfig.key=exporter-web.yaml', 'podSecurityContext.fsGroup=null', 'kind=DaemonSet', 'reloader.enabled=true']);
    const daemonSet = only(objects, 'DaemonSet');
    const spec = podSpec(daemonSet);
    expect(exporterContainer(spec).args).toContain(`--web.config.file=${WEB_DIR}/exporter-web.yaml`);
    expect(spec.volumes).toContainEqual({ name: 'web-config', secret: { secretName: 'o365-web', defaultMode: 0o444 } });
    // Reloader's auto annotation restarts the pods when a Secret they mount changes.
    expect(daemonSet.metadata.annotations).toMatchObject({ 'reloader.stakater.com/auto': 'true' });
  });

  it('fails on contradictions it can see: two web configs, https without one', async () => {
    const twice = await template(['web-config.yaml'], ['extraArgs={--web.config.file=/x/web.yml}']);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/webConfig\.existingSecret and a --web\.config\.file in extraArgs both set a web config/);
    const none = await template([], ['webConfig.scheme=https']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/webConfig\.scheme is https but no web config is set: set webConfig\.existingSecret/);
    // The older way, a flag and a volume of one's own, still gets HTTPS probes from scheme.
    const manual = await render([], ['webConfig.scheme=https', 'extraArgs={--web.config.file=/etc/web/web.yml}']);
    const container = exporterContainer(podSpec(workload(manual)));
    expect(container.args).toContain('--web.config.file=/etc/web/web.yml');
    expect(container.readinessProbe?.httpGet?.scheme).toBe('HTTPS');
  });
});

describe('helm chart: NOTES.txt', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'o365-notes-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('tells where the metrics are and asks for a site when none is set', async () => {
    const notes = await renderNotes(tmp);
    expect(notes).toContain('http://site-a-o365-exporter.o365.svc:9365/metrics');
    expect(notes).toMatch(/No `site` is set/);
    expect(notes).toMatch(/helm test site-a -n o365/);
    expect(notes).not.toMatch(/Warning/);
  });

  it('names the site and warns about duplicate scraping with all options on', async () => {
    const notes = await renderNotes(tmp, [], ['all-options.yaml']);
    expect(notes).toMatch(/measuring from site "amsterdam-hq"/);
    expect(notes).toMatch(/Warning: 2 replicas each probe every target/);
    expect(notes).toMatch(/Warning: both a ServiceMonitor and a PodMonitor/);
  });

  it('explains the web config: probes without credentials or client certificate, reload by restart', async () => {
    const notes = await renderNotes(tmp, [], ['web-config.yaml']);
    expect(notes).toContain('https://site-a-o365-exporter.o365.svc:9365/metrics');
    expect(notes).toContain('Web config: Secret o365-web (key web.yml) mounted at /etc/o365-exporter-web');
    expect(notes).toMatch(/list \/-\/healthy and \/-\/ready in unauthenticated_paths/);
    expect(notes).toMatch(/RequireAndVerifyClientCert or\s+RequireAnyClientCert fails them; use VerifyClientCertIfGiven/);
    expect(notes).toMatch(/rollout restart deployment\/site-a-o365-exporter, or set reloader\.enabled=true/);
    expect(notes).not.toMatch(/no serviceMonitor\.tlsConfig|no podMonitor\.tlsConfig/);
    const reloading = await renderNotes(tmp, ['reloader.enabled=true'], ['web-config.yaml']);
    expect(reloading).toMatch(/stakater\/Reloader restarts the pods/);
    // An HTTPS scrape with no tlsConfig fails on the certificate: the notes say so.
    const bare = await renderNotes(tmp, ['webConfig.existingSecret=web', 'webConfig.scheme=https', 'serviceMonitor.enabled=true']);
    expect(bare).toMatch(/Warning: serviceMonitor scrapes over https with no serviceMonitor\.tlsConfig/);
    expect(await renderNotes(tmp)).not.toMatch(/Web config/);
  });
});

describe('helm chart: values.schema.json', () => {
  it.each([
    ['bad-kind.yaml', /kind: kind must be one of the following: "Deployment", "DaemonSet"/],
    ['bad-port.yaml', /service\.port: Must be less than or equal to 65535/],
    ['bad-unknown-key.yaml', /\(root\): Additional property serviceMonitr is not allowed/],
    ['bad-config.yaml', /config\.targets\.0: Additional property intervall is not allowed/],
    ['bad-security.yaml', /replicaCount: Invalid type\. Expected: integer, given: string/],
    ['bad-web-config.yaml', /webConfig\.scheme: webConfig\.scheme must be one of the following: "http", "https"/],
  ])('rejects %s with a message naming the value', async (file, message) => {
    const result = await template([file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('names every bad value at once', async () => {
    const result = await template(['bad-security.yaml']);
    expect(result.stderr).toMatch(/image\.digest: Does not match pattern/);
    expect(result.stderr).toMatch(/replicaCount: Invalid type\. Expected: integer, given: string/);
  });

  it('names a misspelt webConfig or tlsConfig key', async () => {
    const result = await template(['bad-web-config.yaml']);
    expect(result.stderr).toMatch(/webConfig: Additional property secretKey is not allowed/);
    expect(result.stderr).toMatch(/serviceMonitor\.tlsConfig: Additional property insecureSkipVerfy is not allowed/);
  });
});
