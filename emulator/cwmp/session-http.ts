import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { digestAuthorization } from './digest.js';

// The HTTP side of one CWMP session (device-management.md §1.2, §4): one connection owned by the session (the ACS
// binds its Digest nonce and session to it), cookies echoed on every POST, Basic or Digest answered once per
// challenge, a new connection only when the ACS closed the old one. HTTP/1.1 written and read here directly: a fleet
// runs thousands of sessions a second and node:http's per-request machinery was most of their cost.

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Every Set-Cookie line. */
  cookies: string[];
  body: string;
}

export class SessionHttpError extends Error {}

export class SessionHttp {
  readonly #url: URL;
  readonly #path: string;
  readonly #host: string;
  #socket: Socket | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (a: HttpAnswer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  #closedByPeer = false;
  #cookies = new Map<string, string>();
  #auth: { challenge: string; nc: number } | null = null;
  #basic = false;

  constructor(url: string, readonly username: string, readonly password: string, readonly timeoutMs: number, readonly maxBodyBytes: number) {
    this.#url = new URL(url);
    this.#path = (this.#url.pathname || '/') + this.#url.search;
    this.#host = this.#url.host;
  }

  /** POST a body ('' = the empty POST); a 401 challenge is answered once with the configured credentials. */
  async post(body: string): Promise<HttpAnswer> {
    let answer = await this.#send(body);
    if (answer.status === 401 && (this.username || this.password) && !this.#auth && !this.#basic) {
      const challenge = answer.headers['www-authenticate'] ?? '';
      if (/^digest/i.test(challenge)) this.#auth = { challenge, nc: 0 };
      else this.#basic = true;
      answer = await this.#send(body);
    }
    return answer;
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  #connect(): Socket {
    const u = this.#url;
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    // CWMP ACSs use self-signed certificates in labs; the CPE does not verify (as the ubus clients do not).
    const socket = u.protocol === 'https:' ? tlsConnect({ host: u.hostname, port, servername: u.hostname, rejectUnauthorized: false }) : netConnect({ host: u.hostname, port });
    socket.setNoDelay(true);
    this.#closedByPeer = false;
    this.#buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#tryParse(false);
    });
    socket.on('end', () => {
      this.#closedByPeer = true;
      this.#tryParse(true);
    });
    socket.on('close', () => {
      this.#closedByPeer = true;
      this.#fail(new SessionHttpError('the ACS closed the connection'));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.#fail(new SessionHttpError(`cannot reach the ACS (${e.code ?? e.message})`)));
    return socket;
  }

  #send(body: string): Promise<HttpAnswer> {
    if (!this.#socket || this.#closedByPeer || this.#socket.destroyed) {
      this.#socket?.destroy();
      this.#socket = this.#connect();
    }
    let head = `POST ${this.#path} HTTP/1.1\r\nHost: ${this.#host}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    if (body !== '') head += 'Content-Type: text/xml; charset="utf-8"\r\nSOAPAction: ""\r\n';
    if (this.#cookies.size > 0) head += `Cookie: ${[...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')}\r\n`;
    if (this.#auth) head += `Authorization: ${digestAuthorization(this.#auth.challenge, 'POST', this.#path, this.username, this.password, body, ++this.#auth.nc)}\r\n`;
    else if (this.#basic) head += `Authorization: Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}\r\n`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new SessionHttpError(`the ACS did not answer within ${this.timeoutMs} ms`));
        this.#socket?.destroy();
      }, this.timeoutMs);
      this.#pending = { resolve, reject, timer };
      this.#socket!.write(`${head}\r\n${body}`);
    });
  }

  #fail(e: Error): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    clearTimeout(p.timer);
    p.reject(e);
  }

  /** Reads one answer from the buffer when it is complete (Content-Length, chunked, or up to the close). */
  #tryParse(ended: boolean): void {
    const p = this.#pending;
    if (!p) return;
    const buf = this.#buffer;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > 64 * 1024) this.#fail(new SessionHttpError('the ACS sent an oversized header'));
      return;
    }
    const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
    if (!status) return this.#fail(new SessionHttpError(`the ACS answered something that is not HTTP: ${(lines[0] ?? '').slice(0, 40)}`));
    const headers: Record<string, string> = {};
    const cookies: string[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'set-cookie') cookies.push(value);
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const start = end + 4;
    let bodyEnd: number;
    let body: Buffer;
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
      bodyEnd = start;
    } else if (headers['content-length'] !== undefined) {
      const len = Number(headers['content-length']);
      if (!Number.isFinite(len) || len < 0 || len > this.maxBodyBytes) return this.#fail(new SessionHttpError(`the ACS sent a body of ${headers['content-length']} bytes`));
      if (buf.length - start < len) return;
      body = buf.subarray(start, start + len);
      bodyEnd = start + len;
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parsed = dechunk(buf, start, this.maxBodyBytes);
      if (parsed === null) return;
      if (parsed === 'too-big') return this.#fail(new SessionHttpError(`the ACS sent more than ${this.maxBodyBytes} bytes`));
      body = parsed.body;
      bodyEnd = parsed.end;
    } else {
      if (buf.length - start > this.maxBodyBytes) return this.#fail(new SessionHttpError(`the ACS sent more than ${this.maxBodyBytes} bytes`));
      if (!ended) return;
      body = buf.subarray(start);
      bodyEnd = buf.length;
    }
    this.#buffer = buf.subarray(bodyEnd);
    for (const c of cookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      if (eq > 0) this.#cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    if (/close/i.test(headers.connection ?? '')) this.#closedByPeer = true;
    this.#pending = null;
    clearTimeout(p.timer);
    p.resolve({ status, headers, cookies, body: body.toString('utf8') });
  }
}

function dechunk(buf: Buffer, from: number, max: number): { body: Buffer; end: number } | null | 'too-big' {
  const parts: Buffer[] = [];
  let at = from;
  let size = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const len = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(len)) return 'too-big';
    if (len === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
      if (trailerEnd < 0 && buf.length < lineEnd + 4) return null;
      return { body: Buffer.concat(parts), end: trailerEnd < 0 ? lineEnd + 4 : trailerEnd + 4 };
    }
    size += len;
    if (size > max) return 'too-big';
    if (buf.length < lineEnd + 2 + len + 2) return null;
    parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + len));
    at = lineEnd + 2 + len + 2;
  }
}
