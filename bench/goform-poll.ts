// bench/goform-poll: the web UI's one-second status poll (goform-api.md §3.11, logged in) served by the
// emulator, against a raw node:http server returning the same bytes, both under autocannon in the same run.
// Prints `goform poll ratio: X` = median emulator req/s / median raw req/s. Goal: X >= 0.85.
//
// Settings follow load-and-fleet.md §4.4/§4.5: -c 100 -p 10, warm-up discarded, servers in a child process
// pinned to core 0 (when taskset exists), autocannon pinned to core 1, rounds alternate and medians compare.
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (2).
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // No taskset (or not allowed): the bench runs unpinned and says so in its first line.
    if (e instanceof Error) return false;
    throw e;
  }
}

const pinned = hasTaskset();
if (pinned) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
const serverScript = fileURLToPath(new URL('./poll-servers.ts', import.meta.url));
const nodeArgs = ['--import', 'tsx', serverScript];
const child = pinned
  ? spawn('taskset', ['-c', '0', process.execPath, ...nodeArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout, 'data')) as [Buffer];
const info = JSON.parse(line.toString()) as { emulator: string; raw: string; path: string; cookie: string; keys: number; bytes: number };

async function measure(base: string, duration: number): Promise<number> {
  const result = await autocannon({
    url: `${base}${info.path}`,
    connections: 100,
    pipelining: 10,
    duration,
    headers: { Cookie: info.cookie, Referer: `${base}/index.html` },
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`[bench] ${base}: ${result.non2xx} non-2xx and ${result.errors} errors; the comparison would be void`);
  }
  return result.requests.average;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const emulatorRates: number[] = [];
const rawRates: number[] = [];
try {
  console.log(`goform poll: ${info.keys} keys, ${info.bytes} bytes, ${rounds} rounds of ${seconds}s, ${pinned ? 'pinned' : 'unpinned'}`);
  await measure(info.emulator, warmup);
  await measure(info.raw, warmup);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift on a shared machine does not favour one side.
    const order = r % 2 === 0 ? (['emulator', 'raw'] as const) : (['raw', 'emulator'] as const);
    for (const which of order) {
      const rate = await measure(which === 'emulator' ? info.emulator : info.raw, seconds);
      (which === 'emulator' ? emulatorRates : rawRates).push(rate);
      console.log(`round ${r + 1} ${which}: ${rate.toFixed(0)} req/s`);
    }
  }
  const ratio = median(emulatorRates) / median(rawRates);
  console.log(`emulator median ${median(emulatorRates).toFixed(0)} req/s, raw median ${median(rawRates).toFixed(0)} req/s`);
  console.log(`goform poll ratio: ${ratio.toFixed(3)}`);
} finally {
  child.kill('SIGTERM');
}
