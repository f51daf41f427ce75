import { afterEach, describe, expect, it } from 'vitest';
import { GoformClient } from '../../../hil/clients/goform-client.js';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, withState } from '../../helpers/emulator.js';

// The SDK against the emulator over real HTTP, for every login generation.

describe.each([
  ['mf79u', 'base64', 'md5'],
  ['mc888', 'sha256-ld', 'sha256'],
  ['mf286d', 'sha256-base64', 'md5'],
  ['mf823', 'base64', 'none'],
] as const)('GoformClient on %s', (profile, encoding, ad) => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });
  async function start(options: Parameters<typeof createTestEmulator>[0] = {}): Promise<GoformClient> {
    emu = createTestEmulator({ profile, ...options });
    const base = await emu.listen({ port: 0 });
    return new GoformClient({ baseUrl: base, password: 'admin', pollIntervalMs: 20 });
  }

  it(`detects ${encoding} login with ${ad} AD, logs in and writes`, async () => {
    const client = await start();
    expect(await client.generation()).toMatchObject({ passwordEncoding: encoding, ad });
    await client.login();
    expect((await client.get(['loginfo', 'imei'])).imei).toBe(emu.device.state.identity.imei);
    await client.set('SET_CONNECTION_MODE', { ConnectionMode: 'manual_dial', roam_setting_option: 'on' });
    expect(emu.device.state.network.dataRoaming).toBe(true);
  });

  it('reports a wrong password with the attempts left', async () => {
    emu = createTestEmulator({ profile });
    const client = new GoformClient({ baseUrl: await emu.listen({ port: 0 }), password: 'nope' });
    await expect(client.login()).rejects.toMatchObject({ code: 'HTTP_AUTH_FAILED', details: { result: '3', attemptsLeft: '4' } });
  });

  it('tries a login with another password and answers the firmware\'s result without throwing', async () => {
    const client = await start();
    expect(await client.tryLogin('not-it')).toBe('3');
    expect((await client.get(['psw_fail_num_str'], false)).psw_fail_num_str).toBe('4');
    expect(await client.tryLogin()).toBe('0');
    expect((await client.get(['loginfo'], false)).loginfo).toBe('ok');
  });

  it(`writes with a wrong or no AD when asked (${ad === 'none' ? 'no AD checked: both accepted' : 'both refused'})`, async () => {
    const client = await start();
    await client.login();
    const write = (options: { ad: 'wrong' | 'omitted' }): Promise<Record<string, unknown>> => client.set('SET_CONNECTION_MODE', { ConnectionMode: 'manual_dial', roam_setting_option: 'on' }, false, options);
    for (const choice of ['wrong', 'omitted'] as const) {
      if (ad === 'none') await expect(write({ ad: choice })).resolves.toMatchObject({ result: 'success' });
      else await expect(write({ ad: choice })).rejects.toMatchObject({ code: 'HTTP_STATUS', details: { result: 'failure' } });
    }
    expect(emu.device.state.network.dataRoaming).toBe(ad === 'none');
  });

  it('renews an expired session on the next read', async () => {
    const client = await start();
    await client.login();
    emu.clock.advance(400_000);
    expect((await client.get(['imei'])).imei).toBe(emu.device.state.identity.imei);
  });

  it.skipIf(profile === 'mf823')('logs in again when another client took the session over, for writes too (no cookie on mf823)', async () => {
    const first = await start();
    await first.login();
    const second = new GoformClient({ baseUrl: first.baseUrl, password: 'admin' });
    await second.login(); // single-user firmware: the first session ends here
    await first.set('SET_WIFI_SLEEP_INFO', { sysIdleTimeToSleep: '20' });
    expect(emu.device.state.wifi.sleepAfterMinutes).toBe(20);
    // The second session is gone now; its logout finds nothing to end and resolves.
    await second.logout();
    await expect(second.set('SET_WIFI_SLEEP_INFO', { sysIdleTimeToSleep: '30' }, false)).rejects.toMatchObject({ code: 'HTTP_STATUS' });
  });

  it('turns a refused write into HTTP_STATUS with the goformId', async () => {
    const client = await start();
    await client.login();
    await expect(client.set('SET_CONNECTION_MODE', { ConnectionMode: 'sometimes' })).rejects.toMatchObject({ code: 'HTTP_STATUS', details: { goformId: 'SET_CONNECTION_MODE' } });
  });

  it('sends SMS through the sms_cmd polling protocol, lists, marks read and deletes', async () => {
    const client = await start({ clockMode: 'running', speed: 20 });
    await client.login();
    await client.sendSms('+4915112345678', 'SDK says hi 👋');
    emu.device.sms.receive({ number: '+4915100000001', text: 'incoming' });
    const list = await client.listSms();
    expect(list.map((m) => [m.number, m.text, m.tag])).toEqual([['+4915100000001', 'incoming', 1], ['+4915112345678', 'SDK says hi 👋', 2]]);
    await client.markSmsRead([list[0]!.id]);
    await client.deleteSms([list[1]!.id]);
    expect((await client.listSms()).map((m) => [m.text, m.tag])).toEqual([['incoming', 0]]);
  });

  it('fails the SMS send when the device says so', async () => {
    const client = await start({ clockMode: 'running', speed: 20 });
    await client.login();
    withState(emu.device, (s) => void (s.sms.sendFailure = true));
    await expect(client.sendSms('+1', 'x')).rejects.toMatchObject({ code: 'HTTP_STATUS', details: { result: '2' } });
  });
});

describe('GoformClient errors', () => {
  it('refuses a bad URL with CONFIG_INVALID and an unreachable router with TRANSPORT_TIMEOUT', async () => {
    expect(() => new GoformClient({ baseUrl: 'not a url', password: 'x' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    // Port 9 on loopback: nothing listens there.
    const client = new GoformClient({ baseUrl: 'http://127.0.0.1:9', password: 'x', timeoutMs: 500 });
    await expect(client.get(['Language'])).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
  });
});
