import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { ControlClient } from '../../helpers/control.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';
import { ModemManagerSession } from '../../helpers/modemmanager.js';
import { hasCommand } from '../../helpers/system.js';

// The real ModemManager (Debian 1.20) against the emulated modem, through its test switches and a virtual modem on
// the emulator's UNIX-socket serial line (modem-at.md §5.3). Everything after port probing is ModemManager's own code.

// What ModemManager asks for that a ZTE router's modem does not have: it answers ERROR and ModemManager goes on.
const MM_PROBES = new Set(['AT*CNTI', 'AT+CPOL', 'AT+CPLS']);
const unexpected: string[] = [];

const tools = ['ModemManager', 'mmcli', 'gdbus', 'dbus-daemon'];
const missing = tools.filter((t) => !hasCommand(t));
const asRoot = process.getuid?.() === 0;
const skip = missing.length > 0 ? `skipped: needs ${missing.join(', ')} (Debian packages modemmanager, dbus, libglib2.0-bin)` : asRoot ? '' : 'skipped: ModemManager test sessions need root';

describe.skipIf(skip !== '')(`ModemManager against the emulated modem${skip ? ` (${skip})` : ''}`, () => {
  let emu: Emulator;
  let mm: ModemManagerSession;
  let dir: string;
  let m = -1;
  const control = (): ControlClient => new ControlClient(emu);
  const smsList = async (): Promise<{ path: string; state: string }[]> =>
    [...(await mm.mmcli('-m', String(m), '--messaging-list-sms')).matchAll(/(\/org\/freedesktop\/ModemManager1\/SMS\/\d+) \((\w+)\)/g)].map((x) => ({ path: x[1]!, state: x[2]! }));
  const smsTexts = async (): Promise<Record<string, string>[]> => Promise.all((await smsList()).map((s) => mm.keys('-s', s.path)));

  beforeAll(async () => {
    // A paused virtual clock: the test moves it where a step needs the device's time (USSD answer, later SMS parts).
    emu = createTestEmulator({ onUnhandled: (what) => void (MM_PROBES.has(what) || unexpected.push(what)) });
    dir = mkdtempSync(join(tmpdir(), 'routerlab-mm-'));
    const socket = join(dir, 'zte.sock');
    await emu.listenModemUnix(socket);
    // Stored before ModemManager starts: it must list it (the +CMGL framing of 27.005 §3.4.2).
    emu.device.sms.receive({ number: '+4915100000001', text: 'stored before ModemManager' });
    mm = new ModemManagerSession();
    await mm.start();
    m = await mm.addModem(socket);
  }, 150_000);
  afterAll(async () => {
    await mm?.close();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(unexpected, 'AT commands ModemManager used that the emulator does not implement').toEqual([]);
  });

  it('reads the identity and the SIM as the state has them', async () => {
    const id = emu.device.state.identity;
    const modem = await mm.keys('-m', String(m));
    expect(modem).toMatchObject({
      'modem.generic.manufacturer': 'ZTE CORPORATION',
      'modem.generic.model': emu.device.profile.model,
      'modem.generic.revision': emu.device.state.fota.currentVersion,
      'modem.generic.equipment-identifier': id.imei,
      'modem.generic.own-numbers.value[1]': id.msisdn,
      'modem.generic.plugin': 'zte',
    });
    const sim = await mm.keys('-i', modem['modem.generic.sim']!);
    const home = emu.device.state.homeOperator;
    expect(sim).toMatchObject({ 'sim.properties.imsi': id.imsi, 'sim.properties.iccid': id.iccid, 'sim.properties.operator-code': home.mcc + home.mnc, 'sim.properties.operator-name': home.shortName });
  });

  it('enables, registers on the home network and names the operator', async () => {
    expect(await mm.mmcli('-m', String(m), '-e')).toContain('successfully enabled');
    const home = emu.device.state.homeOperator;
    // ModemManager updates registration and access technology from separate polls (+CEREG, +ZPAS): wait for both.
    const techs = (k: Record<string, string>): string[] => Object.entries(k).filter(([key]) => key.startsWith('modem.generic.access-technologies')).map(([, v]) => v);
    await mm.until(async () => {
      const k = await mm.keys('-m', String(m));
      return k['modem.3gpp.registration-state'] === 'home' && techs(k).length > 0 && techs(k)[0] !== '--';
    }, 30_000, 'registration and access technology');
    const modem = await mm.keys('-m', String(m));
    expect(modem).toMatchObject({ 'modem.generic.state': 'registered', 'modem.3gpp.operator-code': home.mcc + home.mnc, 'modem.3gpp.operator-name': home.longName });
    // ModemManager 1.20's own string match also reads "1xrtt, evdo0" into +ZPAS: "LTE" (mm-modem-helpers.c); LTE is what we say.
    expect(techs(modem)).toContain('lte');
  });

  it('follows a signal change made through the control API (+CESQ)', async () => {
    expect(await mm.mmcli('-m', String(m), '--signal-setup=1')).toContain('Successfully');
    await control().stimulus('signal', { rsrpDbm: -101, rsrqDb: -12 });
    await mm.until(async () => (await mm.keys('-m', String(m), '--signal-get'))['modem.signal.lte.rsrp'] === '-101.00', 20_000, 'rsrp -101');
    expect((await mm.keys('-m', String(m), '--signal-get'))['modem.signal.lte.rsrq']).toBe('-12.00');
    await mm.mmcli('-m', String(m), '--signal-setup=0');
  });

  it('lists the SMS stored before it started', async () => {
    expect(await smsTexts()).toContainEqual(expect.objectContaining({ 'sms.content.number': '+4915100000001', 'sms.content.text': 'stored before ModemManager', 'sms.properties.state': 'received' }));
  });

  it('receives a 3-part SMS with its parts apart (the default: one delivery every few seconds) and a UCS-2 one', async () => {
    const long = 'This message comes in three parts, as a network delivers a long text, one SMS-DELIVER after another. '.repeat(4);
    // The default gap is virtual time: ModemManager has the first part (receiving) until the clock moves on.
    await control().stimulus('sms', { from: '+4915100000002', text: long });
    await mm.until(async () => (await smsList()).some((s) => s.state === 'receiving'), 20_000, 'the first part (receiving)');
    emu.clock.advance(3000);
    emu.clock.advance(3000);
    await mm.until(async () => (await smsTexts()).some((s) => s['sms.content.number'] === '+4915100000002' && s['sms.properties.state'] === 'received'), 20_000, 'the last part (received)');
    await control().stimulus('sms', { from: '+4915100000003', text: 'Grüße aus Köln 😀' });
    await mm.until(async () => (await smsTexts()).some((s) => s['sms.content.number'] === '+4915100000003'), 20_000, 'the UCS-2 message');
    const texts = await smsTexts();
    expect(texts).toContainEqual(expect.objectContaining({ 'sms.content.number': '+4915100000002', 'sms.content.text': long }));
    expect(texts).toContainEqual(expect.objectContaining({ 'sms.content.number': '+4915100000003', 'sms.content.text': 'Grüße aus Köln 😀' }));
  });

  it('receives a 3-part SMS whose parts the network delivers back to back', async () => {
    // All parts at once on the device: the line paces their +CMTI (at-engine.ts LINE_PACING), as a
    // real modem's are; ModemManager drops a +CMTI that comes while it still reads the previous part.
    const long = 'Three parts at once, as some networks do it when the phone was out of reach and comes back. '.repeat(4);
    await control().stimulus('sms', { from: '+4915100000004', text: long, partGapMs: 0 });
    await mm.until(async () => (await smsTexts()).some((s) => s['sms.content.number'] === '+4915100000004' && s['sms.properties.state'] === 'received'), 20_000, 'all three parts (received)');
    expect(await smsTexts()).toContainEqual(expect.objectContaining({ 'sms.content.number': '+4915100000004', 'sms.content.text': long }));
    expect(emu.device.state.sms.messages.find((x) => x.number === '+4915100000004')?.parts).toHaveLength(3);
  });

  it('creates and sends an SMS that lands in the goform sent box', async () => {
    const created = await mm.mmcli('-m', String(m), "--messaging-create-sms=text='hello from ModemManager',number='+4915112345678'");
    const path = /\/org\/freedesktop\/ModemManager1\/SMS\/\d+/.exec(created)![0];
    expect(await mm.mmcli('-s', path, '--send')).toContain('successfully sent');
    expect((await mm.keys('-s', path))['sms.properties.state']).toBe('sent');
    const client = new TestClient(emu);
    await client.login();
    const sent = (await client.get('sms_data_total', { page: '0', data_per_page: '50', mem_store: '1', tags: '2', order_by: 'order by id desc' })).messages as { number: string; content: string }[];
    expect(sent[0]).toMatchObject({ number: '+4915112345678', content: encodeUcs2Hex('hello from ModemManager') });
  });

  it('deletes an SMS from modem memory, every part of a concatenated one', async () => {
    const before = emu.device.state.sms.messages.filter((x) => x.record === 'memory').length;
    const long = (await Promise.all((await smsList()).map(async (s) => ({ s, k: await mm.keys('-s', s.path) })))).find((x) => x.k['sms.content.number'] === '+4915100000002');
    expect(long).toBeDefined();
    expect(emu.device.state.sms.messages.find((x) => x.number === '+4915100000002')?.parts).toHaveLength(3);
    expect(await mm.mmcli('-m', String(m), `--messaging-delete-sms=${long!.s.path}`)).toContain('successfully deleted');
    expect(emu.device.state.sms.messages.filter((x) => x.record === 'memory')).toHaveLength(before - 1);
    expect(emu.device.state.sms.messages.some((x) => x.number === '+4915100000002')).toBe(false);
  });

  it('runs a USSD request and shows the network\'s answer', async () => {
    const pending = mm.mmcli('-m', String(m), '--3gpp-ussd-initiate=*100#');
    // The network answers after two virtual seconds (device scheduler): move the clock once the request is in.
    await mm.until(() => emu.device.state.sms.ussd.flag === '15', 20_000, 'the USSD request');
    emu.clock.advance(2000);
    expect(await pending).toContain(`${emu.device.state.homeOperator.shortName}: your balance is 12.34 EUR.`);
  });
});
