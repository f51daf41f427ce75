import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { connectTarget } from '../../../hil/connect.js';
import { UbusClient, ZWRT_STATUS_POLL } from '../../../hil/clients/ubus-client.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// The ubus SDK against the emulator over real HTTP(S), as it would talk to a ZWRT router on a bench.

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

describe('UbusClient', () => {
  it('logs in, polls the status batch in order, and renews an expired session once', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const url = await emu.listen({ port: 0 });
    const client = new UbusClient({ baseUrl: url, password: 'admin' });
    await client.login();
    const answers = await client.batch(ZWRT_STATUS_POLL);
    expect(answers.map((a) => ('status' in a ? a.status : a.error.code))).toEqual(ZWRT_STATUS_POLL.map(() => 0));
    const first = client.sid;
    emu.clock.advance(301_000);
    expect((await client.call('zwrt_wlan', 'report')).main2g_ssid).toBe(emu.device.state.wifi.main.ssid);
    expect(client.sid).not.toBe(first);
    const logins = emu.journal.query({ surface: 'ubus', name: 'zwrt_web.web_login' });
    expect(logins).toHaveLength(2);
  });

  it('says why a login was refused: wrong password with attempts left, then locked with the seconds', async () => {
    emu = createTestEmulator({ profile: 'u60pro' });
    const url = await emu.listen({ port: 0 });
    const client = new UbusClient({ baseUrl: url, password: 'wrong' });
    await expect(client.login()).rejects.toMatchObject({ code: 'HTTP_AUTH_FAILED', details: { result: 1, attemptsLeft: 4 } });
    for (let i = 0; i < 3; i++) await client.login().catch(() => undefined);
    await expect(client.login()).rejects.toMatchObject({ code: 'HTTP_AUTH_FAILED', details: { result: 2, lockSeconds: 300 } });
  });

  it('exchanges a key and round-trips encrypted fields over https with a self-signed certificate', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    await emu.listen({ port: 0 });
    const url = await emu.listenHttps({ port: 0 });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new UbusClient({ baseUrl: url, password: 'admin', encryption: true });
    await client.login();
    const sim = await client.call('zwrt_zte_mdm.api', 'get_sim_info');
    expect(sim.sim_imsi).not.toBe(emu.device.state.identity.imsi);
    expect(client.dec(sim.sim_imsi as string)).toBe(emu.device.state.identity.imsi);
    await client.call('zwrt_wlan', 'set', { main_2g: { key: client.enc(Buffer.from('via-https-1').toString('base64')) } });
    expect(emu.device.state.wifi.main.password).toBe('via-https-1');
  });

  it('tells a goform router from a ZWRT one by the 404 on /ubus', async () => {
    emu = createTestEmulator({ profile: 'mf79u', onUnhandled: 'silent' });
    const url = await emu.listen({ port: 0 });
    await expect(new UbusClient({ baseUrl: url, password: 'admin' }).login()).rejects.toThrow(/HTTP 404 \(no ubus endpoint: a goform router\?\)/);
  });
});

describe('a router target that speaks ubus', () => {
  it('offers the ubus capability and refuses a reboot unless destructive operations are allowed', async () => {
    emu = createTestEmulator({ profile: 'g5ultra' });
    const url = await emu.listen({ port: 0 });
    const target = await connectTarget(`router:${url}?password=admin&api=ubus`);
    try {
      expect(target.describe()).toMatchObject({ kind: 'router', capabilities: ['ubus', 'clock'], details: { api: 'ubus', model: 'G5 Ultra' } });
      expect(target.has('router')).toBe(false);
      await expect(target.require('ubus').call('zwrt_mc.device.manager', 'device_reboot', { moduleName: 'web' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(emu.device.power.isUp()).toBe(true);
    } finally {
      await target.close();
    }
    const allowed = await connectTarget(`router:${url}?password=admin&api=ubus&allowDestructive=true`);
    try {
      await allowed.require('ubus').call('zwrt_mc.device.manager', 'device_reboot', { moduleName: 'web' });
      expect(emu.device.power.isUp()).toBe(false);
    } finally {
      await allowed.close();
    }
  });

  it('is what an emulator target of a ubus profile offers instead of router', async () => {
    const target = await connectTarget({ kind: 'emulator', profile: 'u60pro', clockMode: 'paused' });
    try {
      expect(target.has('ubus')).toBe(true);
      expect(target.has('router')).toBe(false);
      expect((await target.require('ubus').call('zwrt_bsp.battery', 'list')).battery_capacity).toEqual(expect.any(Number));
      await target.require('reset').reset({ profile: 'mf79u' });
      expect(target.has('router')).toBe(true);
      expect(target.has('ubus')).toBe(false);
    } finally {
      await target.close();
    }
  });
});
