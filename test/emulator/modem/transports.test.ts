import { closeSync, constants, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
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

describe('modem over a UNIX socket (one serial line)', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });
  const open = async (path: string): Promise<{ send: (text: string, until: string) => Promise<string>; output: () => string; socket: Socket }> => {
    const socket = connect(path);
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    await new Promise<void>((r) => socket.on('connect', () => r()));
    return {
      socket,
      output: () => got,
      send: async (text, until) => {
        got = '';
        socket.write(text);
        await expect.poll(() => got).toContain(until);
        return got;
      },
    };
  };

  it('keeps one AT port across reconnects, and a new client takes the line over', async () => {
    emu = createTestEmulator();
    const path = join(tmpdir(), `routerlab-unix-${process.pid}.sock`);
    await emu.listenModemUnix(path);
    const first = await open(path);
    expect(await first.send('ATE0\r', 'OK')).toBe('ATE0\r\r\nOK\r\n');
    expect(await first.send('AT+CNMI=2,1,0,2,0\r', 'OK')).toBe('\r\nOK\r\n');
    const closed = new Promise<void>((r) => first.socket.once('close', () => r()));
    const second = await open(path);
    await closed; // the line has one client: the first is ended
    // Settings are the line's, as on a tty: echo stays off and +CNMI stays set.
    expect(await second.send('AT+CNMI?\r', 'OK')).toBe('\r\n+CNMI: 2,1,0,2,0\r\n\r\nOK\r\n');
    emu.device.sms.receive({ number: '+1', text: 'to the current client' });
    await expect.poll(() => second.output()).toContain('+CMTI: "ME",1');
    second.socket.destroy();
  });

  it('replaces a socket left by an earlier run, and refuses a path that is not a socket', async () => {
    emu = createTestEmulator();
    const path = join(tmpdir(), `routerlab-unix-stale-${process.pid}.sock`);
    const stale = await emu.listenModemUnix(path);
    await stale.close();
    const server = createServer();
    await new Promise<void>((r) => server.listen(path, () => r()));
    server.close(); // leaves nothing listening; a leftover socket file is what a crash leaves
    const again = await emu.listenModemUnix(path);
    expect((await (await open(path)).send('AT\r', 'OK'))).toContain('OK');
    await again.close();
    const file = join(tmpdir(), `routerlab-unix-file-${process.pid}`);
    writeFileSync(file, 'not a socket');
    await expect(emu.listenModemUnix(file)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
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
