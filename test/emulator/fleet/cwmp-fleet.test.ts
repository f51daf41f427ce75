import { afterEach, describe, expect, it } from 'vitest';
import { Fleet } from '../../../emulator/fleet/fleet.js';
import { TestAcs } from '../../helpers/acs.js';

// A fleet of CPEs against the test ACS (device-management.md §4): first contacts spread and bounded, and a boot storm
// after a power outage that every router survives with a new BOOT inform, on the virtual clock.

let fleet: Fleet | undefined;
let acs: TestAcs | undefined;
afterEach(async () => {
  await fleet?.close();
  await acs?.close();
});

/** Moves the fleet's virtual clock in steps, letting the sessions each step started run, until `done`. */
async function runUntil(f: Fleet, a: TestAcs, done: () => boolean, stepMs: number, maxSteps: number): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i++) {
    f.clock.advance(stepMs);
    await a.until(() => done() || f.cwmpActive() === 0, 20_000).catch(() => undefined);
  }
  await a.until(done, 20_000);
}

describe('a fleet of CPEs', () => {
  it('bootstraps 1000 routers with bounded concurrency, and every one informs BOOT again after a power outage', async () => {
    acs = new TestAcs({ maxConcurrent: 1000 });
    await acs.start();
    fleet = new Fleet({ count: 1000, seed: 5, clockMode: 'paused', profiles: ['mf79u', 'g5ts', 'mc888'], hibernateAfterMs: 0 });
    const started = await fleet.startCwmp({ url: acs.url, crPort: 0, maxSessions: 25, bootSpreadMs: 60_000 });
    expect(started.cpes).toBe(1000);
    const serials = new Set<string>();
    await runUntil(fleet, acs, () => {
      for (const i of acs!.informs) if (i.events.some((e) => e.code === '0 BOOTSTRAP')) serials.add(i.serial);
      return serials.size === 1000;
    }, 5_000, 40);
    expect(serials.size).toBe(1000);
    // Spread first contacts and the shared limiter: never more than 25 sessions at the ACS at once.
    expect(acs.maxActive).toBeLessThanOrEqual(25);
    expect(acs.informs.every((i) => i.events.map((e) => e.code).join() === '0 BOOTSTRAP,1 BOOT')).toBe(true);
    const bootstraps = acs.informs.length;

    const outage = await fleet.control.request('/api/v1/fleet/stimuli/power-outage', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ select: {}, params: {} }) });
    expect(outage.status).toBe(200);
    const rebooted = new Set<string>();
    await runUntil(fleet, acs, () => {
      for (const i of acs!.informs.slice(bootstraps)) if (i.events.some((e) => e.code === '1 BOOT')) rebooted.add(i.serial);
      return rebooted.size === 1000;
    }, 10_000, 60);
    expect(rebooted.size).toBe(1000);
    expect(acs.maxActive).toBeLessThanOrEqual(25);
  }, 120_000);
});
