/**
 * Podman for the container tests: no Docker engine and no registry here, so a base image is
 * made from the Node the Dockerfile ships (its default BASE_IMAGE's version, fetched by
 * scripts/install-test-deps.sh) and this machine's npm: a root filesystem with node, npm, the
 * libraries ldd lists, /usr/bin/env, /bin/sh, the CA bundle, `podman import`ed.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { imageNode } from '../../bench/lib/image-node.js';

/** The sandbox has no systemd and cgroup v1: every podman command needs these. */
const GLOBAL_FLAGS = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend=file'];
/** Flags `podman build` and `podman run` need here (from REFERENCE.md section 5). */
export const SANDBOX_FLAGS = ['--network', 'host', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Throws, with the reason, when podman cannot run: a container test must fail, not skip. */
export function requirePodman(): void {
  for (const bin of ['podman', 'runc']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(`${bin} is not installed: the container test needs Debian podman and runc (scripts/install-test-deps.sh installs them)`);
    }
  }
}

export function podman(args: string[], timeoutMs = 120_000): Promise<PodmanResult> {
  return new Promise((resolve) => {
    execFile('podman', [...GLOBAL_FLAGS, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like podman() but throws with the command and its stderr on a non-zero exit. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podman(args, timeoutMs);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}:\n${result.stderr.slice(-4000)}`);
  return result.stdout;
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Builds the root filesystem in `rootfs` (an empty directory) from the image's Node and this machine's npm.
 * Returns the environment the image needs to reach the npm registry the way this machine does.
 */
export function makeNodeRootfs(rootfs: string): string[] {
  // Merged-/usr hosts have /bin -> usr/bin etc.: the same links inside, so /bin/sh resolves.
  for (const top of ['bin', 'lib', 'lib64', 'sbin']) {
    const host = `/${top}`;
    if (fs.existsSync(host) && fs.lstatSync(host).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(host), path.join(rootfs, top));
  }
  const node = imageNode();
  const tools = ['/usr/bin/env', '/bin/sh'];
  for (const exe of tools) placeFile(rootfs, exe);
  for (const lib of new Set([node, ...tools].flatMap(sharedLibraries))) placeFile(rootfs, lib);
  // Where the official node images have it, on the image's PATH.
  fs.mkdirSync(inside(rootfs, '/usr/local/bin'), { recursive: true });
  fs.copyFileSync(node, inside(rootfs, '/usr/local/bin/node'));
  fs.chmodSync(inside(rootfs, '/usr/local/bin/node'), 0o755);
  const npmDir = packageRoot(fs.realpathSync(which('npm')), 'npm');
  fs.cpSync(npmDir, inside(rootfs, npmDir), { recursive: true, verbatimSymlinks: true });
  fs.symlinkSync(path.join(npmDir, 'bin', 'npm-cli.js'), inside(rootfs, '/usr/local/bin/npm'));
  placeFile(rootfs, '/etc/ssl/certs/ca-certificates.crt');
  writeFile(rootfs, '/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/sh\n');
  writeFile(rootfs, '/etc/group', 'root:x:0:\nnonroot:x:65532:\n');
  for (const dir of ['/tmp', '/root', '/home/nonroot']) fs.mkdirSync(inside(rootfs, dir), { recursive: true });
  fs.chmodSync(inside(rootfs, '/tmp'), 0o1777);
  fs.chownSync(inside(rootfs, '/home/nonroot'), 65532, 65532);
  // The machine's npm cache is mounted into the build; prefer it to ~300 metadata requests.
  const env = [PATH_ENV, 'npm_config_prefer_offline=true'];
  // A TLS-intercepting egress proxy's CA reaches node through this variable here: keep it.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa && fs.existsSync(extraCa)) {
    placeFile(rootfs, extraCa);
    env.push(`NODE_EXTRA_CA_CERTS=${extraCa}`);
  }
  return env;
}

/** `tar -C rootfs -c . | podman import - tag`, with `env` (PATH first) as the image's ENV. */
export async function importRootfs(rootfs: string, tag: string, env: string[]): Promise<void> {
  const tarball = `${rootfs}.tar`;
  await new Promise<void>((resolve, reject) => {
    execFile('tar', ['-C', rootfs, '-cf', tarball, '.'], (err, _stdout, stderr) => (err ? reject(new Error(`tar failed: ${stderr}`)) : resolve()));
  });
  try {
    await podmanOk(['import', ...env.flatMap((e) => ['--change', `ENV ${e}`]), tarball, tag], 300_000);
  } finally {
    fs.rmSync(tarball, { force: true });
  }
}

function which(bin: string): string {
  return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
}

/** Absolute paths of the libraries (and the loader) `ldd` lists for an executable. */
function sharedLibraries(exe: string): string[] {
  const out = execFileSync('ldd', [exe], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
}

/** The directory above `file` whose package.json is named `name`. */
function packageRoot(file: string, name: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new Error(`no ${name} package above ${file}`);
}

/** rootfs + an absolute path; never follows a link inside rootfs (its targets are absolute). */
function inside(rootfs: string, abs: string): string {
  return path.join(rootfs, abs);
}

/**
 * Copies a host file to its real path inside rootfs, and when the host reaches it through a
 * link (/bin/sh -> dash, libc.so.6 -> libc-2.x.so), makes the same link inside.
 */
function placeFile(rootfs: string, hostPath: string): void {
  const real = fs.realpathSync(hostPath);
  fs.mkdirSync(path.dirname(inside(rootfs, real)), { recursive: true });
  if (!exists(inside(rootfs, real))) fs.copyFileSync(real, inside(rootfs, real));
  fs.chmodSync(inside(rootfs, real), fs.statSync(real).mode & 0o7777);
  const linkPath = path.join(fs.realpathSync(path.dirname(hostPath)), path.basename(hostPath));
  if (linkPath !== real && !exists(inside(rootfs, linkPath))) {
    fs.mkdirSync(path.dirname(inside(rootfs, linkPath)), { recursive: true });
    fs.symlinkSync(real, inside(rootfs, linkPath));
  }
}

/** lstat, not stat: links inside rootfs point at absolute paths that only resolve inside. */
function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function writeFile(rootfs: string, abs: string, text: string): void {
  fs.mkdirSync(path.dirname(inside(rootfs, abs)), { recursive: true });
  fs.writeFileSync(inside(rootfs, abs), text);
}
