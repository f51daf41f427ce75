import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { Journal, JOURNAL_MAX_NAME_CHARS } from '../../../emulator/instrument/journal.js';
import { UnhandledReporter } from '../../../emulator/instrument/unhandled.js';
import { MAX_QUEUED_URCS } from '../../../emulator/modem/at-engine.js';
import { AtProbe } from '../../helpers/at.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';

// Every bound of #16 holds: counted drops and cut values, never heap sizes.

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  vi.restoreAllMocks();
});

describe('bounds', () => {
  it('the journal holds its byte budget: long values are cut and marked, the oldest entries go first', () => {
    const journal = new Journal(10_000, 4 * 1024 * 1024);
    const huge = 'X'.repeat(60_000);
    for (let i = 0; i < 10_000; i++) journal.add('dev-0', 'goform', 'write', `${huge}${i}`, { goformId: huge, AD: 'x' }, huge, i, i, '127.0.0.1');
    expect(journal.bytes).toBeLessThanOrEqual(journal.maxBytes);
    expect(journal.total).toBe(10_000);
    const entries = journal.query();
    expect(entries.length).toBe(journal.size);
    expect(entries.at(-1)!.name).toHaveLength(JOURNAL_MAX_NAME_CHARS + '…[cut]'.length);
    expect(entries.at(-1)!.name.endsWith('…[cut]')).toBe(true);
    expect(entries.at(-1)!.params.goformId!.endsWith('…[cut]')).toBe(true);
    expect(journal.cutValues).toBeGreaterThanOrEqual(30_000);
    // A status poll's key list (a few KB) stays whole: journal queries match one key of it.
    const poll = Array.from({ length: 200 }, (_, i) => `key_${i}`).join(',');
    journal.add('dev-0', 'goform', 'read', poll, {}, '200 keys', 0, 0, 'c');
    expect(journal.query({ name: 'key_199' }).at(-1)!.name).toBe(poll);
    // The JSON of everything kept stays near the budget: GET /journal can always answer.
    expect(JSON.stringify(entries).length).toBeLessThan(journal.maxBytes);
  });

  it('the journal keeps at most 64 parameters of an entry and says how many it left out', () => {
    const journal = new Journal(10);
    const params = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v']));
    journal.add('dev-0', 'goform', 'write', 'X', params, 'ok', 0, 0, 'c');
    const kept = journal.query()[0]!.params;
    expect(Object.keys(kept)).toHaveLength(65);
    expect(kept['…[cut]']).toBe('436 more parameters');
  });

  it('warns once per unimplemented name, at most 1000 names, each cut to 80 characters', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const reporter = new UnhandledReporter('warn');
    for (let i = 0; i < 5000; i++) reporter.report('goform', `goformId=${String(i).padStart(5, '0')}${'Z'.repeat(60_000)}`);
    for (let i = 0; i < 100; i++) reporter.report('goform', `goformId=00000${'Z'.repeat(60_000)}`);
    expect(lines).toHaveLength(1000);
    for (const l of lines) expect(l.length).toBeLessThan(200);
  });

  it('refuses a goform body past 64 KiB while it streams, without reading the rest', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    await client.login();
    let pulled = 0;
    const chunk = new TextEncoder().encode('a='.padEnd(16 * 1024, 'b'));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 128 * 1024 * 1024) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const res = await client.raw('/goform/goform_set_cmd_process', { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(await res.text()).toBe('{"result":"failure"}');
    expect(pulled).toBeLessThan(1024 * 1024);
    expect((await client.get(['loginfo'])).loginfo).toBe('ok');
  });

  it('stops reading from an AT TCP peer that does not read its answers', async () => {
    emu = createTestEmulator({ journalCapacity: 10 });
    const tcp = await emu.listenModemTcp();
    const socket = connect(tcp.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.pause(); // the peer reads nothing
    const block = Buffer.from('AT\r'.repeat(64 * 1024));
    let written = 0;
    // 10 MB of AT\r; writes stop mattering once the server stops reading (the kernel buffers fill).
    for (let i = 0; i < 53 && !socket.destroyed; i++) {
      socket.write(block);
      written += block.length;
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 300));
    const answered = emu.journal.total;
    expect(written).toBeGreaterThan(10_000_000);
    // Far fewer commands than were sent were answered: the server stopped reading (backpressure).
    expect(answered).toBeLessThan(written / 3 / 4);
    socket.destroy();
  });

  it('holds at most MAX_QUEUED_URCS URCs behind an open prompt, counting the rest', () => {
    emu = createTestEmulator();
    const at = new AtProbe(emu);
    at.at('+CMGF=1');
    at.at('+CREG=2');
    at.at('+CMGS="+491510000000"');
    for (let i = 0; i < 1000; i++) emu.device.network.handover({ cellId: 1000 + i });
    expect(at.port.urcsDropped).toBe(1000 - MAX_QUEUED_URCS);
    at.close();
  });

  it('never stores past the SMS capacity, from goform or AT', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    await client.login();
    emu.device.sms.fill('device');
    const count = emu.device.sms.count('device');
    expect(await client.set('SEND_SMS', { Number: '+4915100000001', MessageBody: '0068', ID: '-1', encode_type: 'GSM7_default' })).toEqual({ result: 'failure' });
    expect(await client.set('SAVE_SMS', { SMSNumber: '+4915100000001;', SMSMessage: '0068', Index: '-1', encode_type: 'GSM7_default', location: '1', tags: '4', draft_group_id: '' })).toEqual({ result: 'failure' });
    const at = new AtProbe(emu);
    at.at('+CMEE=1');
    at.at('+CMGF=1');
    at.at('+CMGS="+4915100000001"');
    expect(at.send('hi\x1a')).toContain('+CMS ERROR: 322');
    at.at('+CMGW="+4915100000001"');
    expect(at.send('draft\x1a')).toContain('+CMS ERROR: 322');
    expect(emu.device.sms.count('device')).toBe(count);
    at.close();
  });

  it('refuses an AT TCP port off loopback unless asked, and warns when asked', async () => {
    emu = createTestEmulator();
    await expect(emu.listenModemTcp({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/--modem-allow-remote/) as unknown });
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    const tcp = await emu.listenModemTcp({ host: '0.0.0.0', allowRemote: true });
    expect(lines.join('')).toMatch(/unauthenticated/);
    await tcp.close();
  });
});
