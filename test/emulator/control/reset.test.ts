import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, DEFAULT_PAUSED_ORIGIN_MS } from '../../../emulator/clock/virtual-clock.js';
import type { Emulator } from '../../../emulator/index.js';
import { ControlClient } from '../../helpers/control.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';

// POST /api/v1/devices/{id}/reset: a running bench starts a scenario from the device it names.

describe('device reset', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('starts over as another profile and seed: model, login, identity, sessions, faults, journal, time', async () => {
    emu = createTestEmulator({ profile: 'mf79u', seed: 7 });
    const control = new ControlClient(emu);
    const web = new TestClient(emu);
    await web.login();
    await web.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Before', broadcastSsidEnabled: '0', MAX_Access_num: '8', security_mode: 'OPEN', NoForwarding: '0' });
    await control.call('PUT', '/devices/dev-0/faults/goform', { errorRate: 0.5 });
    emu.clock.advance(3_600_000);
    const imei = emu.device.state.identity.imei;
    const r = await control.call('POST', '/devices/dev-0/reset', { profile: 'mc888', seed: 3, clock: 'paused', at: 'fresh', journal: 'clear' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, profile: 'mc888', seed: 3, virtualMs: DEFAULT_PAUSED_ORIGIN_MS });
    expect(emu.device.profile.model).toBe('MC888');
    expect(emu.device.state.identity.imei).not.toBe(imei);
    expect(emu.device.state.wifi.main.ssid).not.toBe('Before');
    expect(emu.faults.goform.errorRate).toBe(0);
    expect(emu.journal.size).toBe(0);
    // The old session is gone; the new profile's login (SHA256 with LD on the MC888) is what the goform API asks.
    expect((await web.get(['loginfo'])).loginfo).not.toBe('ok');
    const fresh = new TestClient(emu);
    await fresh.login();
    expect((await fresh.get(['loginfo', 'wa_inner_version'])).wa_inner_version).toMatch(/MC888/);
    expect(await (await fresh.raw('/js/config/config.js')).text()).toContain('WEB_ATTR_IF_SUPPORT_SHA256: 2');
  });

  it('gives the same device for the same seed, and refuses an unknown profile with a 400 naming it', async () => {
    emu = createTestEmulator({ seed: 1 });
    const control = new ControlClient(emu);
    const first = emu.device.snapshot();
    emu.device.sms.receive({ number: '+1', text: 'x' });
    await control.call('POST', '/devices/dev-0/reset', {});
    expect(emu.device.state.identity).toEqual(first.identity);
    expect(emu.device.state.sms.messages).toEqual([]);
    const bad = await control.call('POST', '/devices/dev-0/reset', { profile: 'mf9999' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('no profile \\"mf9999\\"; profiles: ');
  });
});

describe('VirtualClock.rebase', () => {
  it('moves time without firing anything and keeps each timer\'s remaining delay', () => {
    const clock = new VirtualClock({ mode: 'paused', originMs: 1_000_000 });
    const fired: [string, number][] = [];
    clock.after(500, () => fired.push(['once', clock.now()]));
    clock.every(1000, () => fired.push(['tick', clock.now()]));
    clock.advance(200);
    clock.rebase(10);
    expect(clock.now()).toBe(10);
    expect(fired).toEqual([]);
    clock.advance(1000);
    expect(fired).toEqual([['once', 310], ['tick', 810]]);
    clock.close();
  });
});
