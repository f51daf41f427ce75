import { execFileSync } from 'node:child_process';

/** Whether a program is on PATH; suites that need it are skipped with a reason naming the package. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    // `command -v` failed: the program is not installed; the answer is the result.
    return false;
  }
}
