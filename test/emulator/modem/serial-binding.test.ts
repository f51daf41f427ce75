import { createRequire } from 'node:module';
import { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { csqRssi } from '../../../emulator/modem/mapping.js';
import { createModemBinding, type ModemBinding } from '../../../emulator/modem/serial-binding.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// serialport code, and the real serialport-gsm client, against the emulated modem in-process (modem-at.md §5.4).

interface GsmResult { status: string; data: Record<string, unknown> & { messages?: unknown } }
interface GsmModem {
  open(path: string, options: Record<string, unknown>, cb: (error: unknown) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  initializeModem(): Promise<GsmResult>;
  setModemMode(cb: (result: GsmResult, error?: unknown) => void, priority: boolean, timeout: number, mode: string): void;
  getSimInbox(): Promise<GsmResult & { data: { sender: string; message: string }[] }>;
  sendSMS(number: string, message: string, alert: boolean): Promise<GsmResult>;
  getNetworkSignal(): Promise<GsmResult>;
  close(cb: () => void): void;
}
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(`serialport-gsm: ${JSON.stringify(e)}`));
const require = createRequire(import.meta.url);
const serialportGsm = require('serialport-gsm') as { Modem: () => GsmModem };

describe('the emulated modem through @serialport/binding-mock', () => {
  let emu: Emulator;
  let binding: ModemBinding;
  afterEach(async () => {
    binding.dispose();
    await emu.close();
  });

  it('answers serialport code on a mock port that lists as a ZTE device', async () => {
    emu = createTestEmulator();
    binding = createModemBinding(emu.modem);
    expect(await binding.list()).toEqual([expect.objectContaining({ path: binding.path, vendorId: '19d2' })]);
    const port = new SerialPortStream({ binding, path: binding.path, baudRate: 115200 });
    await new Promise<void>((resolve, reject) => port.on('open', resolve).on('error', reject));
    let received = '';
    port.on('data', (d: Buffer) => (received += d.toString('latin1')));
    port.write('AT+CGSN\r');
    await expect.poll(() => received).toContain('OK');
    expect(received).toBe(`AT+CGSN\r\r\n${emu.device.state.identity.imei}\r\n\r\nOK\r\n`);
    await new Promise<void>((resolve) => port.close(() => resolve()));
  });

  it('serialport-gsm initialises, reads the inbox, sends, gets a new-message event and reads signal', async () => {
    emu = createTestEmulator({ clockMode: 'running' });
    binding = createModemBinding(emu.modem);
    emu.device.sms.receive({ number: '+4915100000001', text: 'already here' });
    const modem = serialportGsm.Modem();
    await new Promise<void>((resolve, reject) =>
      modem.open(binding.path, { baudRate: 115200, binding, cnmiCommand: 'AT+CNMI=2,1,0,2,1', autoDeleteOnReceive: false, enableConcatenation: true, incomingSMSIndicationDelay: 100 }, (e) => (e ? reject(asError(e)) : resolve())),
    );
    const init = await modem.initializeModem();
    expect(init.status).toBe('success');
    await new Promise<void>((resolve, reject) => modem.setModemMode((_r, e) => (e ? reject(asError(e)) : resolve()), false, 5000, 'PDU'));

    const inbox = await modem.getSimInbox();
    // node-pdu (inside serialport-gsm) presents international senders without the '+'.
    expect(inbox.data.map((m) => [m.sender, m.message])).toEqual([['4915100000001', 'already here']]);

    const sent = await modem.sendSMS('+4915112345678', 'from serialport-gsm ✓', false);
    expect(sent.status).toBe('success');
    expect(emu.device.state.sms.messages.find((m) => m.tag === 2)).toMatchObject({ number: '+4915112345678', text: 'from serialport-gsm ✓' });

    const arrived = new Promise<unknown[]>((resolve) => modem.on('onNewMessage', (msgs) => resolve(msgs as unknown[])));
    emu.device.sms.receive({ number: '+4915100000002', text: 'a new one' });
    const [message] = (await arrived) as { sender: string; message: string }[];
    expect(message).toMatchObject({ sender: '4915100000002', message: 'a new one' });

    const signal = await modem.getNetworkSignal();
    expect(signal.data.signalQuality).toBe(String(csqRssi(emu.device.state)));
    await new Promise<void>((resolve) => modem.close(() => resolve()));
  });
});
