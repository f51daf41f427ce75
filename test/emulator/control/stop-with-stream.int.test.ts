import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createEmulator } from '../../../emulator/index.js';

// An open dashboard (an event stream) must not hold a stopping process: serve took 15 s to exit after Ctrl-C
// with a browser open, waiting out the stream's keep-alive timer (issue #28). Checked without timing anything:
// once everything is closed, no timer of the stream is left keeping the event loop alive.

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('stopping with an event stream open', () => {
  it('leaves no timer holding the process once the emulator is closed', async () => {
    const emu = createEmulator({ clockMode: 'paused', onUnhandled: 'silent' });
    const control = await emu.listenControl({ port: 0 });
    const before = timers();
    const first = await new Promise<string>((resolve, reject) => {
      const req = request(`${new URL(control).origin}/api/v1/devices/${emu.device.state.id}/events`, (res) => res.once('data', (d: Buffer) => resolve(d.toString())));
      req.on('error', reject);
      req.end();
    });
    expect(first, first).toMatch(/^event: state/);
    await emu.close();
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
