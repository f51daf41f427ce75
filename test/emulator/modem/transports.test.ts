import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { hasCommand } from '../../helpers/system.js';

async function tcpExchange(port: number, text: string, until: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  await new Promise<void>((r) => socket.on('connect', () => r()));
  socket.write(text);
  await expect.poll(() => got).toContain(until);
  socket.destroy();
  return got;
}

describe('modem over TCP', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('gives each connection its own AT port on loopback', async () => {
    emu = createTestEmulator();
    const tcp = await emu.listenModemTcp({ port: 0 });
    expect(tcp.host).toBe('127.0.0.1');
    expect(await tcpExchange(tcp.port, 'ATE0\rAT+CGMM\r', 'MF79U\r\n\r\nOK')).toBe('ATE0\r\r\nOK\r\n\r\nMF79U\r\n\r\nOK\r\n');
    // A new connection starts with echo on again.
    expect(await tcpExchange(tcp.port, 'AT\r', 'OK')).toBe('AT\r\r\nOK\r\n');
  });

  it('refuses a taken port with CONFIG_INVALID', async () => {
    emu = createTestEmulator();
    const tcp = await emu.listenModemTcp({ port: 0 });
    await expect(emu.listenModemTcp({ port: tcp.port })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe.skipIf(!hasCommand('socat'))('modem over a socat pseudo-terminal (needs the Debian package socat)', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('answers on the symlinked PTY and keeps the port settings across reopen', async () => {
    emu = createTestEmulator();
    const link = join(tmpdir(), `ttyZTE-test-${process.pid}`);
    const pty = await emu.openModemPty(link);
    expect(pty.device).toMatch(/^\/dev\/pts\/\d+$/);
    const exchange = async (text: string, until: string): Promise<string> => {
      const fd = openSync(link, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY);
      writeSync(fd, text);
      let got = '';
      const buf = Buffer.alloc(4096);
      const deadline = Date.now() + 5000;
      while (!got.includes(until) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        try {
          const n = readSync(fd, buf, 0, buf.length, null);
          got += buf.toString('latin1', 0, n);
        } catch (e) {
          // Non-blocking read: EAGAIN means nothing yet; anything else fails the test.
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
      }
      closeSync(fd);
      return got;
    };
    expect(await exchange('ATE0\r', 'OK')).toBe('ATE0\r\r\nOK\r\n');
    expect(await exchange('AT+CGMI\r', 'OK')).toBe('\r\nZTE CORPORATION\r\n\r\nOK\r\n');
    await pty.close();
  });

  it('fails with TRANSPORT_OPEN_FAILED and a hint when socat cannot start', async () => {
    emu = createTestEmulator();
    const { openModemPty } = await import('../../../emulator/modem/transports.js');
    await expect(openModemPty(emu.modem, { link: join(tmpdir(), 'x'), socatPath: '/nonexistent/socat' })).rejects.toThrow(/install socat/);
  });
});
