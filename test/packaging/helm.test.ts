/**
 * The Helm chart with a real helm 3.10: lint, render with several values files, and check the
 * parsed manifests (kinds, apiVersions, labels, hardening, probes, checksum) and the schema.
 * The rules, dashboards and config it carries are checked in helm-assets.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART, VALUES, helm, only, podSpec, render, renderNotes, template, workload, type Container, type K8sObject, type PodSpec } from '../helpers/helm.js';

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
];
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
        'helm.sh/chart': 'o365-exporter-0.1.0',
        'app.kubernetes.io/name': 'o365-exporter',
        'app.kubernetes.io/instance': 'site-a',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/version': expect.stringMatching(/^\d+\.\d+\.\d+/),
      });
    }
  });

  it.each(GOOD_VALUES)('probes /-/healthy and /-/ready on the named port the Service targets (%s)', async (_name, files) => {
    const objects = await render(files);
    const spec = podSpec(workload(objects));
    const container = exporterContainer(spec);
    const service = only(objects, 'Service');
    const servicePort = service.spec?.ports?.[0];
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/-/healthy', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/-/ready', port: 'http' });
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
    expect(JSON.stringify(testContainer)).toContain('http://o365-ams.o365.svc:9400/-/ready');
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
});

describe('helm chart: values.schema.json', () => {
  it.each([
    ['bad-kind.yaml', /kind: kind must be one of the following: "Deployment", "DaemonSet"/],
    ['bad-port.yaml', /service\.port: Must be less than or equal to 65535/],
    ['bad-unknown-key.yaml', /\(root\): Additional property serviceMonitr is not allowed/],
    ['bad-config.yaml', /config\.targets\.0: Additional property intervall is not allowed/],
    ['bad-security.yaml', /replicaCount: Invalid type\. Expected: integer, given: string/],
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
});
