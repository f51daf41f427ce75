// bench/load-engine: the load engine's achieved request rate against the emulator versus autocannon's own CLI with
// its defaults (10 connections, no pipelining, 10 s) against the same server, in the same run. Prints
// `engine ratio: X` (engine req/s / autocannon req/s, median of the rounds; goal >= 0.9).
//
// The emulator (`routerlab serve`) runs in its own process; when `taskset` exists the server is pinned to core 0 and
// each client in turn to core 1, so the two clients meet the same server under the same conditions.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'routerlab.js');
const AUTOCANNON = join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// The public part of the status poll: readable without a login, so neither client needs a session.
const PATH = '/goform/goform_get_cmd_process?isTest=false&multi_data=1&cmd=modem_main_state,pin_status,loginfo,signalbar,network_type,network_provider,ppp_status,battery_vol_percent';

const hasTaskset = ((): boolean => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    // No taskset (or no second core): run unpinned; the ratio is still same-run.
    return false;
  }
})();
const pinned = (core: number, cmd: string[]): [string, string[]] => (hasTaskset ? ['taskset', ['-c', String(core), ...cmd]] : [cmd[0]!, cmd.slice(1)]);

function run(cmd: [string, string[]]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => (code === 0 || code === 99 ? resolve(out) : reject(new Error(`${cmd.join(' ')} exited ${code}: ${err}`))));
  });
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const [cmd, args] = pinned(0, [process.execPath, BIN, 'serve', '--port', '0', '--control-port', '0', '--no-cloud', '--journal-size', '100']);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  for (let i = 0; i < 300 && !/goform listening on (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /goform listening on (\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`[bench] the emulator did not start: ${out}`);
  return { child, url };
}

const dir = mkdtempSync(join(tmpdir(), 'routerlab-bench-load-'));
const profile = join(dir, 'engine.yaml');
writeFileSync(profile, ['name: engine', 'scenarios:', '  get:', '    executor: constant-vus', '    flow: http-get', `    path: "${PATH}"`, '    vus: 10', `    duration: ${SECONDS}s`, ''].join('\n'));

const server = await startServer();
const ratios: number[] = [];
try {
  // Warm the server's JIT before measuring.
  await run(pinned(1, [process.execPath, AUTOCANNON, '-d', '3', `${server.url}${PATH}`]));
  for (let r = 0; r < ROUNDS; r++) {
    const autocannon = async (): Promise<number> => {
      const ac = JSON.parse(await run(pinned(1, [process.execPath, AUTOCANNON, '-d', String(SECONDS), '--json', `${server.url}${PATH}`]))) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
      if (ac.non2xx > 0 || ac.errors > 0) throw new Error('[bench] autocannon saw failed requests; the comparison would be meaningless');
      return ac.requests.total / ac.duration;
    };
    const engine = async (): Promise<number> => {
      const summaryFile = join(dir, `engine-${r}.json`);
      await run(pinned(1, [process.execPath, BIN, 'load', profile, '--target', server.url, '--summary', `json:${summaryFile}`]));
      // The summary is k6's handleSummary data (scenarios/load/summary.ts).
      const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { state: { testRunDurationMs: number }; metrics: { http_reqs: { values: { count: number } }; http_req_failed: { values: { rate: number } } } };
      if (s.metrics.http_req_failed.values.rate > 0) throw new Error('[bench] the engine saw failed requests; the comparison would be meaningless');
      return s.metrics.http_reqs.values.count / (s.state.testRunDurationMs / 1000);
    };
    // Alternate who goes first, so a drift of the shared machine does not favour one side.
    let acRate: number;
    let engineRate: number;
    if (r % 2 === 0) {
      acRate = await autocannon();
      engineRate = await engine();
    } else {
      engineRate = await engine();
      acRate = await autocannon();
    }
    ratios.push(engineRate / acRate);
    console.log(`round ${r + 1}: engine ${Math.round(engineRate)} req/s, autocannon ${Math.round(acRate)} req/s (10 connections, ${SECONDS} s${hasTaskset ? ', server core 0, client core 1' : ''})`);
  }
} finally {
  server.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
ratios.sort((a, b) => a - b);
console.log(`engine ratio: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`);
