import { afterEach, describe, expect, it } from 'vitest';
import { DeviceHistory } from '../../../emulator/control/history.js';
import type { ControlDevice } from '../../../emulator/control/control-routes.js';
import type { Emulator } from '../../../emulator/index.js';
import { ControlClient } from '../../helpers/control.js';
import { createTestEmulator } from '../../helpers/emulator.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

// A device stand-in: only what DeviceHistory uses (on('changed') and a state to summarise).
function fakeDevice(): { handle: ControlDevice; change(v: number): void; listeners: () => number } {
  const fns = new Set<() => void>();
  let value = 0;
  const device = { on: (_: string, fn: () => void) => (fns.add(fn), () => fns.delete(fn)), get value() { return value; } };
  return {
    handle: { device } as unknown as ControlDevice,
    change(v) { value = v; for (const f of fns) f(); },
    listeners: () => fns.size,
  };
}

describe('chart history (DeviceHistory)', () => {
  const summaryOf = (d: ControlDevice): Record<string, unknown> => ({ v: (d.device as unknown as { value: number }).value });

  it('keeps one sample per turn of the event loop, bounded, oldest dropped and counted', async () => {
    const h = new DeviceHistory({ summaryOf, maxSamples: 3 });
    const d = fakeDevice();
    h.track('a', d.handle);
    d.change(1);
    d.change(2);
    await turn();
    expect(h.view('a').samples).toEqual([{ v: 0 }, { v: 2 }]);
    for (const v of [3, 4, 5]) {
      d.change(v);
      await turn();
    }
    expect(h.view('a')).toMatchObject({ samples: [{ v: 3 }, { v: 4 }, { v: 5 }], dropped: 2 });
  });

  it('forgets the least recently touched device past maxDevices and stops listening to it', () => {
    const h = new DeviceHistory({ summaryOf, maxDevices: 2 });
    const [a, b, c] = [fakeDevice(), fakeDevice(), fakeDevice()];
    h.track('a', a.handle);
    h.track('b', b.handle);
    h.track('a', a.handle); // touched again: b is now the oldest
    h.track('c', c.handle);
    expect(h.size).toBe(2);
    expect(h.view('b').samples).toEqual([]);
    expect(b.listeners()).toBe(0);
    expect(a.listeners()).toBe(1);
    h.close();
    expect(a.listeners() + c.listeners()).toBe(0);
  });

  it('re-attaches to a device object that replaced the one it knew, keeping the history', () => {
    const h = new DeviceHistory({ summaryOf });
    const [first, second] = [fakeDevice(), fakeDevice()];
    h.track('a', first.handle);
    h.mark('a', { virtualMs: 5, name: 'signal', body: {} });
    h.track('a', second.handle);
    expect(first.listeners()).toBe(0);
    expect(second.listeners()).toBe(1);
    expect(h.view('a').marks).toEqual([{ virtualMs: 5, name: 'signal', body: {} }]);
  });
});

describe('GET /devices/{id}/history', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('answers the summaries and stimulus marks from before anyone asked', async () => {
    emu = createTestEmulator({});
    const control = new ControlClient(emu);
    const id = emu.device.state.id;
    await control.call('POST', `/devices/${id}/stimuli/battery`, { percent: 40 });
    await turn();
    emu.clock.advance(3_600_000);
    await control.call('POST', `/devices/${id}/stimuli/signal`, { rsrpDbm: -110 });
    await turn();
    const { json } = await control.call('GET', `/devices/${id}/history`);
    const h = json as { samples: { virtualMs: number; batteryPercent: number; rsrpDbm: number }[]; marks: { name: string; virtualMs: number }[] };
    expect(h.marks.map((m) => m.name)).toEqual(['battery', 'signal']);
    expect(h.marks[1]!.virtualMs - h.marks[0]!.virtualMs).toBe(3_600_000);
    expect(h.samples.some((s) => s.batteryPercent === 40)).toBe(true);
    expect(h.samples.at(-1)!.rsrpDbm).toBe(-110);
    const missing = await control.call('GET', '/devices/nope/history');
    expect(missing.status).toBe(404);
  });
});
