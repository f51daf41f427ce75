import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

// What the benches measure with, once: core pinning (taskset), heap + external after a full GC, a process's CPU
// seconds from /proc.

/** Pins this process to core 1 when taskset exists (true), so a child pinned to core 0 has the other core. */
export function pinSelf(): boolean {
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // No taskset (or not allowed): the bench runs unpinned and says so.
    if (e instanceof Error) return false;
    throw e;
  }
}

/** Starts `node --import tsx script` (on core 0 when pinned) and resolves with it and the first line it prints. */
export async function startHelper(script: string, pinned: boolean, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; line: string }> {
  const nodeArgs = ['--import', 'tsx', script];
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs], { stdio: ['ignore', 'pipe', 'inherit'], env })
    : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, line: line.toString() };
}

/** Heap + external bytes after a full GC (run node with --expose-gc; `name` goes in the error when it was not). */
export function usedBytes(name: string): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error(`[bench] run with node --expose-gc --import tsx bench/${name}.ts`);
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** User + system CPU seconds of a process (default this one), from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | 'self' = 'self'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
