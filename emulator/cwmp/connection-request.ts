import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BenchError } from '../../hil/errors.js';
import { closeServer, isLoopbackHost, listenOn } from '../net.js';

// Connection requests (device-management.md §1.9): one HTTP listener for every CPE of a process, routing by each
// CPE's random path, Digest (MD5) per CPE, answered at once (200 before the session starts, 503 while one runs).

export interface ConnectionRequestTarget {
  /** The CPE's credentials now (ManagementServer.ConnectionRequestUsername/Password). */
  credentials(): { username: string; password: string };
  connectionRequest(): 'ok' | 'busy';
}

const REALM = 'routerlab CPE';
/** Nonces kept for Digest answers (a nonce is good for a few minutes; older ones are challenged again). */
const MAX_NONCES = 4096;
const NONCE_MS = 300_000;

export class ConnectionRequestServer {
  readonly #targets = new Map<string, ConnectionRequestTarget>();
  readonly #nonces = new Map<string, number>();
  #server: Server | null = null;
  #base = '';

  /** The listener's base URL once listening (http://host:port). */
  get base(): string {
    return this.#base;
  }

  /**
   * Listen (default 127.0.0.1, port 7547, the CWMP connection-request port). Another host only with `allowRemote`:
   * the listener starts sessions toward the ACS. Rejects with CONFIG_INVALID when the port is taken.
   */
  async listen(options: { host?: string; port?: number; allowRemote?: boolean } = {}): Promise<string> {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(host) && !options.allowRemote) throw new BenchError('CONFIG_INVALID', `[emulator:cwmp] the connection-request listener binds to loopback unless told otherwise; ${host} needs --cr-allow-remote`);
    const s = createServer((req, res) => this.#handle(req, res));
    this.#server = s;
    this.#base = await listenOn(s, host, options.port ?? 7547, 'connection requests', '--cr-port');
    return this.#base;
  }

  /** A CPE's path (32 hex, like ZTE's, §1.9) and URL on this listener. */
  register(path: string, target: ConnectionRequestTarget): string {
    this.#targets.set(path, target);
    return `${this.#base}/${path}`;
  }

  unregister(path: string): void {
    this.#targets.delete(path);
  }

  async close(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
    this.#server = null;
    this.#targets.clear();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    // The body (if any) is ignored (§1.9); a CPE answers GET only.
    req.resume();
    if (req.method !== 'GET') {
      res.writeHead(405, { Allow: 'GET' });
      res.end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!.replace(/^\/+/, '');
    const target = this.#targets.get(path);
    if (!target) {
      res.writeHead(404);
      res.end();
      return;
    }
    const { username, password } = target.credentials();
    if (!this.#authorized(req.headers.authorization, username, password, req.url ?? '/')) {
      const nonce = randomBytes(16).toString('hex');
      if (this.#nonces.size >= MAX_NONCES) this.#nonces.clear();
      this.#nonces.set(nonce, Date.now());
      res.writeHead(401, { 'WWW-Authenticate': `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5` });
      res.end();
      return;
    }
    // §1.9: success is answered at once, before the session; in a session → 503 without Retry-After.
    const outcome = target.connectionRequest();
    res.writeHead(outcome === 'ok' ? 200 : 503);
    res.end();
  }

  #authorized(header: string | undefined, username: string, password: string, uri: string): boolean {
    if (!header || !/^digest\s/i.test(header)) return false;
    const p = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? m[3] ?? '']));
    const issued = p.nonce ? this.#nonces.get(p.nonce) : undefined;
    if (issued === undefined || Date.now() - issued > NONCE_MS) return false;
    if (p.username !== username || p.realm !== REALM || (p.uri !== uri && p.uri !== uri.split('?')[0])) return false;
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${username}:${REALM}:${password}`);
    const ha2 = md5(`GET:${p.uri}`);
    const want = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
    const got = Buffer.from(p.response ?? '');
    return got.length === want.length && timingSafeEqual(got, Buffer.from(want));
  }
}
