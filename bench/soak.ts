// bench/soak: every memory pressure of #16 at once against one `routerlab serve`, for a bounded time (BENCH_SOAK_SECONDS,
// default 60), while a normal client polls the status once a second like the web UI (fresh `_`, logged in).
// Prints `soak rss growth MiB: N` (the server's RSS at the end minus after warm-up, from /proc) and
// `soak poll errors: M` (polls that failed or answered anything but the keys). Goal: N <= 50, M = 0.
//
// Pressures: 3 event streams that never read; distinct unknown goformIds of 60 KB each; the journal filling with
// long values; a 128 MB chunked goform body and a 256 MB chunked control body, over and over; an AT TCP client that
// writes `AT\r` and never reads. Everything targets 127.0.0.1 and stops by itself.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoformClient } from '../hil/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'routerlab.js');
const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const WARMUP_S = Math.min(10, Math.max(2, Math.floor(SECONDS / 6)));
/** BENCH_SOAK_ONLY=events,ids,bodies,at runs only those pressures (to find which one grows). */
const ONLY = process.env.BENCH_SOAK_ONLY?.split(',') ?? null;
const on = (name: string): boolean => ONLY === null || ONLY.includes(name);

const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--control-port', '0', '--modem-tcp', '0', '--no-cloud'], { stdio: ['ignore', 'pipe', 'ignore'] });
let out = '';
server.stdout.on('data', (b: Buffer) => (out += b.toString()));
for (let i = 0; i < 400 && !/modem tcp listening on/.test(out); i++) await sleep(50);
const goform = /goform listening on (\S+)/.exec(out)?.[1];
const control = /control api listening on (\S+)\/api\/v1/.exec(out)?.[1];
const modemPort = Number(/modem tcp listening on [^:]+:(\d+)/.exec(out)?.[1]);
if (!goform || !control || !modemPort) throw new Error(`[bench:soak] the emulator did not start: ${out}`);
const pid = server.pid!;

const rssMiB = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const deadline = Date.now() + SECONDS * 1000;
const running = (): boolean => Date.now() < deadline;
const sockets: Socket[] = [];
const responses: IncomingMessage[] = [];

// --- the normal client: the web UI's poll, once a second ---
const client = new GoformClient({ baseUrl: goform, password: 'admin' });
await client.login();
let polls = 0;
let pollErrors = 0;
const poller = (async () => {
  while (running()) {
    const t0 = Date.now();
    try {
      const keys = await client.get(['modem_main_state', 'signalbar', 'network_type', 'ppp_status', 'battery_vol_percent', 'sms_received_flag', 'loginfo']);
      if (keys.loginfo !== 'ok' || keys.network_type === undefined) pollErrors++;
    } catch {
      // A failed poll is what this bench counts.
      pollErrors++;
    }
    polls++;
    await sleep(Math.max(0, 1000 - (Date.now() - t0)));
  }
})();

// --- pressure: 3 event streams whose client stops reading ---
for (let i = 0; i < (on('events') ? 3 : 0); i++) {
  const req = request(`${control}/api/v1/devices/dev-0/events`, (res) => {
    res.pause();
    responses.push(res);
  });
  req.on('error', () => undefined);
  req.end();
}
// ...fed by stimuli, which also fill the journal
const stimuli = (async () => {
  let i = 0;
  while (running() && on('events')) {
    await post(`${control}/api/v1/devices/dev-0/stimuli/signal`, JSON.stringify({ rsrpDbm: -70 - (i++ % 50) }), 'application/json').catch(() => undefined);
  }
})();

// --- pressure: distinct unknown goformIds of 60 KB each ---
const unknownIds = (async () => {
  let i = 0;
  while (running() && on('ids')) {
    await post(`${goform}/goform/goform_set_cmd_process`, `goformId=${String(i++).padStart(8, '0')}${'Q'.repeat(60_000)}&isTest=false`, 'application/x-www-form-urlencoded').catch(() => undefined);
  }
})();

// --- pressure: huge chunked bodies on both HTTP surfaces ---
const bigBodies = (async () => {
  while (running() && on('bodies')) {
    await chunked(`${goform}/goform/goform_set_cmd_process`, 128 * 1024 * 1024, 'application/x-www-form-urlencoded').catch(() => undefined);
    await chunked(`${control}/api/v1/devices/dev-0/state`, 256 * 1024 * 1024, 'application/json', 'PATCH').catch(() => undefined);
  }
})();

// --- pressure: an AT client that writes and never reads ---
const at = connect(modemPort, '127.0.0.1');
sockets.push(at);
at.on('error', () => undefined);
at.pause();
const atWriter = (async () => {
  const block = Buffer.from('AT\r'.repeat(16 * 1024));
  while (running() && !at.destroyed && on('at')) {
    if (at.write(block)) {
      await sleep(1);
      continue;
    }
    // Wait for the server to read (it will not while nobody reads its answers); look again every 200 ms.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        at.off('drain', done);
        resolve();
      };
      const timer = setTimeout(done, 200);
      at.once('drain', done);
    });
  }
})();

await sleep(WARMUP_S * 1000);
const baseline = rssMiB();
await Promise.all([poller, stimuli, unknownIds, bigBodies, atWriter]);
const end = rssMiB();
for (const s of sockets) s.destroy();
for (const r of responses) r.destroy();
server.kill('SIGINT');

console.log(`soak: ${SECONDS}s, ${polls} polls, rss ${baseline.toFixed(1)} -> ${end.toFixed(1)} MiB (after ${WARMUP_S}s warm-up)`);
console.log(`soak rss growth MiB: ${(end - baseline).toFixed(1)}`);
console.log(`soak poll errors: ${pollErrors}`);
process.exit(0);

// --- internal ---

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function post(url: string, body: string, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), Referer: `${goform}/` } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A body of `bytes` sent chunked (no Content-Length), as fast as the server takes it; ends when the server answers. */
function chunked(url: string, bytes: number, type: string, method = 'POST'): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let answered = false;
    const req = request(url, { method, headers: { 'Content-Type': type, 'Transfer-Encoding': 'chunked', Referer: `${goform}/` } }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (e) => (answered ? resolve() : reject(e)));
    const pump = (): void => {
      while (!answered && sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}
