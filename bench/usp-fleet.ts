// bench/usp-fleet: what a fleet of TR-369 USP Agents costs (device-management.md §3, §4).
//
// BENCH_AGENTS routers (default 5000) in this process, every one a USP Agent with its own MQTT 5 connection to a
// Mosquitto child process (the Debian package), one Controller (hil/clients/usp-controller) in this process too.
// 1. `usp idle bytes/agent`: every agent connected, its Boot! delivered, a ValueChange subscription of its own added
//    by the Controller, its router put away; heap + external after a full GC against the same process before the
//    fleet existed, divided by the count. Goal <= 8192.
// 2. `usp agents/core`: one Get per agent (a minute's worth of the "one Get per agent per minute" load), 200 in flight,
//    answered Gets per CPU second of this process (agents, routers woken from storage and the Controller together)
//    times 60: how many agents one core carries at that load.
//
// Run: node --expose-gc --import tsx bench/usp-fleet.ts   (needs /usr/sbin/mosquitto)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet } from '../emulator/fleet/fleet.js';
import { UspController } from '../hil/clients/usp-controller.js';
import { cpuSeconds, usedBytes } from './lib/measure.js';

const COUNT = Number(process.env.BENCH_AGENTS ?? 5000);
const used = (): number => usedBytes('usp-fleet');
used();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'routerlab-usp-bench-'));
writeFileSync(join(dir, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000\n`);
const broker = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
await sleep(500);
const url = `mqtt://127.0.0.1:${port}`;

try {
  const before = used();
  const ctl = await UspController.connect({ url, timeoutMs: 60_000 });
  const fleet = new Fleet({ count: COUNT, seed: 1, clockMode: 'paused', profiles: ['mix'], hibernateAfterMs: 0, journalCapacity: 1000 });
  const t0 = performance.now();
  const started = await fleet.startUsp({ url, connectRate: 2000 });
  const boots = (): number => new Set(ctl.notifications.filter((n) => n.type === 'event').map((n) => n.from)).size;
  while (boots() < COUNT) await sleep(50);
  console.log(`usp fleet: ${started.connected} of ${COUNT} agents connected and reported Boot! in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const inFlight = async (each: (i: number) => Promise<unknown>): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: 200 }, async () => {
      for (let i = next++; i < COUNT; i = next++) await each(i);
    }));
  };
  await inFlight((i) => ctl.subscribe(fleet.agent(i)!.endpointId, { id: 'ssid', notifType: 'ValueChange', referenceList: ['Device.WiFi.SSID.1.SSID'] }));
  for (let i = 0; i < COUNT; i++) if (!fleet.putAway(i)) throw new Error(`[bench] router ${i} could not be put away`);
  ctl.notifications.length = 0;
  const idle = used();
  console.log(`${fleet.storedCount} routers put away, ${fleet.liveCount} live, ${COUNT} subscriptions held`);
  console.log(`usp idle bytes/agent: ${Math.round((idle - before) / COUNT)}`);

  const cpu0 = cpuSeconds();
  const w0 = performance.now();
  await inFlight((i) => ctl.get(fleet.agent(i)!.endpointId, ['Device.DeviceInfo.SoftwareVersion', 'Device.Cellular.Interface.1.Status']));
  const cpu = cpuSeconds() - cpu0;
  const wall = (performance.now() - w0) / 1000;
  console.log(`${COUNT} Gets answered in ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} CPU s of this process (${fleet.liveCount} routers woken)`);
  console.log(`usp gets/s/core: ${Math.round(COUNT / cpu)}`);
  console.log(`usp agents/core at one Get per agent per minute: ${Math.round((COUNT / cpu) * 60)}`);
  const s = fleet.uspStatus();
  console.log(`agents: ${s.agents}, connected ${s.connected}, answered ${s.answered}, notified ${s.notified}, dropped ${s.dropped}`);
  await ctl.close();
  await fleet.close();
} finally {
  broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
