// bench/goform-poll: the web UI's one-second status poll (goform-api.md §3.11, logged in) served by the
// emulator, against a raw node:http server returning the same bytes, both under autocannon in the same run.
// The request stream is the UI's own: a fresh jQuery cache-buster `_=<n>` on every request (§1.2) and the session
// cookie. Prints `goform poll ratio: X` = median emulator req/s / median raw req/s for that stream (goal >= 0.95),
// and beside it the fixed-URL figure (one `_` for every request, what autocannon sends by default), labelled, and
// `goform poll ratio with 20 non-matching rules` (the same router with 20 rules installed that the poll never meets;
// goal: within 5% of no rules).
// Then the app's pattern at fleet scale: 1000 keep-alive connections each polling once a second with its own `_`,
// `poll p99 ms at 1000 clients: N` against raw node:http at the same load.
//
// Settings follow load-and-fleet.md §4.4/§4.5: -c 100 -p 10, warm-up discarded, servers in a child process
// pinned to core 0 (when taskset exists), autocannon pinned to core 1, rounds alternate and medians compare.
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (2).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { pinSelf, startHelper } from './lib/measure.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

const pinned = pinSelf();
const { child, line } = await startHelper(fileURLToPath(new URL('./poll-servers.ts', import.meta.url)), pinned, process.env);
const info = JSON.parse(line) as { emulator: string; raw: string; ruled: string; ruledCookie: string; path: string; cookie: string; keys: number; bytes: number };

/** req/s under -c 100 -p 10; `fresh` sends a new `_` with every request, as the UI does. */
async function measure(base: string, duration: number, fresh: boolean): Promise<number> {
  const fixedPath = info.path;
  const stem = fixedPath.replace(/&_=\d+$/, '');
  let n = 1767225600000;
  // A counter per request, as jQuery's cache-buster. Building each request costs the client (autocannon) about 15%
  // of its rate, for both servers alike; its idReplacement costs more. The ratio compares the two servers under the
  // same client; the realistic/fixed line shows what the client cost and the emulator cost together.
  const result = await autocannon({
    url: `${base}${fixedPath}`,
    connections: 100,
    pipelining: 10,
    duration,
    headers: { Cookie: base === info.ruled ? info.ruledCookie : info.cookie, Referer: `${base}/index.html` },
    ...(fresh ? { requests: [{ setupRequest: (req: autocannon.Request): autocannon.Request => ({ ...req, path: `${stem}&_=${++n}` }) }] } : {}),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`[bench] ${base}: ${result.non2xx} non-2xx and ${result.errors} errors; the comparison would be void`);
  }
  return result.requests.average;
}

/**
 * 1000 keep-alive clients, each polling once a second with its own `_`, for `seconds`: the p99 answer time in ms.
 * One HTTP agent per client keeps 1000 distinct connections open.
 */
async function manyClients(base: string, seconds: number): Promise<{ p99: number; requests: number; errors: number }> {
  const { request, Agent } = await import('node:http');
  const durations: number[] = [];
  let errors = 0;
  const endAt = Date.now() + seconds * 1000;
  const stem = info.path.replace(/&_=\d+$/, '');
  const url = new URL(base);
  const client = async (i: number): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let n = 1767225600000 + i * 1_000_000;
    // Spread the clients over the second, as real apps are.
    await new Promise((r) => setTimeout(r, (i * 1000) / CLIENTS));
    while (Date.now() < endAt) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        const req = request({ host: url.hostname, port: url.port, path: `${stem}&_=${++n}`, agent, headers: { Cookie: info.cookie, Referer: `${base}/index.html` } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) durations.push(performance.now() - t0);
            else errors++;
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end();
      });
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - t0))));
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  durations.sort((a, b) => a - b);
  return { p99: durations[Math.floor(durations.length * 0.99)] ?? NaN, requests: durations.length, errors };
}

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const CLIENT_SECONDS = Number(process.env.BENCH_CLIENT_SECONDS ?? 10);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates = { emulator: { fresh: [] as number[], fixed: [] as number[] }, raw: { fresh: [] as number[], fixed: [] as number[] } };
const ruledRates: number[] = [];
try {
  console.log(`goform poll: ${info.keys} keys, ${info.bytes} bytes, ${rounds} rounds of ${seconds}s, ${pinned ? 'pinned' : 'unpinned'}`);
  await measure(info.emulator, warmup, true);
  await measure(info.raw, warmup, true);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift on a shared machine does not favour one side.
    const order = r % 2 === 0 ? (['emulator', 'raw'] as const) : (['raw', 'emulator'] as const);
    for (const stream of ['fresh', 'fixed'] as const) {
      for (const which of order) {
        const rate = await measure(which === 'emulator' ? info.emulator : info.raw, seconds, stream === 'fresh');
        rates[which][stream].push(rate);
        console.log(`round ${r + 1} ${which} ${stream === 'fresh' ? 'fresh _ per request' : 'fixed URL'}: ${rate.toFixed(0)} req/s`);
      }
    }
    // The same router with 20 rules that never match this poll, on the UI's stream, in the same round.
    const ruledRate = await measure(info.ruled, seconds, true);
    ruledRates.push(ruledRate);
    console.log(`round ${r + 1} emulator with 20 non-matching rules, fresh _ per request: ${ruledRate.toFixed(0)} req/s`);
  }
  const m = { ef: median(rates.emulator.fresh), rf: median(rates.raw.fresh), ex: median(rates.emulator.fixed), rx: median(rates.raw.fixed) };
  console.log(`fresh _ per request (the UI's stream): emulator ${m.ef.toFixed(0)} req/s, raw ${m.rf.toFixed(0)} req/s`);
  console.log(`fixed URL: emulator ${m.ex.toFixed(0)} req/s, raw ${m.rx.toFixed(0)} req/s; fixed-URL ratio: ${(m.ex / m.rx).toFixed(3)}`);
  console.log(`realistic / fixed-URL emulator rate: ${(m.ef / m.ex).toFixed(3)}`);
  console.log(`goform poll ratio: ${(m.ef / m.rf).toFixed(3)}`);
  console.log(`goform poll ratio with 20 non-matching rules: ${(median(ruledRates) / m.rf).toFixed(3)} (rules / no rules: ${(median(ruledRates) / m.ef).toFixed(3)}, goal >= 0.95)`);
  const emu = await manyClients(info.emulator, CLIENT_SECONDS);
  const raw = await manyClients(info.raw, CLIENT_SECONDS);
  console.log(`${CLIENTS} clients x 1/s for ${CLIENT_SECONDS}s: emulator ${emu.requests} answers (${emu.errors} errors), raw ${raw.requests} (${raw.errors} errors); raw p99 ${raw.p99.toFixed(2)} ms`);
  console.log(`poll p99 ms at ${CLIENTS} clients: ${emu.p99.toFixed(2)}`);
} finally {
  child.kill('SIGTERM');
}
