/** The bench's C programs (link emulator, reference client), compiled with the system's cc at start. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function hasCompiler(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `cc -O2 -o binary source libs...`, unless `binary` is there already; returns it. Throws
 * with cc's first line of complaint.
 */
export function compileC(source: string, binary: string, libs: string[] = []): string {
  if (existsSync(binary)) return binary;
  try {
    execFileSync('cc', ['-O2', '-o', binary, source, ...libs], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    throw new Error(`cc could not build ${source}: ${stderr ?? String(err)}`);
  }
  return binary;
}
