// Listening on loopback: one way to bind, report the URL and close, for every surface and the fleet.
import type { Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { BenchError } from '../hil/errors.js';

/**
 * True for a loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z) or the name localhost, decided on the parsed
 * address: `127.evil.example` is a name, not an address, and is not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost') return true;
  const kind = isIP(h);
  if (kind === 4) return h.split('.')[0] === '127';
  if (kind === 6) {
    if (h === '::1' || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1]!.split('.')[0] === '127';
  }
  return false;
}

export function listenOn(s: Server, host: string, port: number, what: string, flag: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    s.once('error', (e: NodeJS.ErrnoException) => {
      reject(new BenchError('CONFIG_INVALID', `[emulator] cannot listen for ${what} on ${host}:${port} (${e.code ?? e.message}); pick another ${flag}`, { cause: e }));
    });
    s.listen(port, host, () => {
      const info = s.address() as AddressInfo;
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve(`http://${shownHost}:${info.port}`);
    });
  });
}

export function closeServer(s: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });
}
