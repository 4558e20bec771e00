import { describe, expect, it } from 'vitest';
import { exporterRuntime } from '../../bench/lib/exporters.js';
import { parseBenchFlags } from '../../bench/lib/flags.js';

describe('bench flags', () => {
  it('runs this exporter on the harness node unless --exporter-node names another', () => {
    expect(parseBenchFlags([]).exporterNode).toBeUndefined();
    expect(parseBenchFlags(['--exporter-node=/opt/node22/bin/node']).exporterNode).toBe('/opt/node22/bin/node');
  });

  it('reads the versions of the node the exporter will run on', () => {
    const runtime = exporterRuntime(process.execPath);
    expect(runtime).toEqual({ path: process.execPath, node: process.version, openssl: process.versions.openssl });
  });

  it('names the flag when the path is not a working node', () => {
    expect(() => exporterRuntime('/nonexistent/node')).toThrow(/--exporter-node: \/nonexistent\/node is not a working node binary/);
    expect(() => exporterRuntime('/bin/true')).toThrow(/--exporter-node: \/bin\/true .*printed ""/);
  });

  it('rejects a flag it does not know', () => {
    expect(() => parseBenchFlags(['--exporter-nod=/x'])).toThrow(/exporter-nod/);
  });
});
