import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeUcs2Hex, encodeUcs2Hex } from '../../../emulator/http/codec.js';
import { createEmulatorTarget, type EmulatorTarget } from '../../../hil/drivers/emulator-target.js';
import { UbusClient, ZWRT_STATUS_POLL } from '../../../hil/clients/ubus-client.js';
import { emulatorFromRecording, emulatorOptionsFromRecording, loadRecording, replayFidelity, startProxy, type Recording } from '../../../hil/index.js';
import { importRecording, runScenario } from '../../../scenarios/index.js';

// routerlab proxy between a ZWRT client and a ZWRT router: an emulator of the u60pro profile stands in for the
// router and the ubus SDK for the client. The recording keeps every batch; fidelity replays it through ubus.

const PHONE = '+4915187654329';

describe('routerlab proxy on a ZWRT (ubus) router', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  /** The router as the user left it: its inbox holds one message read, one not. */
  const device = async (): Promise<EmulatorTarget> => {
    const t = await createEmulatorTarget({ clockMode: 'paused', seed: 12, profile: 'u60pro' });
    cleanup.push(() => t.close());
    await t.require('stimuli').apply('sms', { from: '+4917100000001', text: 'read before', read: true });
    await t.require('stimuli').apply('sms', { from: '+4917100000002', text: 'unread before' });
    return t;
  };

  it('records the batches scrubbed with sessions and secrets masked, holds a reboot back, and replays them answered the same', async () => {
    const router = await device();
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-proxy-ubus-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const proxy = await startProxy({ target: String(router.describe().details.goformUrl), out: dir, port: 0 });
    cleanup.push(async () => void (await proxy.close()));
    const identity = router.emulator!.device.state.identity;

    // The web UI's login with a typo first: replayed with a wrong password, so the attempts left follow.
    expect((await new UbusClient({ baseUrl: proxy.url, password: 'admim' }).tryLogin()).result).not.toBe(0);
    const client = new UbusClient({ baseUrl: proxy.url, password: 'admin' });
    await client.login();
    const sid = client.sid;
    for (let i = 0; i < 2; i++) {
      await client.batch(ZWRT_STATUS_POLL);
      // An SMS arrives while the client polls; it sees the unread count rise, then lists it.
      if (i === 0) await router.require('stimuli').apply('sms', { from: '+4917100000003', text: 'arrived while polling' });
    }
    await client.batch([['zwrt_zte_mdm.api', 'get_sim_info', {}], ['uci', 'get', { config: 'zwrt_common_info', section: 'common_config' }]]);
    await client.call('zwrt_wms', 'zte_libwms_send_sms', { number: PHONE, sms_time: '26;01;01;00;00;05;+1', message_body: encodeUcs2Hex(`call me on ${PHONE}`), id: '-1', encode_type: 'GSM7_default' });
    // The client's first look at the inbox comes after its own send: the sent copy is its doing, not the device's.
    await client.call('zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 20, mem_store: 1, tags: 10, order_by: 'order by id desc' });
    await client.call('zwrt_wlan', 'set', { main_2g: { ssid: 'Proxy-ZWRT', key: Buffer.from('secret-zwrt-key').toString('base64') } });
    const reboot = await client.batch([['zwrt_mc.device.manager', 'device_reboot', { moduleName: 'web' }]]);
    expect(reboot).toEqual([{ status: 6, data: {} }]);
    await client.call('zwrt_wlan', 'report');
    await client.logout();
    const recording = await proxy.close();

    expect(loadRecording(dir)).toEqual(recording);
    expect(recording._meta).toMatchObject({ version: 3, kind: 'proxy', model: 'MU5250', firmware: 'XCBZ_HK_MU5250V1.0.0B04' });
    expect(emulatorOptionsFromRecording(recording).profile).toBe('u60pro');
    const ubus = recording.exchanges.filter((x) => x.kind === 'ubus');
    expect(ubus.map((x) => x.name)).toContain('zwrt_web.web_login');
    expect(router.emulator!.device.power.isUp()).toBe(true);
    expect(ubus.find((x) => x.name === 'zwrt_mc.device.manager.device_reboot')).toMatchObject({ blocked: true });

    // No session id, password hash, salt, Wi-Fi key or identity in the file.
    const text = readFileSync(join(dir, 'recording.json'), 'utf8');
    for (const secret of [identity.imei, identity.imsi, identity.iccid, identity.msisdn, PHONE, sid, router.emulator!.ubus.sessions.salt, 'secret-zwrt-key', Buffer.from('secret-zwrt-key').toString('base64')]) {
      expect(text, secret).not.toContain(secret);
    }
    const login = ubus.find((x) => x.name === 'zwrt_web.web_login')!;
    expect(JSON.stringify(login.request.json)).toContain('"password":"***"');
    const sent = ubus.find((x) => x.name === 'zwrt_wms.zte_libwms_send_sms')!;
    const args = ((sent.request.json as { params: unknown[] }[])[0]!.params[3]) as { number: string; message_body: string };
    expect(args.number).toMatch(/^\+49\d{11}$/);
    expect(decodeUcs2Hex(args.message_body)).toBe(`call me on ${args.number}`);
    expect(JSON.stringify(sent.request.json)).toContain('"<session>"');

    // A fresh emulator of the same profile and seed answers every replayed call as recorded.
    const report = await replayFidelity(recording, await device());
    expect(report.differences).toEqual([]);
    expect(report.replayed).toBeGreaterThanOrEqual(16);
    expect(report.matched).toBe(report.replayed);
    expect(report.skipped).toMatchObject({ 'destructive calls the proxy held back': 1 });
    expect(report.skipped['calls with a secret withheld']).toBeUndefined();
    // Both logins were replayed and compared: the failed one failed again, the other succeeded.
    const logins = ubus.filter((x) => x.name === 'zwrt_web.web_login').map((x) => String((x.response.json as { result: [number, { result: unknown }] }[])[0]!.result[1].result));
    expect(logins).toEqual(['1', '0']);
    const typo = recording.exchanges.find((x) => x.name === 'zwrt_web.web_login')!;
    const left = (typo.response.json as { result: [number, { login_fail_num: unknown }] }[])[0]!.result[1].login_fail_num;
    expect(left).toBeDefined();
    const planted2: Recording = structuredClone(recording);
    (planted2.exchanges.find((x) => x.name === 'zwrt_web.web_login')!.response.json as { result: [number, { login_fail_num: unknown }] }[])[0]!.result[1].login_fail_num = 1;
    expect((await replayFidelity(planted2, await device())).differences).toContainEqual(expect.objectContaining({ surface: 'ubus', request: 'zwrt_web.web_login', field: 'login_fail_num', recorded: '1' }));

    // An emulator started from the recording (its profile, the identities and settings the client saw, another seed).
    const started = await emulatorFromRecording(recording);
    cleanup.push(() => started.close());
    const fromRecording = await replayFidelity(recording, started);
    expect(fromRecording.differences).toEqual([]);
    // It started with the inbox as found (read state kept) and got the SMS that arrived, where the client saw it.
    expect([...started.emulator!.device.state.sms.messages].sort((a, b) => a.id - b.id).filter((m) => m.tag === 0 || m.tag === 1).map((m) => [m.text, m.tag])).toEqual([['read before', 0], ['unread before', 1], ['arrived while polling', 1]]);

    // A planted difference is reported with the call and the field.
    const planted: Recording = structuredClone(recording);
    const poll = planted.exchanges.find((x) => x.name?.startsWith('zwrt_router.api.router_get_status'))!;
    ((poll.response.json as { result: [number, Record<string, unknown>] }[])[1]!.result[1]).network_type = 'LTE';
    const again = await replayFidelity(planted, await device());
    expect(again.differences).toEqual([expect.objectContaining({ surface: 'ubus', request: 'zte_nwinfo_api.nwinfo_get_netinfo', field: 'network_type', kind: 'value', recorded: 'LTE' })]);

    // import: the client's calls as a scenario that passes on the emulator.
    const { scenario } = importRecording(recording, 'proxied zwrt session');
    expect(scenario.requires).toContain('ubus');
    expect(scenario.device.profile).toBe('u60pro');
    expect(scenario.steps).toContainEqual(expect.objectContaining({ ubus: 'zwrt_wms.zte_libwms_send_sms', status: 0 }));
    expect(scenario.steps.some((s) => 'expect' in s && 'ubus' in s.expect && s.expect.ubus === 'zte_nwinfo_api.nwinfo_get_netinfo')).toBe(true);
    expect(scenario.steps.some((s) => 'ubus' in s && /web_login|device_reboot/.test(s.ubus))).toBe(false);
    const result = await runScenario('proxied-zwrt.yaml', { ...scenario, device: { profile: 'u60pro', seed: 12 } }, { target: 'emulator' });
    const failed = result.steps.find((s) => s.status === 'failed');
    expect(failed?.reason ?? '', `${failed?.title ?? ''}`).toBe('');
  });
});
