// bench/ubus-poll: the ZWRT stock UI's one-second status batch (six calls, ubus-api.md §2.6/§6.2; client A's
// batch plus the thermal read) from 100 logged-in clients, each with its own session, against a raw node:http
// server that reads the body and answers the same bytes, both under autocannon in the same run. Every request is
// what the UI sends: POST /ubus/?t=<ms> with a fresh t, ids counting up, the client's own sid, Referer, Z-Mode: 0.
// Prints `ubus poll ratio: X` = median emulator req/s / median raw req/s (goal >= 0.9).
//
// Settings as bench/goform-poll: -c 100 -p 1 (a browser does not pipeline POSTs), warm-up discarded, servers in a
// child pinned to core 0 (when taskset exists), autocannon on core 1, rounds alternate, medians compare.
// Env: BENCH_ROUNDS (3), BENCH_SECONDS (8), BENCH_WARMUP_SECONDS (2), BENCH_CLIENTS (100).
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { pinSelf, startHelper } from './lib/measure.js';
import { ZWRT_STATUS_POLL } from '../hil/clients/ubus-client.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const clients = Number(process.env.BENCH_CLIENTS ?? 100);

const pinned = pinSelf();
const { child, line } = await startHelper(fileURLToPath(new URL('./ubus-poll-servers.ts', import.meta.url)), pinned, { ...process.env, BENCH_CLIENTS: String(clients) });
const info = JSON.parse(line) as { emulator: string; raw: string; sids: string[]; calls: number; bytes: number };

/** req/s with one connection per client, each client its own session and a fresh t and ids on every request. */
async function measure(base: string, duration: number): Promise<number> {
  let next = 0;
  let t = 1767225600000;
  const result = await autocannon({
    url: `${base}/ubus/`,
    method: 'POST',
    connections: clients,
    pipelining: 1,
    duration,
    headers: { 'Content-Type': 'application/json', Referer: `${base}/`, 'Z-Mode': '0', Accept: 'application/json, text/javascript, */*; q=0.01' },
    requests: [
      {
        setupRequest: (req: autocannon.Request, ctx: object): autocannon.Request => {
          const context = ctx as { sid?: string | undefined; id?: number };
          context.sid ??= info.sids[next++ % info.sids.length];
          const id = (context.id ?? 1) + ZWRT_STATUS_POLL.length;
          context.id = id;
          const body = JSON.stringify(ZWRT_STATUS_POLL.map(([o, m, a], i) => ({ jsonrpc: '2.0', id: id + i, method: 'call', params: [context.sid, o, m, a ?? {}] })));
          return { ...req, path: `/ubus/?t=${++t}`, body };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`[bench] ${base}: ${result.non2xx} non-2xx and ${result.errors} errors; the comparison would be void`);
  return result.requests.average;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates = { emulator: [] as number[], raw: [] as number[] };
try {
  console.log(`ubus poll: ${info.calls} calls per batch, ${info.bytes} bytes, ${info.sids.length} sessions, ${rounds} rounds of ${seconds}s, ${pinned ? 'pinned' : 'unpinned'}`);
  await measure(info.emulator, warmup);
  await measure(info.raw, warmup);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['emulator', 'raw'] as const) : (['raw', 'emulator'] as const);
    for (const which of order) {
      const rate = await measure(which === 'emulator' ? info.emulator : info.raw, seconds);
      rates[which].push(rate);
      console.log(`round ${r + 1} ${which}: ${rate.toFixed(0)} req/s`);
    }
  }
  const e = median(rates.emulator);
  const w = median(rates.raw);
  console.log(`emulator ${e.toFixed(0)} req/s (${(e * info.calls).toFixed(0)} calls/s), raw ${w.toFixed(0)} req/s`);
  console.log(`ubus poll ratio: ${(e / w).toFixed(3)}`);
} finally {
  child.kill('SIGTERM');
}
