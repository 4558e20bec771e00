/**
 * The line protocol of the bench's helper programs (reference client, wake witness): the
 * program prints "ready", then answers each request line with one line, in order. A request
 * to a program that has exited, or is pending when it exits, fails with its last output.
 */
import { createInterface } from 'node:readline';
import type { Proc } from './procs.js';

export interface LineChannel {
  /** Writes `request` (one line) and resolves with the next answer line. */
  ask(request: string): Promise<string>;
  /** Ends stdin and stops the program. */
  close(): Promise<void>;
}

export async function lineChannel(proc: Proc, name: string): Promise<LineChannel> {
  const { stdout, stdin } = proc.child;
  if (!stdout || !stdin) throw new Error(`${name}: no stdio`);
  const waiting: { resolve(line: string): void; reject(err: Error): void }[] = [];
  const lines = createInterface({ input: stdout });
  lines.on('line', (line) => {
    if (line !== 'ready') waiting.shift()?.resolve(line);
  });
  let gone: Error | undefined;
  void proc.exited.then(() => {
    gone = new Error(`${name} exited:\n${proc.output().slice(-2000)}`);
    for (const w of waiting.splice(0)) w.reject(gone);
  });
  await proc.waitFor(/^ready$/m, 10_000);
  return {
    ask: (request) =>
      new Promise<string>((resolve, reject) => {
        if (gone) return reject(gone);
        waiting.push({ resolve, reject });
        stdin.write(`${request}\n`);
      }),
    async close() {
      lines.close();
      stdin.end();
      await proc.stop();
    },
  };
}
