/**
 * A directory laid out as the kubelet lays out a Secret volume (its atomic writer): the
 * files in a timestamped `..<ts>` directory, a `..data` symlink to it, and one symlink per
 * key, `web.yml -> ..data/web.yml`. An update writes a new `..<ts>` directory and renames a
 * fresh symlink over `..data`, so a reader sees either the old set of files or the new one.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let generation = 0;

/** Writes (or atomically replaces) the volume's files: key -> content. */
export function writeSecretVolume(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const previous = existsSync(join(dir, '..data')) ? readlinkSync(join(dir, '..data')) : undefined;
  const version = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${++generation}`;
  mkdirSync(join(dir, version), { mode: 0o755 });
  for (const [key, content] of Object.entries(files)) writeFileSync(join(dir, version, key), content, { mode: 0o440 });
  symlinkSync(version, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const key of Object.keys(files)) {
    if (!lstatSync(join(dir, key), { throwIfNoEntry: false })) symlinkSync(join('..data', key), join(dir, key));
  }
  if (previous) rmSync(join(dir, previous), { recursive: true, force: true });
}
