import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BenchError } from '../../hil/errors.js';
import { isLoopbackHost } from '../net.js';
import type { Modem } from './modem.js';
import { LINE_PACING } from './at-engine.js';

// Ways to reach the emulated modem from outside the process: a TCP listener (ser2net-style, gammu proxyat),
// a pseudo-terminal made by socat that bridges to it (gammu, minicom, smstools open it as a tty), and a UNIX
// socket that behaves as one serial line (ModemManager's virtual ports, modem-at.md §5.3).

/** What a serial line (TCP, UNIX socket, the PTY behind them) does to URCs: new-message indications paced. */
const LINE = { indicationPacing: LINE_PACING };

export interface ModemTcp {
  host: string;
  port: number;
  /** Connections ended because the peer stopped reading and more than MAX_UNREAD_BYTES waited for it. */
  readonly slowPeersClosed: number;
  /** Stop listening and end every connection. Idempotent. */
  close(): Promise<void>;
}

/** Output bytes a TCP peer may leave unread before its connection is ended. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * One AT port per TCP connection; bytes are passed through unchanged (latin1 both ways). Backpressure: while the
 * peer has not read what was written, its input is not read either; past MAX_UNREAD_BYTES (URCs keep coming) the
 * connection ends. The AT port is unauthenticated: off loopback only with `allowRemote` (and a warning line).
 */
export async function listenModemTcp(modem: Modem, options: { host?: string; port?: number; allowRemote?: boolean } = {}): Promise<ModemTcp> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    if (!options.allowRemote) {
      throw new BenchError('CONFIG_INVALID', `[modem:tcp] the AT port has no authentication; binding it to ${host} needs --modem-allow-remote`);
    }
    process.stderr.write(`[modem:tcp] warning: the AT port on ${host} is unauthenticated: anyone who reaches it controls the modem\n`);
  }
  const sockets = new Set<Socket>();
  const slow = { closed: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    watchPeer(socket);
    const port = modem.openPort((text) => writeBounded(socket, text, slow), LINE);
    socket.on('data', (chunk: Buffer) => port.write(chunk));
    socket.on('close', () => {
      sockets.delete(socket);
      port.close();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new BenchError('CONFIG_INVALID', `[modem:tcp] cannot listen on ${host}:${options.port ?? 0} (${e.code ?? e.message}); pick another --modem-tcp port`, { cause: e })));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  let closed = false;
  return {
    host,
    port: (server.address() as AddressInfo).port,
    get slowPeersClosed() {
      return slow.closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Writes modem output to a peer with backpressure: while the peer has not read what was written, its input is
 * not read either; past MAX_UNREAD_BYTES the connection ends (counted in `slow.closed`).
 */
function writeBounded(socket: Socket, text: string, slow: { closed: number }): void {
  if (socket.destroyed) return;
  if (!socket.write(text, 'latin1')) socket.pause();
  if (socket.writableLength > MAX_UNREAD_BYTES) {
    slow.closed++;
    socket.destroy();
  }
}

/** Resume reading a peer once it has read our output; a reset by the peer is it going away ('close'). */
function watchPeer(socket: Socket): void {
  socket.on('drain', () => socket.resume());
  socket.on('error', () => undefined);
}

export interface ModemUnix {
  path: string;
  close(): Promise<void>;
}

/**
 * A UNIX socket at `path` that is one serial line: a single AT port lives as long as the listener, so settings
 * (ATE0, +CNMI, +CMGF) survive a client closing and reopening the port, as on a real tty. One client at a time:
 * a new connection takes the line over and the previous one is ended; output with nobody connected is lost, as
 * on a serial line nobody reads. ModemManager opens its virtual ports like this (modem-at.md §5.3); unlike a
 * socat bridge with `fork`, no second reader races the first for the modem's output.
 */
export async function listenModemUnix(modem: Modem, options: { path: string }): Promise<ModemUnix> {
  if (existsSync(options.path)) {
    if (!lstatSync(options.path).isSocket()) throw new BenchError('CONFIG_INVALID', `[modem:unix] ${options.path} exists and is not a socket; pick another --modem-unix path`);
    unlinkSync(options.path); // a socket left by an earlier run
  }
  let current: Socket | null = null;
  const slow = { closed: 0 };
  const port = modem.openPort((text) => {
    if (current) writeBounded(current, text, slow);
  }, LINE);
  const server: Server = createServer((socket) => {
    current?.destroy();
    current = socket;
    watchPeer(socket);
    socket.on('data', (chunk: Buffer) => {
      if (current === socket) port.write(chunk);
    });
    socket.on('close', () => {
      if (current === socket) current = null;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new BenchError('CONFIG_INVALID', `[modem:unix] cannot listen on ${options.path} (${e.code ?? e.message})`, { cause: e })));
    server.listen(options.path, () => resolve());
  });
  let closed = false;
  return {
    path: options.path,
    async close() {
      if (closed) return;
      closed = true;
      current?.destroy();
      port.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ModemPty {
  /** The stable symlink clients open (e.g. /tmp/ttyZTE0). */
  link: string;
  /** The pseudo-terminal it points to (/dev/pts/N). */
  device: string;
  close(): Promise<void>;
}

/**
 * A pseudo-terminal at `link` whose other side is the modem (modem-at.md §8.1 option 1): socat makes the
 * PTY in raw mode and bridges it to a private loopback TCP port. The AT port lives as long as the PTY, so
 * settings such as ATE0 survive a client closing and reopening the tty, as on a real serial port.
 */
export async function openModemPty(modem: Modem, options: { link: string; socatPath?: string; timeoutMs?: number }): Promise<ModemPty> {
  const tcp = await listenModemTcp(modem);
  const socat = options.socatPath ?? 'socat';
  const child: ChildProcess = spawn(socat, ['-d', '-d', `pty,raw,echo=0,link=${options.link}`, `TCP:127.0.0.1:${tcp.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const device = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`socat did not create ${options.link} within ${options.timeoutMs ?? 5000} ms`), options.timeoutMs ?? 5000);
    const fail = (why: string, cause?: unknown): void => {
      clearTimeout(timer);
      child.kill();
      void tcp.close();
      reject(new BenchError('TRANSPORT_OPEN_FAILED', `[modem:pty] ${why}; install socat (Debian package socat) or use --modem-tcp`, { cause }));
    };
    child.once('error', (e) => fail(`cannot run ${socat} (${(e as NodeJS.ErrnoException).code ?? e.message})`, e));
    child.once('exit', (code) => fail(`socat exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const pts = /PTY is (\S+)/.exec(stderr);
      if (pts && /starting data transfer loop/.test(stderr) && existsSync(options.link)) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(pts[1]!);
      }
    });
  });
  let closed = false;
  return {
    link: options.link,
    device,
    async close() {
      if (closed) return;
      closed = true;
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      child.kill('SIGTERM');
      // socat ends on SIGTERM at once; if it does not within 2 s, it is killed rather than waited for.
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      // Closing never hangs: seen in CI under load, a killed socat's exit was not reported (its 'exit' event never
      // came), and close() waited forever. After SIGKILL there is nothing more to wait for.
      let gaveUp: NodeJS.Timeout | undefined;
      const reported = await Promise.race([exited.then(() => true), new Promise<false>((r) => (gaveUp = setTimeout(() => r(false), 4000)))]);
      clearTimeout(force);
      clearTimeout(gaveUp);
      if (!reported) process.stderr.write(`[modem:pty] socat (pid ${child.pid ?? '?'}) was killed but did not report its exit; going on\n`);
      await tcp.close();
    },
  };
}
