/**
 * The Node the container image ships (the Dockerfile's default BASE_IMAGE), as the official
 * binary that scripts/install-test-deps.sh keeps in the user's cache (`npm test` fetches it
 * from the npm registry's node-linux-<arch> package). The container test builds its image
 * around it; the bench can run this exporter on it (--exporter-node=image).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));

/** The Node version of the Dockerfile's default base image (`node:22.23.5-bookworm-slim` -> 22.23.5). */
export function imageNodeVersion(): string {
  const match = /^ARG BASE_IMAGE=.*node:(\d[\d.]*)-/m.exec(fs.readFileSync(DOCKERFILE, 'utf8'));
  if (!match?.[1]) throw new Error(`${DOCKERFILE}: no node:<version> in the default BASE_IMAGE`);
  return match[1];
}

/** The image's Node binary, where scripts/install-test-deps.sh keeps it; throws when it is not there. */
export function imageNode(): string {
  const arch = os.arch() === 'arm64' ? 'arm64' : 'x64';
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const node = path.join(cache, 'o365-exporter', `node-v${imageNodeVersion()}-linux-${arch}`, 'node');
  if (!fs.existsSync(node)) throw new Error(`${node} is missing: scripts/install-test-deps.sh (npm test runs it) fetches the image's Node`);
  return node;
}
