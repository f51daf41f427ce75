import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex } from '../../../emulator/http/codec.js';
import { createEmulatorTarget, type EmulatorTarget } from '../../../hil/drivers/emulator-target.js';
import { GoformClient } from '../../../hil/clients/goform-client.js';
import { emulatorFromRecording, replayFidelity, startProxy, type Recording } from '../../../hil/index.js';
import { importRecording, runScenario } from '../../../scenarios/index.js';

// Record -> replay -> compare with nothing but the replay in between: a client that logs in like the web UI (a
// wrong password first), polls, sends an SMS with a wrong and then a right AD, reads its status a second later,
// changes settings and logs out, recorded through the proxy against an emulator that is not in its default state;
// `fidelity` against an emulator started from that recording must find no difference (issue #26).

const PHONE = '+4915187654321';
const STATUS = ['loginfo', 'modem_main_state', 'signalbar', 'network_type', 'ppp_status', 'SSID1', 'AuthMode', 'HideSSID', 'MAX_Access_num', 'sms_unread_num', 'psw_fail_num_str', 'login_lock_time'];
const LIST = { page: '0', data_per_page: '20', mem_store: '1', tags: '10', order_by: 'order by id desc' };

describe('proxy recording replayed by fidelity', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** A device as a user left it: its own SSID and hidden network, two messages in the inbox (one read). */
  async function usedDevice(): Promise<EmulatorTarget> {
    const t = await createEmulatorTarget({ clockMode: 'paused', seed: 23, profile: 'mf79u' });
    cleanup.push(() => t.close());
    const own = t.require('router');
    await own.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Field-Net', broadcastSsidEnabled: '1', MAX_Access_num: '6', security_mode: 'WPA2PSK', cipher: '1', NoForwarding: '0', passphrase: Buffer.from('field-wifi-key').toString('base64') });
    const stimuli = t.require('stimuli');
    await stimuli.apply('sms', { from: '+4917100000001', text: 'first, already read' });
    await stimuli.apply('sms', { from: '+4917100000002', text: 'second, still unread' });
    const inbox = await own.listSms();
    await own.set('SET_MSG_READ', { msg_id: `${inbox.find((m) => m.text.startsWith('first'))!.id};`, tag: '0' });
    await own.logout();
    return t;
  }

  /** The client: what the web UI does in its first minute, on the device's clock. */
  async function client(base: string, tick: (ms: number) => Promise<void>, deliver: (text: string) => Promise<void>): Promise<void> {
    const session = { cookie: null };
    const web = new GoformClient({ baseUrl: base, password: 'admin', session });
    const typo = new GoformClient({ baseUrl: base, password: 'admim', session });
    await web.get(['loginfo', 'Language', 'modem_main_state', 'psw_fail_num_str', 'login_lock_time'], false);
    await tick(2000);
    expect(await typo.tryLogin()).toBe('3');
    await web.get(['psw_fail_num_str', 'login_lock_time'], false);
    await tick(3000);
    await web.login();
    for (let i = 0; i < 3; i++) {
      await web.get(STATUS, false);
      // An SMS arrives while the client polls, before it ever lists the inbox.
      if (i === 1) await deliver('arrived while polling');
      await tick(1000);
    }
    const inbox = await web.getAggregate<{ messages: { id: string; tag: string }[] }>('sms_data_total', LIST);
    const sms = { notCallback: 'true', Number: PHONE, sms_time: '26;12;02;10;00;00;+0', MessageBody: encodeUcs2Hex('on my way'), ID: '-1', encode_type: 'GSM7_default' };
    await expect(web.set('SEND_SMS', sms, false, { ad: 'wrong' })).rejects.toThrow(/answered failure/);
    await web.set('SEND_SMS', sms, false);
    await web.getAggregate('sms_cmd_status_info', { sms_cmd: '4' });
    await tick(1000);
    await web.getAggregate('sms_cmd_status_info', { sms_cmd: '4' });
    // Another one between two listings, never shown by a poll of the count.
    await deliver('arrived between listings');
    await web.getAggregate('sms_data_total', LIST);
    const unread = inbox.messages.find((m) => m.tag === '1')!;
    await web.set('SET_MSG_READ', { msg_id: `${unread.id};`, tag: '0' }, false);
    await web.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Field-Net-5', broadcastSsidEnabled: '0', MAX_Access_num: '8', security_mode: 'WPA2PSK', cipher: '1', NoForwarding: '0', passphrase: Buffer.from('new-wifi-key').toString('base64') }, false);
    await tick(1000);
    await web.get(STATUS, false);
    await web.logout();
    await web.get(['loginfo', 'SSID1'], false);
  }

  async function record(): Promise<Recording> {
    const device = await usedDevice();
    const emulator = device.emulator!;
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-replay-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // The proxy stamps exchanges with the device's clock, so the pacing it records is the clock the client saw.
    const proxy = await startProxy({ target: String(device.describe().details.goformUrl), out: dir, port: 0, now: () => emulator.clock.now() });
    cleanup.push(async () => void (await proxy.close()));
    await client(proxy.url, (ms) => Promise.resolve(emulator.clock.advance(ms)), async (text) => void (await device.require('stimuli').apply('sms', { from: '+4917100000003', text })));
    return proxy.close();
  }

  it('finds no difference between a recording and an emulator started from it', async () => {
    const recording = await record();
    // The proxy judged each AD against the RDs it forwarded.
    const sends = recording.exchanges.filter((x) => x.name === 'SEND_SMS');
    expect(sends.map((x) => x.ad)).toEqual(['wrong', 'right']);
    expect(sends.map((x) => (x.response.json as { result: string }).result)).toEqual(['failure', 'success']);

    const replay = await emulatorFromRecording(recording);
    cleanup.push(() => replay.close());
    const report = await replayFidelity(recording, replay);
    expect(report.differences).toEqual([]);
    expect(report.matched).toBe(report.replayed);
    // Logins are replayed and compared, not skipped; only the recorded login password was never written.
    const replayedWrites = recording.exchanges.filter((x) => x.kind === 'goform-write').length;
    expect(report.replayed).toBe(recording.exchanges.filter((x) => x.kind === 'goform-read').length + replayedWrites);
    // Only the files the client's generation detection fetched are not replayed.
    expect(Object.keys(report.skipped)).toEqual(['static files']);
    expect(recording.exchanges.filter((x) => x.name === 'LOGIN').map((x) => (x.response.json as { result: string }).result)).toEqual(['3', '0']);
    expect(recording.exchanges.filter((x) => x.name === 'psw_fail_num_str,login_lock_time').map((x) => (x.response.json as Record<string, string>).psw_fail_num_str)).toEqual(['4']);
    // The SMS status the client polled a second after sending: sending, then sent (compared at the same offsets).
    expect(recording.exchanges.filter((x) => x.name === 'sms_cmd_status_info').map((x) => (x.response.json as Record<string, string>).sms_cmd_status_result)).toEqual(['1', '3']);
    const state = replay.emulator!.device.state;
    expect(state.wifi.main.ssid).toBe('Field-Net-5');
    expect(state.sms.messages.filter((m) => m.tag === 2)).toHaveLength(1);
    // The two SMS that arrived during the recording arrived during the replay, where the client first saw them.
    expect(state.sms.messages.map((m) => m.text)).toEqual(expect.arrayContaining(['arrived while polling', 'arrived between listings']));
    expect(state.sms.messages.filter((m) => m.text.startsWith('arrived'))).toHaveLength(2);
  });

  it('imports as a scenario that sets up the recorded device (Wi-Fi, inbox read and unread) and passes on the emulator', async () => {
    const recording = await record();
    const { scenario } = importRecording(recording, 'web ui first minute');
    const wifi = scenario.steps.find((s) => 'goform' in s && s.goform === 'SET_WIFI_SSID1_SETTINGS');
    expect(wifi && 'fields' in wifi ? wifi.fields : {}).toMatchObject({ ssid: 'Field-Net', MAX_Access_num: '6' });
    const sms = scenario.steps.filter((s) => 'stimulus' in s && s.stimulus === 'sms').map((s) => ('with' in s ? s.with : {}));
    // The inbox as found (read state kept), then the two that arrived while the client worked, at their points.
    expect(sms).toEqual([
      expect.objectContaining({ text: 'first, already read', read: true }), expect.objectContaining({ text: 'second, still unread' }),
      expect.objectContaining({ text: 'arrived while polling' }), expect.objectContaining({ text: 'arrived between listings' }),
    ]);
    expect(sms[1]).not.toHaveProperty('read');
    // The write refused for its wrong AD did nothing: one SEND_SMS step, not two.
    expect(scenario.steps.filter((s) => 'goform' in s && s.goform === 'SEND_SMS')).toHaveLength(1);
    const result = await runScenario('web-ui-first-minute.yaml', scenario, { target: 'emulator' });
    const failed = result.steps.find((s) => s.status === 'failed');
    expect(failed?.reason ?? '', failed?.title ?? '').toBe('');
  });

  it('reports what the replay would hide: a wrong AD replayed right, a device not started from the recording', async () => {
    const recording = await record();
    const flipped: Recording = structuredClone(recording);
    flipped.exchanges.find((x) => x.name === 'SEND_SMS')!.ad = 'right';
    const replay = await emulatorFromRecording(flipped);
    cleanup.push(() => replay.close());
    const report = await replayFidelity(flipped, replay);
    expect(report.differences).toContainEqual(expect.objectContaining({ request: 'SEND_SMS', field: 'result', recorded: 'failure', actual: 'success' }));

    // A default device of the same profile: the user's SSID and inbox are not there.
    const fresh = await createEmulatorTarget({ clockMode: 'paused', profile: 'mf79u' });
    cleanup.push(() => fresh.close());
    const againstFresh = await replayFidelity(recording, fresh);
    expect(againstFresh.differences).toContainEqual(expect.objectContaining({ field: 'SSID1', recorded: 'Field-Net' }));
    expect(againstFresh.differences.some((d) => d.field === 'sms_unread_num')).toBe(true);
  });
});
