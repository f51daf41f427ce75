import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, withState } from '../../helpers/emulator.js';

const HOUR = 3_600_000;

describe('device simulation on the virtual clock', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('drains the battery on battery and charges it on the charger', () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const { device, clock } = emu;
    expect(device.state.battery.percent).toBe(80);
    clock.advance(HOUR);
    const drained = device.state.battery.percent;
    // 12 %/h idle drain, +30 % while connected: about 15-16 points an hour.
    expect(drained).toBeGreaterThanOrEqual(63);
    expect(drained).toBeLessThanOrEqual(66);
    withState(device, (s) => {
      s.battery.chargerConnected = true;
    });
    clock.advance(HOUR);
    expect(device.state.battery.percent).toBe(Math.min(100, Math.round(device.state.battery.level)));
    expect(device.state.battery.percent).toBeGreaterThan(drained + 30);
  });

  it('counts traffic only while connected, and the month roll-over clears the monthly counters', () => {
    emu = createTestEmulator({ profile: 'mf79u', originMs: Date.UTC(2026, 0, 31, 22, 0, 0) });
    const { device, clock } = emu;
    clock.advance(60_000);
    const t = device.state.traffic;
    expect(t.realtimeSeconds).toBe(60);
    expect(t.monthlyRxBytes).toBeGreaterThan(0);
    expect(t.rxBytesPerSecond).toBeGreaterThan(0);
    const before = t.monthlyRxBytes;
    // Local midnight (UTC+1) comes at 23:00 UTC: February begins and the counters start again.
    clock.advance(HOUR);
    expect(device.state.traffic.month).toBe(2);
    expect(device.state.traffic.lastMonthTotalBytes).toBeGreaterThan(before);
    expect(device.state.traffic.monthlyRxBytes).toBeLessThan(device.state.traffic.lastMonthTotalBytes);
    device.data.disconnect();
    clock.advance(5_000);
    const frozen = device.state.traffic.monthlyRxBytes;
    clock.advance(60_000);
    expect(device.state.traffic.monthlyRxBytes).toBe(frozen);
    expect(device.state.connection.ppp).toBe('ppp_disconnected');
  });

  it('drops data when roaming without data roaming and brings it back home', () => {
    emu = createTestEmulator();
    const { device, clock } = emu;
    device.network.setRegistration('roaming');
    clock.advance(1000);
    expect(device.state.connection.ppp).toBe('ppp_disconnected');
    device.network.setRegistration('home');
    clock.advance(3000);
    expect(device.state.connection.ppp).toBe('ppp_connected');
  });

  it('downloads published firmware at its rate, installs it and reboots into the new version', () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const { device, clock } = emu;
    device.fota.publish({ version: 'BD_MC888V1.0.0B11', sizeBytes: 2_621_440, description: 'fixes' });
    device.fota.check();
    clock.advance(3000);
    expect(device.state.fota.newVersionState).toBe('version_has_new_optional_software');
    expect(device.fota.accept()).toEqual({ version: 'BD_MC888V1.0.0B11', sizeBytes: expect.any(Number) as number });
    clock.advance(5000);
    expect(device.state.fota.downloadedBytes).toBe(5 * 256 * 1024);
    clock.advance(6000);
    expect(device.state.fota.upgradeState).toBe('download_success');
    clock.advance(3000);
    expect(device.state.fota.upgradeState).toBe('upgrading');
    clock.advance(10_000);
    expect(device.power.isUp()).toBe(false);
    clock.advance(30_000);
    expect(device.power.isUp()).toBe(true);
    expect(device.state.fota.currentVersion).toBe('BD_MC888V1.0.0B11');
    expect(device.state.fota.upgradeResult).toBe('success');
    expect(device.state.system.rebootCount).toBe(1);
  });

  it('dies on an empty battery and starts again on the charger', () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const { device, clock } = emu;
    clock.advance(6 * HOUR);
    expect(device.power.isUp()).toBe(false);
    expect(device.state.battery.percent).toBe(0);
    clock.advance(HOUR);
    expect(device.power.isUp()).toBe(false);
    withState(device, (s) => {
      s.battery.chargerConnected = true;
    });
    clock.advance(5 * 60_000);
    expect(device.power.isUp()).toBe(true);
    clock.advance(3000);
    expect(device.state.connection.ppp).toBe('ppp_connected');
  });

  it('refuses to start a firmware download on a low battery', () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const { device } = emu;
    device.fota.publish({ version: 'B02', sizeBytes: 1000, description: '' });
    withState(device, (s) => {
      s.battery.level = s.battery.percent = 20;
    });
    expect(device.fota.accept()).toMatchObject({ refused: 'low-battery' });
    expect(device.state.fota.upgradeState).toBe('low_battery');
  });

  it('keeps identity and SIM messages across a factory reset but restores settings', () => {
    emu = createTestEmulator();
    const { device, clock } = emu;
    const imei = device.state.identity.imei;
    withState(device, (s) => {
      s.wifi.main.ssid = 'changed';
    });
    device.sms.receive({ number: '+100', text: 'device copy' });
    device.sms.receive({ number: '+100', text: 'sim copy', store: 'sim' });
    device.power.factoryReset();
    clock.advance(30_000);
    expect(device.state.identity.imei).toBe(imei);
    expect(device.state.wifi.main.ssid).not.toBe('changed');
    expect(device.state.sms.messages.map((m) => m.text)).toEqual(['sim copy']);
    expect(device.state.system.restoreFlag).toBe(true);
  });

  it('refuses an incoming SMS when the store is full', () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const { device } = emu;
    for (let i = 0; i < 100; i++) expect(device.sms.receive({ number: '+1', text: `m${i}` }).refused).toBeUndefined();
    expect(device.sms.receive({ number: '+1', text: 'one too many' })).toMatchObject({ refused: 'store-full' });
    expect(device.sms.count('device')).toBe(100);
  });
});

describe('device state schema', () => {
  it.each(['mf79u', 'mc888', 'mf823', 'mf286d'])('validates the initial state of %s and a state after a busy hour', async (profile) => {
    const { deviceStateSchema } = await import('../../../emulator/state/device-state.js');
    const emu = createTestEmulator({ profile });
    expect(deviceStateSchema.safeParse(emu.device.state).error).toBeUndefined();
    emu.device.wifi.join({ mac: '02:00:00:00:00:01', hostname: 'x' });
    emu.device.sms.receive({ number: '+1', text: 'x' });
    emu.clock.advance(3_600_000);
    expect(deviceStateSchema.safeParse(JSON.parse(JSON.stringify(emu.device.state))).error).toBeUndefined();
    await emu.close();
  });
});

describe('self test (TR-181 Device.SelfTestDiagnostics)', () => {
  it('is Complete on a registered router with a ready SIM, names what failed otherwise, and says when it is down', async () => {
    const emu = createTestEmulator({ profile: 'mc888' });
    const { device } = emu;
    expect(device.management.selfTest()).toMatchObject({ status: 'Complete', results: expect.stringContaining('sim=ready;registration=home') as string });
    device.sim.setStatus('absent');
    expect(device.management.selfTest()).toMatchObject({ status: 'Error_Other', results: expect.stringContaining('sim=absent') as string });
    device.power.reboot();
    expect(device.management.selfTest()).toEqual({ status: 'Error_Internal', results: 'the device is not running' });
    await emu.close();
  });
});
