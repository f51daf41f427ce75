// Listening on loopback: one way to bind, report the URL and close, for every surface and the fleet.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BenchError } from '../hil/errors.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
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
