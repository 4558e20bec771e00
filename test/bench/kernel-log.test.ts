/**
 * Following the kernel's log from now on (bench/lib/kernel-log.ts): in a file of /dev/kmsg's
 * record format, and in the real /dev/kmsg with a marker this test writes there (root).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followKernelLog, kmsgMessages, type KernelLogFollower } from '../../bench/lib/kernel-log.js';
import { sleep } from '../../bench/lib/procs.js';

let follower: KernelLogFollower | undefined;
let dir: string | undefined;

afterEach(() => {
  follower?.close();
  follower = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('kernel log follower', () => {
  it('reads the message of each record, without its prefix or its KEY=value lines', () => {
    expect(kmsgMessages('6,1234,5678901,-;eth0: link up; carrier on\n SUBSYSTEM=net\n DEVICE=n2\n4,1235,5679000,c;second\n')).toEqual(['eth0: link up; carrier on', 'second']);
    expect(kmsgMessages('')).toEqual([]);
  });

  it('gives only what is logged after it began, each message once', () => {
    dir = mkdtempSync(join(tmpdir(), 'o365-kmsg-'));
    const path = join(dir, 'kmsg');
    writeFileSync(path, '6,1,100,-;old one\n6,2,200,-;old two\n');
    follower = followKernelLog(path);
    expect(follower?.poll()).toEqual([]);
    appendFileSync(path, '6,3,300,-;new one\n SUBSYSTEM=block\n');
    appendFileSync(path, '3,4,400,-;new two\n');
    expect(follower?.poll()).toEqual(['new one', 'new two']);
    expect(follower?.poll()).toEqual([]);
    follower?.close();
    appendFileSync(path, '6,5,500,-;after close\n');
    expect(follower?.poll()).toEqual([]);
  });

  it('is absent when the log cannot be opened or read', () => {
    expect(followKernelLog('/nonexistent/kmsg')).toBeUndefined();
    dir = mkdtempSync(join(tmpdir(), 'o365-kmsg-'));
    expect(followKernelLog(dir)).toBeUndefined(); // opens, but reading a directory fails
  });

  it('follows the real /dev/kmsg: a line written there after it began comes back, one from before does not', async () => {
    const before = `o365-exporter test: kernel log follower, before ${randomUUID()}`;
    const after = `o365-exporter test: kernel log follower, after ${randomUUID()}`;
    appendFileSync('/dev/kmsg', `${before}\n`);
    follower = followKernelLog();
    expect(follower).toBeDefined();
    appendFileSync('/dev/kmsg', `${after}\n`);
    const seen: string[] = [];
    for (let i = 0; i < 50 && !seen.includes(after); i++) {
      seen.push(...(follower?.poll() ?? []));
      if (!seen.includes(after)) await sleep(20);
    }
    expect(seen).toContain(after);
    expect(seen).not.toContain(before);
  });
});
