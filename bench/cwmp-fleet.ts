// bench/cwmp-fleet: what a fleet of TR-069 CPEs costs (device-management.md §4).
//
// 10,000 CPEs in this process (one fleet, every router a CPE of one ACS), against the smallest ACS a session can
// complete with (bench/acs-stub.ts) in a child process on the other core when taskset exists.
// 1. `cwmp idle bytes/cpe`: after every router bootstrapped and was put away, heap + external after a full GC,
//    against the same process before the fleet existed, divided by the count. Goal <= 8192.
// 2. `cwmp informs/s/core`: every CPE informs at once (a boot storm's worth of sessions, at most 200 in flight), the
//    informs the ACS counted over this process's CPU seconds (from /proc) in that window. Goal >= 2000.
//
// Run: node --expose-gc --import tsx bench/cwmp-fleet.ts   (BENCH_CPES to change the count)
import { fileURLToPath } from 'node:url';
import { Fleet } from '../emulator/fleet/fleet.js';
import { cpuSeconds, pinSelf, startHelper, usedBytes } from './lib/measure.js';

const COUNT = Number(process.env.BENCH_CPES ?? 10_000);
const used = (): number => usedBytes('cwmp-fleet');
used();

const isPinned = pinSelf();
const { child, line } = await startHelper(fileURLToPath(new URL('./acs-stub.ts', import.meta.url)), isPinned);
const { url } = JSON.parse(line) as { url: string };
const count = async (): Promise<number> => Number(await (await fetch(`${url}count`)).text());

try {
  const before = used();
  const fleet = new Fleet({ count: COUNT, seed: 1, clockMode: 'paused', profiles: ['mix'], hibernateAfterMs: 0, journalCapacity: 1000 });
  const t0 = performance.now();
  await fleet.startCwmp({ url, crPort: 0, maxSessions: 200, bootSpreadMs: 10_000, periodicInformIntervalS: 86_400 });
  console.log(`cwmp fleet: ${COUNT} CPEs made in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${isPinned ? 'pinned (fleet core 1, ACS core 0)' : 'unpinned'}`);
  // First contacts: BOOTSTRAP spread over 10 virtual s.
  for (let s = 0; s < 12; s++) {
    fleet.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 5));
  }
  while ((await count()) < COUNT) await new Promise((r) => setTimeout(r, 50));
  while (fleet.cwmpActive() > 0) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < COUNT; i++) if (!fleet.putAway(i)) throw new Error(`[bench] router ${i} could not be put away`);
  const idle = used();
  console.log(`bootstrapped ${await count()} CPEs; ${fleet.storedCount} routers put away, ${fleet.liveCount} live`);
  console.log(`cwmp idle bytes/cpe: ${Math.round((idle - before) / COUNT)}`);

  // A storm: every CPE informs now, from its cached Inform (the routers stay put away).
  const startInforms = await count();
  const cpu0 = cpuSeconds();
  const w0 = performance.now();
  // Progress is read from the fleet's own counters (an HTTP poll of the ACS would cost this process CPU too).
  const sessions = (): number => fleet.cwmpSessions();
  const s0 = sessions();
  for (let i = 0; i < COUNT; i++) fleet.cpe(i)!.informNow();
  while (sessions() < s0 + COUNT) await new Promise((r) => setTimeout(r, 20));
  const cpu = cpuSeconds() - cpu0;
  const wall = (performance.now() - w0) / 1000;
  const done = (await count()) - startInforms;
  console.log(`${done} informs in ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} CPU s of the fleet process (${fleet.liveCount} routers woken)`);
  console.log(`cwmp informs/s/core: ${Math.round(done / cpu)}`);
  await fleet.close();
} finally {
  child.kill('SIGTERM');
}
