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

/** The host part of a Host header (`name:port`, `[::1]:port`), lower-cased; null when there is none. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? null : h.slice(1, end);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * The browser rules of a local listener (README "Security"), or null when the request passes: `host` for a Host that
 * names neither an address, nor localhost, nor an allowed name (DNS rebinding: an address cannot be rebound, a browser
 * sends the name it resolved); `origin` for an Origin other than the listener's own (a cross-site fetch or form POST,
 * `Origin: null` included); `cross-site` for fetch metadata saying so even without an Origin. Requests without Origin
 * (curl, SDKs, same-origin GETs) pass.
 */
export function browserRefusal(hostHeader: string | undefined, origin: string | undefined, fetchSite: string | undefined, allowHosts: ReadonlySet<string>): 'host' | 'origin' | 'cross-site' | null {
  const host = hostOf(hostHeader);
  if (host === null || !(isIP(host) !== 0 || isLoopbackHost(host) || allowHosts.has(host))) return 'host';
  if (origin !== undefined && !sameOrigin(origin, hostHeader!)) return 'origin';
  if (fetchSite === 'cross-site') return 'cross-site';
  return null;
}

function sameOrigin(origin: string, hostHeader: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // `null` (a sandboxed or file page) and anything unparsable are not this listener's origin.
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === hostHeader.trim().toLowerCase();
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
