// The load engine's HTTP/1.1 client: one keep-alive socket per virtual user, one request at a time, requests
// written as one string and answers parsed straight off the socket (Content-Length, chunked, or until close).
// The same shape as autocannon's clients; `fetch` would cost several times more per request.
import { connect, type Socket } from 'node:net';

export interface HttpAnswer {
  status: number;
  /** Header names in lower case; repeated headers (set-cookie) joined with "\n". */
  headers: Record<string, string>;
  body: string;
  /** Bytes of the request as written (head and body) and of the answer as read (head and body): data_sent/received. */
  sentBytes: number;
  receivedBytes: number;
  /** Where the time went, in ms, as k6's http_req_* metrics split it (duration = sending + waiting + receiving). */
  timings: HttpTimings;
}

/** k6's request phases (load-and-fleet.md §1): blocked and connecting are 0 on a reused keep-alive connection. */
export interface HttpTimings {
  blocked: number;
  connecting: number;
  /** Always 0: the engine speaks plain http:// only. */
  tlsHandshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly kind: 'connect' | 'timeout' | 'closed' | 'parse',
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (a: HttpAnswer) => void;
  reject: (e: Error) => void;
  /** performance.now() after which the request times out. */
  deadline: number;
  timeoutMs: number;
  sentBytes: number;
  /** performance.now() marks: request made, connection ready, connect took, written, first answer byte. */
  t0: number;
  ready: number;
  connecting: number;
  sent: number;
  firstByte: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

// One sweep for every connection's timeouts: a timer per request would cost more than the request's parsing.
const waiting = new Set<HttpConnection>();
let sweeper: NodeJS.Timeout | undefined;
function watch(c: HttpConnection): void {
  waiting.add(c);
  if (!sweeper) {
    sweeper = setInterval(() => {
      const now = performance.now();
      for (const w of waiting) w.expire(now);
      if (waiting.size === 0) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    }, 50);
    sweeper.unref();
  }
}

export class HttpConnection {
  readonly host: string;
  readonly port: number;
  readonly hostHeader: string;
  #socket: Socket | null = null;
  #connecting: Promise<Socket> | null = null;
  #buf: Buffer = EMPTY;
  #pending: Pending | null = null;
  #head: { status: number; headers: Record<string, string>; bodyStart: number; length: number | null; chunked: boolean } | null = null;
  #closed = false;
  /** How long the last TCP connect took (k6's http_req_connecting for the request that opened it). */
  #connectMs = 0;
  /** Connections opened (1 + reconnects after the server closed one). */
  opened = 0;

  constructor(url: string) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new HttpError(`only http:// targets are supported, got ${u.protocol}`, 'connect');
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.hostHeader = u.host;
  }

  /** One request; rejects with HttpError on connect failure, timeout or a broken answer. */
  async request(method: string, path: string, headers: Record<string, string>, body: string | null, timeoutMs: number): Promise<HttpAnswer> {
    if (this.#pending) throw new HttpError('one request at a time per connection', 'parse');
    const t0 = performance.now();
    const fresh = this.#socket === null;
    const socket = await this.#open();
    const ready = performance.now();
    const connecting = fresh ? this.#connectMs : 0;
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nConnection: keep-alive\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    if (body !== null) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    return new Promise<HttpAnswer>((resolve, reject) => {
      const wire = body === null ? head : head + body;
      const pending: Pending = { resolve, reject, deadline: ready + timeoutMs, timeoutMs, sentBytes: Buffer.byteLength(wire), t0, ready, connecting, sent: 0, firstByte: 0 };
      this.#pending = pending;
      watch(this);
      socket.write(wire, () => {
        pending.sent = performance.now();
      });
    });
  }

  /** Called by the timeout sweep. */
  expire(now: number): void {
    const p = this.#pending;
    if (!p) {
      waiting.delete(this);
      return;
    }
    if (now > p.deadline) this.#fail(new HttpError(`no answer within ${p.timeoutMs} ms`, 'timeout'));
  }

  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = null;
  }

  #open(): Promise<Socket> {
    if (this.#socket) return Promise.resolve(this.#socket);
    if (this.#closed) return Promise.reject(new HttpError('connection closed', 'closed'));
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const started = performance.now();
      const s = connect(this.port, this.host);
      s.setNoDelay(true);
      s.once('connect', () => {
        this.#connectMs = performance.now() - started;
        this.#connecting = null;
        this.#socket = s;
        this.opened++;
        resolve(s);
      });
      s.once('error', (e) => {
        if (this.#socket !== s) {
          this.#connecting = null;
          reject(new HttpError(`cannot connect to ${this.host}:${this.port}: ${e.message}`, 'connect'));
        }
      });
      s.on('data', (chunk: Buffer) => this.#onData(chunk));
      s.on('close', () => {
        if (this.#socket === s) this.#socket = null;
        // An answer delimited by the end of the connection is complete now.
        if (this.#head && this.#head.length === null && !this.#head.chunked) {
          this.#finish(this.#buf.subarray(this.#head.bodyStart).toString('utf8'), 0);
          return;
        }
        this.#buf = EMPTY;
        this.#head = null;
        this.#fail(new HttpError('the server closed the connection', 'closed'));
      });
    });
    return this.#connecting;
  }

  #fail(e: HttpError): void {
    const p = this.#pending;
    this.#pending = null;
    this.#head = null;
    this.#buf = EMPTY;
    if (p) p.reject(e);
    if (e.kind === 'timeout' || e.kind === 'parse') {
      // The socket may still carry the late answer: start afresh.
      this.#socket?.destroy();
      this.#socket = null;
    }
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (!this.#pending) return;
    if (this.#pending.firstByte === 0) this.#pending.firstByte = performance.now();
    if (!this.#head) {
      const end = this.#buf.indexOf(CRLF2);
      if (end < 0) return;
      const lines = this.#buf.subarray(0, end).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!m) return this.#fail(new HttpError(`not an HTTP answer: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`, 'parse'));
      const headers: Record<string, string> = {};
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const c = line.indexOf(':');
        if (c <= 0) continue;
        const k = line.slice(0, c).trim().toLowerCase();
        const v = line.slice(c + 1).trim();
        headers[k] = headers[k] === undefined ? v : `${headers[k]}\n${v}`;
      }
      const cl = headers['content-length'];
      this.#head = { status: Number(m[1]), headers, bodyStart: end + 4, length: cl === undefined ? null : Number(cl), chunked: /chunked/i.test(headers['transfer-encoding'] ?? '') };
    }
    const h = this.#head;
    if (h.chunked) {
      const parsed = dechunk(this.#buf, h.bodyStart);
      if (parsed) this.#finish(parsed.body, parsed.end);
      return;
    }
    if (h.length !== null && this.#buf.length - h.bodyStart >= h.length) {
      this.#finish(this.#buf.subarray(h.bodyStart, h.bodyStart + h.length).toString('utf8'), h.bodyStart + h.length);
    }
  }

  #finish(body: string, consumed: number): void {
    const p = this.#pending;
    const h = this.#head!;
    const receivedBytes = consumed > 0 ? consumed : this.#buf.length;
    this.#pending = null;
    this.#head = null;
    this.#buf = consumed > 0 && consumed < this.#buf.length ? this.#buf.subarray(consumed) : EMPTY;
    if (/close/i.test(h.headers.connection ?? '')) {
      this.#socket?.end();
      this.#socket = null;
    }
    if (p) p.resolve({ status: h.status, headers: h.headers, body, sentBytes: p.sentBytes, receivedBytes, timings: timingsOf(p, performance.now()) });
  }
}

/** A complete chunked body starting at `from`, or null while more bytes are needed. */
function dechunk(buf: Buffer, from: number): { body: string; end: number } | null {
  const parts: Buffer[] = [];
  let i = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return null;
    if (size === 0) {
      const end = buf.indexOf(CRLF2, eol - 2);
      if (end < 0) return null;
      return { body: Buffer.concat(parts).toString('utf8'), end: end + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

/** The phases of one request from its marks; a write callback that has not run yet counts as sent when answered. */
function timingsOf(p: Pending, end: number): HttpTimings {
  const first = p.firstByte || end;
  const sent = Math.min(p.sent || first, first);
  const sending = Math.max(0, sent - p.ready);
  const waiting = Math.max(0, first - sent);
  const receiving = Math.max(0, end - first);
  return { blocked: Math.max(0, p.ready - p.t0 - p.connecting), connecting: p.connecting, tlsHandshaking: 0, sending, waiting, receiving, duration: sending + waiting + receiving };
}
