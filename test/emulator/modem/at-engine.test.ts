import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { LINE_PACING, parseCommandLine } from '../../../emulator/modem/at-engine.js';
import { AtProbe } from '../../helpers/at.js';
import { createTestEmulator, withState } from '../../helpers/emulator.js';

// V.250 line handling (modem-at.md §1-§2).

describe('AT engine', () => {
  let emu: Emulator;
  let at: AtProbe;
  afterEach(async () => {
    at.close();
    await emu.close();
  });
  // Tests of the answer to unknown commands probe them on purpose: they answer like firmware ('silent').
  const start = (onUnhandled?: 'silent'): void => {
    emu = createTestEmulator(onUnhandled ? { onUnhandled } : {});
    at = new AtProbe(emu);
  };

  it('echoes the raw line and frames every line and the final result with CRLF', () => {
    start();
    expect(at.send('AT+CSQ\r')).toMatch(/^AT\+CSQ\r\r\n\+CSQ: \d+,99\r\n\r\nOK\r\n$/);
    expect(at.send('at\r')).toBe('at\r\r\nOK\r\n');
  });

  it('turns echo off with ATE0 and on with ATE1', () => {
    start();
    expect(at.send('ATE0\r')).toBe('ATE0\r\r\nOK\r\n');
    expect(at.send('AT\r')).toBe('\r\nOK\r\n');
    expect(at.send('ATE1\r')).toBe('\r\nOK\r\n');
    expect(at.send('AT\r')).toBe('AT\r\r\nOK\r\n');
  });

  it('handles input one byte at a time exactly like whole lines', () => {
    start();
    let out = '';
    for (const ch of 'AT+CGMI\r') out += at.send(ch);
    expect(out).toBe('AT+CGMI\r\r\nZTE CORPORATION\r\n\r\nOK\r\n');
  });

  it('ignores ESC, a bare CR, LF after CR and bytes before the AT prefix', () => {
    start();
    expect(at.send('\x1b\r')).toBe('');
    expect(at.send('\r')).toBe('');
    expect(at.send('\n')).toBe('');
    expect(at.send('xyzAT\r\n')).toBe('AT\r\r\nOK\r\n');
  });

  it('runs chained commands: basic + extended, ;-joined extended, spaced basics', () => {
    start();
    expect(at.send('ATE0+CPMS?\r')).toMatch(/^ATE0\+CPMS\?\r\r\n\+CPMS: "ME",0,100,"ME",0,100,"ME",0,100\r\n\r\nOK\r\n$/);
    expect(at.send('AT+CMEE=1;+CREG=2\r')).toBe('\r\nOK\r\n');
    expect(at.send('AT+CMEE?;+CREG?\r')).toMatch(/\+CMEE: 1\r\n\r\n\+CREG: 2,1,"[0-9A-F]{4}","[0-9A-F]{8}",7\r\n\r\nOK/);
    expect(at.send('AT S7=45 S0=0 L1 V1 X4 &c1 E1 Q0\r')).toBe('\r\nOK\r\n');
    expect(at.send('ATS7?\r')).toBe('ATS7?\r\r\n045\r\n\r\nOK\r\n');
  });

  it('stops at the first failing command and gives one final result for the line', () => {
    start('silent');
    at.send('ATE0\r');
    expect(at.send('AT+CGMI;+NOPE;+CGMM\r')).toBe('\r\nZTE CORPORATION\r\n\r\nERROR\r\n');
  });

  it('reports errors per +CMEE: plain, numeric and verbose; SMS commands with +CMS', () => {
    start();
    at.send('ATE0\r');
    withState(emu.device, (s) => void (s.sim.status = 'absent'));
    expect(at.at('+CIMI')).toBe('\r\nERROR\r\n');
    at.at('+CMEE=1');
    expect(at.at('+CIMI')).toBe('\r\n+CME ERROR: 10\r\n');
    expect(at.at('+CMGL=4')).toBe('\r\n+CMS ERROR: 310\r\n');
    at.at('+CMEE=2');
    expect(at.at('+CIMI')).toBe('\r\n+CME ERROR: SIM not inserted\r\n');
  });

  it('answers in numeric form with V0 and not at all with Q1', () => {
    start('silent');
    at.send('ATE0\r');
    expect(at.at('V0')).toBe('0\r');
    expect(at.at('+NOPE')).toBe('4\r');
    at.at('V1Q1');
    expect(at.at('')).toBe('');
  });

  it('resets settings with ATZ and AT&F', () => {
    start();
    at.send('ATE0;+CMEE=2;+CMGF=1\r');
    at.send('ATZ\r');
    expect(at.send('AT+CMEE?;+CMGF?\r')).toBe('AT+CMEE?;+CMGF?\r\r\n+CMEE: 0\r\n\r\n+CMGF: 0\r\n\r\nOK\r\n');
  });

  it('repeats the last line with A/', () => {
    start();
    at.send('ATE0\r');
    at.at('+CGMM');
    expect(at.send('A/')).toBe('\r\nMF79U\r\n\r\nOK\r\n');
  });

  it('uses a changed S3 as the line terminator', () => {
    start();
    at.send('ATE0S3=64\r');
    expect(at.send('AT@')).toBe('\r\nOK\r\n');
  });

  it('holds URCs back while the SMS prompt is open and sends them after', () => {
    start();
    at.send('ATE0;+CNMI=2,1,0,2,0\r');
    expect(at.send('AT+CMGS=24\r')).toBe('\r\n> ');
    at.out = '';
    emu.device.sms.receive({ number: '+1', text: 'while typing' });
    expect(at.out).toBe('');
    const answer = at.send('0001000B917228001011F100000CC8329BFD065DDF72363904\x1a');
    expect(answer).toMatch(/^\r\n\+CMGS: \d+\r\n\r\nOK\r\n\r\n\+CMTI: "ME",\d+\r\n$/);
  });

  it('refuses a PDU whose length does not match AT+CMGS with +CMS ERROR 304', () => {
    start();
    at.send('ATE0;+CMEE=1\r');
    expect(at.send('AT+CMGS=18\r0001000B917228001011F100000CC8329BFD065DDF72363904\x1a')).toBe('\r\n> \r\n+CMS ERROR: 304\r\n');
    expect(at.send('AT+CMGS=24\rZZ\x1a')).toBe('\r\n> \r\n+CMS ERROR: 304\r\n');
    expect(emu.device.state.sms.messages).toHaveLength(0);
  });

  it('accepts a PDU typed ahead of the prompt, and ESC aborts a prompt', () => {
    start();
    at.send('ATE0\r');
    const answer = at.send('AT+CMGS=24\r0001000B917228001011F100000CC8329BFD065DDF72363904\x1a\r');
    expect(answer).toMatch(/^\r\n> \r\n\+CMGS: \d+\r\n\r\nOK\r\n$/);
    expect(at.send('AT+CMGS=24\r')).toBe('\r\n> ');
    expect(at.send('00\x1b')).toBe('\r\nOK\r\n');
    emu.clock.advance(2000);
    expect(emu.device.state.sms.messages.map((m) => m.text)).toEqual(['Hello World!']);
  });

  it('answers a syntax error with ERROR', () => {
    start();
    at.send('ATE0\r');
    expect(at.at('+CSCS="GSM')).toBe('\r\nERROR\r\n');
    expect(at.at('S=1')).toBe('\r\nERROR\r\n');
  });

  it('parses command lines into invocations', () => {
    expect(parseCommandLine('E0+CPMS?').map((c) => [c.name, c.syntax])).toEqual([['E', 'exec'], ['+CPMS', 'read']]);
    expect(parseCommandLine('+CMGS="+123",145').map((c) => c.args)).toEqual([['+123', '145']]);
    expect(parseCommandLine('+COPS=?;+CSQ').map((c) => [c.name, c.syntax])).toEqual([['+COPS', 'test'], ['+CSQ', 'exec']]);
    expect(parseCommandLine('D*99#').map((c) => [c.name, c.raw])).toEqual([['D', '*99#']]);
  });

  it('lets a test override a command and reset it (modem.use / resetHandlers)', () => {
    start();
    at.send('ATE0\r');
    emu.modem.use({ name: '+CSQ', exec: () => ({ kind: 'ok', lines: ['+CSQ: 99,99'] }) });
    expect(at.at('+CSQ')).toBe('\r\n+CSQ: 99,99\r\n\r\nOK\r\n');
    emu.modem.resetHandlers();
    expect(at.at('+CSQ')).not.toContain('99,99');
  });
});

describe('new-message indications on a serial line', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('go out one at a time when the network delivers parts back to back: the next once the host has read the last and gone quiet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const emu = createTestEmulator();
    const writes: string[] = [];
    const port = emu.modem.openPort((text) => writes.push(text), { indicationPacing: LINE_PACING });
    port.write('AT+CNMI=2,1,0,0,0\r');
    writes.length = 0;
    emu.device.sms.receive({ number: '+4915100000009', text: 'x'.repeat(400), partGapMs: 0 });
    // Each write holds one +CMTI (python-gsmmodem takes lines that arrive together as one notification and handles
    // only its first +CMTI).
    const cmti = (): string[] => writes.filter((w) => w.includes('+CMTI'));
    const slot = (w: string): string => /"ME",(\d+)/.exec(w)![1]!;
    expect(cmti()).toHaveLength(1);
    // A URC that is not a new-message indication is not held back behind them.
    emu.device.network.setRegistration('roaming');
    port.write('AT\r');
    expect(writes.at(-1)).toBe('\r\nOK\r\n');
    // Spacing passed, but the host has not read the announced slot: held.
    vi.advanceTimersByTime(LINE_PACING.spacingMs * 2);
    expect(cmti()).toHaveLength(1);
    // The host reads it (as ModemManager and python-gsmmodem do); the next follows once its line is quiet.
    port.write(`AT+CMGR=${slot(cmti()[0]!)}\r`);
    vi.advanceTimersByTime(LINE_PACING.quietMs - 60);
    expect(cmti()).toHaveLength(1);
    vi.advanceTimersByTime(120);
    expect(cmti()).toHaveLength(2);
    // A host that never reads gets the next after the maximum hold.
    vi.advanceTimersByTime(LINE_PACING.maxHoldMs - 100);
    expect(cmti()).toHaveLength(2);
    vi.advanceTimersByTime(200);
    expect(cmti()).toHaveLength(3);
    // One URC per write, each part's own slot.
    expect(cmti().every((w) => /^\r\n\+CMTI: "ME",\d+\r\n$/.test(w))).toBe(true);
    expect(new Set(cmti().map(slot)).size).toBe(3);
    // In-process ports (no line) write them at once, and a closed port drops what waited.
    const inProcess: string[] = [];
    const direct = emu.modem.openPort((text) => inProcess.push(text));
    direct.write('AT+CNMI=2,1,0,0,0\r');
    const lined: string[] = [];
    const line = emu.modem.openPort((text) => lined.push(text), { indicationPacing: LINE_PACING });
    line.write('AT+CNMI=2,1,0,0,0\r');
    emu.device.sms.receive({ number: '+4915100000009', text: 'y'.repeat(400), partGapMs: 0 });
    expect(inProcess.filter((w) => w.includes('+CMTI'))).toHaveLength(3);
    line.close();
    vi.advanceTimersByTime(10 * LINE_PACING.maxHoldMs);
    expect(lined.filter((w) => w.includes('+CMTI'))).toHaveLength(1);
    port.close();
    direct.close();
    await emu.close();
  });
});
