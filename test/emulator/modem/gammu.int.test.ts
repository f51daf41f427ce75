import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';
import { hasCommand } from '../../helpers/system.js';

// The real Gammu (Debian package) against the emulated modem's PTY (modem-at.md §5.1), checked against the
// state through goform.

const run = promisify(execFile);

const GAMMU_PROBES = new Set(['AT+CPROT', 'AT+SYNCML', 'AT$TSSPCSW', 'AT+MODE', 'AT+CHUP']);
const unexpected: string[] = [];

describe.skipIf(!hasCommand('gammu') || !hasCommand('socat'))('gammu against the PTY (needs the Debian packages gammu and socat)', () => {
  let emu: Emulator;
  let dir: string;
  let rc: string;
  const gammu = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await run('gammu', ['-c', rc, ...args], { timeout: 60_000 });
    return stdout + stderr;
  };
  const sentBox = async (): Promise<{ number: string; content: string; tag: string }[]> => {
    const client = new TestClient(emu);
    await client.login();
    return (await client.get('sms_data_total', { page: '0', data_per_page: '50', mem_store: '1', tags: '2', order_by: 'order by id asc' })).messages as { number: string; content: string; tag: string }[];
  };

  beforeAll(async () => {
    // Running clock: Gammu paces itself on wall time; x10 makes the USSD answer and SMS status come sooner.
    // Gammu probes phone-only features while it identifies the modem; a data-only ZTE modem answers them ERROR.
    // Anything else it asks for and the emulator lacks fails the run (the 'error' policy's point).
    emu = createTestEmulator({ clockMode: 'running', speed: 10, onUnhandled: (what) => void (GAMMU_PROBES.has(what) || unexpected.push(what)) });
    dir = mkdtempSync(join(tmpdir(), 'routerlab-gammu-'));
    const link = join(dir, 'ttyZTE0');
    await emu.openModemPty(link);
    rc = join(dir, 'gammurc');
    writeFileSync(rc, `[gammu]\ndevice = ${link}\nconnection = at\n`);
  });
  afterAll(async () => {
    expect(unexpected, 'AT commands Gammu used that the emulator does not implement').toEqual([]);
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('identifies the device with the identity in the state', async () => {
    const out = await gammu('--identify');
    const id = emu.device.state.identity;
    expect(out).toMatch(/Manufacturer\s+: ZTE/);
    expect(out).toMatch(/Model\s+: unknown \(MF79U\)/);
    expect(out).toContain(id.imei);
    expect(out).toContain(id.imsi);
  });

  it('sends a plain, a unicode and a 200-character two-part SMS that land decoded in the goform sent box', async () => {
    const long = 'Long message test. '.repeat(11).slice(0, 200);
    expect(await gammu('sendsms', 'TEXT', '+4915112345678', '-text', 'hello from gammu')).toMatch(/OK, message reference=\d+/);
    expect(await gammu('sendsms', 'TEXT', '+4915112345678', '-unicode', '-text', 'Grüße aus Köln 😀')).toMatch(/OK, message reference=\d+/);
    const out = await gammu('sendsms', 'TEXT', '+4915112345678', '-len', '200', '-text', long);
    expect(out).toMatch(/Sending SMS 1\/2.*OK[\s\S]*Sending SMS 2\/2.*OK/);
    const sent = await sentBox();
    expect(sent.map((m) => m.content)).toEqual([encodeUcs2Hex('hello from gammu'), encodeUcs2Hex('Grüße aus Köln 😀'), encodeUcs2Hex(long)]);
    expect(sent.every((m) => m.number === '+4915112345678')).toBe(true);
  });

  it('lists an incoming SMS with getallsms', async () => {
    emu.device.sms.receive({ number: '+4915100000009', text: 'Guten Tag, Gammu' });
    const out = await gammu('getallsms');
    expect(out).toContain('Guten Tag, Gammu');
    expect(out).toMatch(/Remote number\s+: "\+4915100000009"/);
  });

  it('lists a two-part SMS as two parts and deletes every location with deleteallsms', async () => {
    emu.device.sms.delete(emu.device.state.sms.messages.map((m) => m.id));
    emu.device.sms.receive({ number: '+4915100000009', text: 'Two parts for Gammu. '.repeat(9) });
    emu.device.sms.receive({ number: '+4915100000009', text: 'and one more' });
    const list = await gammu('getallsms');
    expect(list).toMatch(/part 1 of 2[\s\S]*part 2 of 2/);
    expect(list).toContain('3 SMS parts in 3 SMS sequences');
    // Folder 3 is the phone-memory inbox (gammu getsmsfolders); Gammu deletes location by location (+CMGD=1..3).
    const out = await gammu('deleteallsms', '3');
    expect(out).not.toMatch(/Invalid location|error/i);
    expect(emu.device.state.sms.messages).toEqual([]);
  });

  it('asks for a delivery report with sendsms -report; the report carries the reference Gammu printed', async () => {
    const out = await gammu('sendsms', 'TEXT', '+4915112345678', '-report', '-text', 'report please');
    const reference = Number(/message reference=(\d+)/.exec(out)?.[1]);
    // Gammu's sendsms returns on the network's answer (it does not wait for the report); the report follows on the
    // virtual clock, 5 s by default.
    emu.clock.advance(5000);
    expect(emu.device.state.sms.reports.map((r) => [r.reference, r.status])).toContainEqual([reference, 'delivered']);
    const client = new TestClient(emu);
    await client.login();
    const reports = (await client.get('sms_status_rpt_data', { page: '0', data_per_page: '10' })).messages as { number: string; content: string }[];
    expect(reports[0]).toMatchObject({ number: '+4915112345678', content: encodeUcs2Hex('Delivered') });
    // Without -report Gammu's SUBMIT asks for none.
    const before = emu.device.state.sms.reports.length;
    await gammu('sendsms', 'TEXT', '+4915112345678', '-text', 'no report');
    emu.clock.advance(10_000);
    expect(emu.device.state.sms.reports).toHaveLength(before);
  });

  it('reads the date and time with getdatetime (+CCLK from the virtual clock)', async () => {
    const out = await gammu('getdatetime');
    // The running test clock is real time x10 from now: the device's local date is today's or close to it.
    const local = new Date(emu.device.now() + emu.device.state.system.tzHours * 3_600_000);
    expect(out).toMatch(/^Phone time is \w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}/m);
    expect(out).toContain(String(local.getUTCFullYear()));
  });

  it('reads network information that matches the state', async () => {
    const out = await gammu('networkinfo');
    expect(out).toMatch(/Network state\s+: home network/);
    expect(out).toMatch(/Network\s+: 262 01/);
    expect(out).toMatch(/GPRS\s+: attached/);
    expect(out).toContain(`CID ${emu.device.state.radio.cellId.toString(16).toUpperCase().padStart(8, '0')}`);
  });

  it('identifies over TCP with the proxyat connection (ser2net-style)', async () => {
    const tcp = await emu.listenModemTcp({ port: 0 });
    const proxyRc = join(dir, 'gammurc-proxy');
    writeFileSync(proxyRc, `[gammu]\ndevice = socat STDIO TCP:127.0.0.1:${tcp.port}\nconnection = proxyat\n`);
    const { stdout } = await run('gammu', ['-c', proxyRc, '--identify'], { timeout: 60_000 });
    expect(stdout).toContain(emu.device.state.identity.imei);
  });

  it('gets a USSD answer', async () => {
    const out = await gammu('getussd', '*100#');
    expect(out).toMatch(/Service reply\s+: "Telekom\.de: your balance is 12\.34 EUR\."/);
  });
});

