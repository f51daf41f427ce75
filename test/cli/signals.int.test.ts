import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { summarySchema } from '../../scenarios/load/index.js';

// SIGINT and SIGTERM, sent to the routerlab process alone (as a CI runner cancels a job): what ran is reported,
// the exit code is 130 and no child process is left behind.

const BIN = fileURLToPath(new URL('../../bin/routerlab.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'routerlab-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]): { child: ChildProcess; out: () => string; exited: Promise<number> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { child, out: () => out, exited };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process.
    return false;
  }
};

describe('routerlab run interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`writes every report for what ran, marks the scenario interrupted and exits 130 on ${signal}`, async () => {
      const suite = join(dir, `suite-${signal}`);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(suite);
      writeFileSync(join(suite, 'a-quick.yaml'), 'name: quick\nsteps:\n  - stimulus: signal\n    with: { bars: 3 }\n  - expect: { goform: signalbar, equals: "3" }\n');
      // The long scenario leaves a marker once it runs, then waits a minute of wall time.
      const marker = join(suite, 'long-started');
      writeFileSync(join(suite, 'b-long.yaml'), `name: long\nclock: { mode: wall }\nsteps:\n  - run: { command: "touch ${marker}" }\n  - wait: 60s\n  - checkpoint: never\n`);
      writeFileSync(join(suite, 'c-after.yaml'), 'name: after\nsteps:\n  - checkpoint: not run\n');
      const reports = ['junit', 'json', 'html'].map((k) => join(suite, `report.${k === 'junit' ? 'xml' : k}`));
      const run = start(['run', suite, '--report', `junit:${reports[0]},json:${reports[1]},html:${reports[2]}`]);
      await expect.poll(run.out, { timeout: 30_000 }).toMatch(/PASSED +quick/);
      // The long scenario is in its wall-clock wait once its marker exists: stop the run then.
      await expect.poll(() => existsSync(marker), { timeout: 30_000 }).toBe(true);
      run.child.kill(signal);
      expect(await run.exited).toBe(130);
      expect(run.out()).toMatch(new RegExp(`1 passed, 0 failed, 0 partial, interrupted by ${signal} \\(1 not run\\)`));
      for (const f of reports) expect(existsSync(f), f).toBe(true);
      const json = JSON.parse(readFileSync(reports[1]!, 'utf8')) as { summary: Record<string, number>; scenarios: { name: string; status: string; steps: { kind: string; title: string }[] }[] };
      expect(json.summary).toMatchObject({ passed: 1, interrupted: 1 });
      expect(json.scenarios.map((s) => [s.name, s.status])).toEqual([['quick', 'passed'], ['long', 'interrupted']]);
      expect(json.scenarios[1]!.steps.at(-1)).toMatchObject({ kind: 'interrupted', title: `interrupted (${signal})` });
      expect(readFileSync(reports[0]!, 'utf8')).toMatch(/<testsuites [^>]*errors="1"/);
    }, 60_000);
  }
});

describe('routerlab load interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops gracefully on ${signal}: summary printed and written, thresholds evaluated, the emulator it started stopped, exit 130`, async () => {
      const json = join(dir, `load-${signal}.json`);
      const run = start(['load', 'scenarios/load/smoke.yaml', '--target', 'emulator', '--duration', '60s', '--summary', `json:${json}`]);
      await expect.poll(run.out, { timeout: 30_000 }).toMatch(/^\s+\d+s\s+\d+ req\/s/m);
      const pid = Number(/\(pid (\d+)\)/.exec(run.out())![1]);
      expect(alive(pid)).toBe(true);
      run.child.kill(signal);
      expect(await run.exited).toBe(130);
      const out = run.out();
      expect(out).toMatch(/http_reqs/);
      expect(out).toMatch(/thresholds (hold|failed)/);
      const summary = summarySchema.parse(JSON.parse(readFileSync(json, 'utf8')));
      // Stopped by the signal, not by the end of its 60 s: the run says why it ended, after doing some work.
      expect(summary.routerlab.aborted).toBe(`interrupted (${signal})`);
      expect(summary.metrics.iterations!.values.count).toBeGreaterThan(0);
      await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    }, 60_000);
  }
});
