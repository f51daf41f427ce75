// bench/fleet: what a fleet costs.
//
// 1. `idle bytes/device`: 100000 devices of one fleet, each made once, changed (so it holds state of its own, not
//    just its seed), and put away as the fleet does with a quiet device. Heap + external + array buffers after a
//    full GC, against the same process before the fleet existed, divided by the count. Goal <= 4096.
// 2. `mqtt devices/core`: fleets with a cloud channel each, telemetry every 10 s, against local Mosquitto
//    brokers (Debian package). Each shard is its own process (the way `routerlab fleet --shard` runs) with its own
//    broker, because one process may hold at most `ulimit -n` (here 20000) sockets. The fleet processes' CPU time
//    is read from /proc over a steady window; publish lag is receive time minus the message's own timestamp, on a
//    subscriber in this process. A size holds when p99 lag < 1 s and the fleet used at most one core; the
//    figure is devices per core of CPU used at the largest size that held. Goal >= 20000.
//
// Run: node --expose-gc --import tsx bench/fleet.ts   (BENCH_IDLE_COUNT, BENCH_MQTT_SIZES=10000,20000 to change)
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Fleet } from '../emulator/fleet/fleet.js';
import { CloudClient } from '../hil/index.js';
import { startMosquitto, type Mosquitto } from '../test/helpers/mosquitto.js';
import { cpuSeconds, usedBytes } from './lib/measure.js';

const used = (): number => usedBytes('fleet');
used();

// --- 1. idle memory ---

async function idleBytes(count: number): Promise<void> {
  const before = used();
  const fleet = new Fleet({ count, seed: 1, clockMode: 'paused', profiles: ['mix'], hibernateAfterMs: 0 });
  const empty = used();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const d = fleet.device(i);
    d.network.setSignal({ rsrpDbm: -80 - (i % 40) });
    d.data.addUsage(1000 * (i % 997));
    if (!fleet.putAway(i)) throw new Error(`[bench] device ${i} could not be put away`);
  }
  const made = performance.now() - t0;
  const after = used();
  console.log(`fleet of ${count}: ${fleet.storedCount} devices put away, ${fleet.liveCount} live, made and stored in ${(made / 1000).toFixed(1)} s`);
  console.log(`never-touched bytes/device: ${Math.round((empty - before) / count)}`);
  // Check a stored device comes back with what it was given.
  const back = fleet.device(4242);
  if (back.state.radio.rsrpDbm !== -80 - (4242 % 40)) throw new Error('[bench] a woken device lost its state');
  console.log(`idle bytes/device: ${Math.round((after - before) / count)}`);
  await fleet.close();
}

// --- 2. mqtt devices per core ---

const BIN = fileURLToPath(new URL('../bin/routerlab.js', import.meta.url));

async function startShard(k: number, total: number, count: number, broker: Mosquitto): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'fleet', '--count', String(count), '--shard', `${k}/${total}`, '--mqtt', broker.url, '--telemetry-interval', '10s', '--tick', '10s', '--connect-rate', '2500', '--control-port', '0', '--status-every', '0', '--telemetry-qos', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const end = Date.now() + 120_000;
  while (!/cloud: \d+ devices started/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`[bench] shard ${k} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return child;
}

async function mqttSize(size: number): Promise<{ size: number; cores: number; p99LagMs: number; received: number }> {
  const shards = Math.ceil(size / 15_000);
  const brokers = await Promise.all(Array.from({ length: shards }, () => startMosquitto()));
  const children: ChildProcess[] = [];
  const observers: CloudClient[] = [];
  try {
    for (let k = 0; k < shards; k++) children.push(await startShard(k, shards, size, brokers[k]!));
    const lags: number[] = [];
    let measuring = false;
    for (const b of brokers) {
      const o = await CloudClient.connect({ url: b.url, keep: 1, onMessage: (m) => measuring && lags.push(m.atWallMs - (m.payload as { ts: number }).ts) });
      await o.subscribe('dt/routerlab/+/telemetry');
      observers.push(o);
    }
    await new Promise((r) => setTimeout(r, 12_000)); // settle: every device has reported at least once
    const from = observers.reduce((n, o) => n + o.total, 0);
    measuring = true;
    const cpu0 = children.map((c) => cpuSeconds(c.pid));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 30_000));
    const wallS = (performance.now() - t0) / 1000;
    const cpu1 = children.map((c) => cpuSeconds(c.pid));
    measuring = false;
    const cores = cpu1.reduce((s, v, i) => s + v - cpu0[i]!, 0) / wallS;
    lags.sort((a, b) => a - b);
    const received = observers.reduce((n, o) => n + o.total, 0) - from;
    return { size, cores, p99LagMs: lags[Math.floor(lags.length * 0.99)] ?? Infinity, received };
  } finally {
    for (const o of observers) await o.close();
    for (const c of children) {
      c.kill('SIGTERM');
      if (c.exitCode === null) await new Promise((r) => c.once('exit', r));
    }
    for (const b of brokers) await b.close();
  }
}

const idleCount = Number(process.env.BENCH_IDLE_COUNT ?? 100_000);
await idleBytes(idleCount);

const sizes = (process.env.BENCH_MQTT_SIZES ?? '5000,10000,20000,30000').split(',').map(Number);
let best: { size: number; cores: number } | null = null;
for (const size of sizes) {
  const r = await mqttSize(size);
  const expected = (size * 30) / 10;
  const held = r.p99LagMs < 1000 && r.cores <= 1 && r.received >= expected * 0.95;
  console.log(`mqtt ${size} devices: ${r.cores.toFixed(3)} cores, p99 publish lag ${r.p99LagMs} ms, ${r.received} telemetry in 30 s (expected ${expected}) -> ${held ? 'held' : 'did not hold'}`);
  if (held) best = { size, cores: r.cores };
  else break;
}
if (!best) throw new Error('[bench] no fleet size held a 10 s telemetry interval');
console.log(`largest fleet that held: ${best.size} devices on ${best.cores.toFixed(3)} cores`);
console.log(`mqtt devices/core: ${Math.round(best.size / Math.max(best.cores, 0.001))}`);
