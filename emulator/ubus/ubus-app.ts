import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { Faults } from '../instrument/faults.js';
import { maskParams, type Journal } from '../instrument/journal.js';
import { UnhandledReporter } from '../instrument/unhandled.js';
import type { DeviceApi } from '../state/device-api.js';
import { SeededRandom } from '../state/identity.js';
import { ANONYMOUS_SID, MAX_BODY_BYTES, RPC_ERRORS, UBUS_STATUS, batchText, errorText, json, parseBody, resultText, type RpcElement } from './codec.js';
import { decryptField, encryptField } from './field-crypto.js';
import { BadArg, answerOf, type UbusContext } from './method-def.js';
import { UBUS_OBJECTS, methodOf, objectOf } from './objects/index.js';
import { UbusSessions } from './sessions.js';

// The ZWRT device surface (ubus-api.md): uhttpd's /ubus JSON-RPC endpoint over one device. Parse (codec.ts), check
// the object, the session and its ACL in uhttpd's order (§3.4), call the method's handler (objects/), answer in the
// legacy envelope. Served straight on node sockets: the stock UI polls a batch every second from every tab.

export interface UbusAppOptions {
  device: DeviceApi;
  journal?: Journal | null | undefined;
  faults?: Faults | undefined;
  unhandled?: UnhandledReporter | undefined;
  /** `GET /` and other static pages of the device (the emulator's own page, or a stock UI folder). */
  page?: ((path: string) => { body: Uint8Array | string; type: string } | null) | undefined;
}

export interface UbusApp {
  readonly sessions: UbusSessions;
  /** A node request listener for the device's HTTP port on a ubus profile. */
  serve(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Answers one request body as uhttpd would (no HTTP): for tests, the SDK's in-process path and fuzzing.
   * `headers` are the request's (Z-Mode matters for session renewal on some profiles).
   */
  answer(body: string, from?: { ip?: string; zMode?: string | undefined }): string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function createUbusApp(options: UbusAppOptions): UbusApp {
  const { device } = options;
  const journal = options.journal ?? null;
  const faults = options.faults ?? new Faults(device.state.seed);
  const reporter = options.unhandled ?? new UnhandledReporter('warn');
  const sessions = new UbusSessions(device);
  const ivs = new SeededRandom(device.state.seed ^ 0x1f5a);

  const drawIv = (): Buffer => {
    const iv = Buffer.alloc(12);
    for (let i = 0; i < 12; i++) iv[i] = ivs.int(256);
    return iv;
  };

  const call = (el: Extract<RpcElement, { kind: 'call' }>, ip: string, zMode: string | undefined): { text: string; summary: string } => {
    const name = `${el.object}.${el.method}`;
    const profile = device.profile;
    const sw = profile.ubus;
    // §3.4 order 3: the object is looked up before the session, so an expired sid still gets -32000 here.
    const object = objectOf(profile, el.object);
    if (!object) {
      reporter.report('ubus', `object ${el.object}`);
      return { text: errorText(el.id, RPC_ERRORS.object), summary: 'error -32000' };
    }
    // Order 4: session.access. The web ACL lists methods one by one (§4.9), so a method the firmware lacks is
    // -32002 rather than [3].
    const method = methodOf(profile, el.object, object, el.method);
    let session = null;
    if (el.sid === ANONYMOUS_SID) {
      if (!method || !sw.anonymous.includes(name)) {
        if (!method) reporter.report('ubus', name);
        return { text: errorText(el.id, RPC_ERRORS.access), summary: 'error -32002' };
      }
    } else {
      session = sessions.find(el.sid, sw.refresh === 'any' || zMode === '1');
      if (!session || !method) {
        if (session && !method) reporter.report('ubus', name);
        return { text: errorText(el.id, RPC_ERRORS.access), summary: 'error -32002' };
      }
    }
    // Order 5: uhttpd adds ubus_rpc_session itself.
    if (Object.hasOwn(el.args, 'ubus_rpc_session')) return { text: errorText(el.id, RPC_ERRORS.params), summary: 'error -32602' };
    const ctx: UbusContext = {
      device,
      state: device.state,
      nowMs: device.now(),
      session,
      sessions,
      switches: sw,
      ip,
      num: sw.numbers ? (n) => n : (n) => String(n),
      enc(plain) {
        if (sw.encryption === 'off' || !session?.aesKey) return plain;
        return encryptField(session.aesKey, plain, drawIv());
      },
      dec(value, field) {
        if (sw.encryption === 'off') return value;
        const plain = session?.aesKey ? decryptField(session.aesKey, value) : null;
        if (plain !== null) return plain;
        // §5.4 strict (MU5250 B27): a field sent in clear answers INVALID_ARGUMENT.
        if (sw.encryption === 'strict') throw new BadArg(`${field} is not encrypted under the session key`);
        return value;
      },
    };
    let status: number;
    let data: Record<string, unknown> | undefined;
    try {
      const answer = answerOf(method.handle(ctx, el.args));
      status = answer.status;
      data = answer.data;
    } catch (e) {
      if (!(e instanceof BadArg)) {
        // The one place a handler's unexpected error becomes output here: -32603, never a stack trace.
        process.stderr.write(`[emulator:ubus] ${name} failed: ${e instanceof Error ? e.message : String(e)}\n`);
        return { text: errorText(el.id, RPC_ERRORS.internal), summary: 'error -32603' };
      }
      status = UBUS_STATUS.INVALID_ARGUMENT;
    }
    return { text: resultText(el.id, status, data), summary: `[${status}]` };
  };

  const answerElement = (el: RpcElement, ip: string, zMode: string | undefined): string => {
    const nowMs = device.now();
    if (el.kind === 'error') {
      if (journal) journal.add(device.state.id, 'ubus', 'call', '', {}, `error ${el.error.code}`, nowMs, Date.now(), ip);
      return errorText(el.id, el.error);
    }
    if (el.kind === 'list') return `{"jsonrpc":"2.0","id":${json(el.id)},"result":${json(list(el.patterns))}}`;
    const { text, summary } = call(el, ip, zMode);
    if (journal) journal.add(device.state.id, 'ubus', 'call', `${el.object}.${el.method}`, masked(el.args), summary, nowMs, Date.now(), ip);
    return text;
  };

  const list = (patterns: string[]): unknown => {
    const names = Object.keys(UBUS_OBJECTS).filter((n) => objectOf(device.profile, n));
    if (patterns.length === 0) return names;
    const re = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
    return Object.fromEntries(names.filter((n) => re.some((r) => r.test(n))).map((n) => [n, Object.fromEntries(Object.keys(UBUS_OBJECTS[n]!.methods).map((m) => [m, {}]))]));
  };

  const answer = (body: string, from: { ip?: string; zMode?: string | undefined } = {}): string => {
    const parsed = parseBody(body);
    const ip = from.ip ?? '127.0.0.1';
    if (parsed.batch === null) {
      if (journal) journal.add(device.state.id, 'ubus', 'call', '', {}, `error ${parsed.error.code}`, device.now(), Date.now(), ip);
      return errorText(null, parsed.error);
    }
    if (!parsed.batch) return answerElement(parsed.elements[0], ip, from.zMode);
    return batchText(parsed.elements.map((el) => answerElement(el, ip, from.zMode)));
  };

  const webtoken = (): string => {
    // §2.4: the value changes over time (every 5 virtual minutes here); it is set, never checked.
    const period = Math.floor(device.now() / 300_000);
    return createHash('sha256').update(`${device.state.seed}:${period}`).digest('hex').slice(0, 32);
  };

  const headers = (extra?: Record<string, string | number>): Record<string, string | number> => {
    const h: Record<string, string | number> = { ...JSON_HEADERS, ...extra };
    if (device.profile.ubus.webtoken) h['Set-Cookie'] = `webtoken=${webtoken()}; path=/; HttpOnly`;
    return h;
  };

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (!device.power.isUp()) {
      // A rebooting router does not answer: the connection drops (§6.16: clients expect it).
      req.socket.destroy();
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // §2.2: the query (?t=...) is cut off before the path is matched.
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/ubus' || path.startsWith('/ubus/')) return ubusRequest(req, res, path);
    if (path.startsWith('/goform/') || path.startsWith('/reqproc/')) {
      // §1 detection: ZWRT answers the goform URLs with 404.
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<h1>Not Found</h1>');
      return;
    }
    const page = req.method === 'GET' ? options.page?.(path) : null;
    if (page) {
      res.writeHead(200, headers({ 'Content-Type': page.type, 'Cache-Control': 'no-cache' }));
      res.end(page.body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<h1>Not Found</h1>');
  };

  const ubusRequest = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const legacy = path === '/ubus' || path === '/ubus/';
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (req.method === 'GET') {
      // GET /ubus/list and /ubus/subscribe are upstream introspection no ZTE client uses; the rest is 404 (§2.1).
      if (/^\/ubus\/(list|subscribe)(\/|$)/.test(path)) reporter.report('ubus', `GET ${path}`);
      res.writeHead(404);
      res.end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('Bad Request');
      return;
    }
    if (!legacy) {
      // POST /ubus/call/<object>: the REST mode (§2.1); no ZTE client uses it.
      reporter.report('ubus', `POST ${path}`);
      res.writeHead(404);
      res.end();
      return;
    }
    if (device.profile.ubus.requireReferer && req.headers.referer === undefined) {
      // §2.2: D reports a 307 without Referer; where it points is not recorded (§8.1).
      res.writeHead(307, { Location: '/' });
      res.end();
      return;
    }
    readBody(req, (body, tooLong) => {
      const ip = req.socket.remoteAddress ?? '127.0.0.1';
      if (tooLong) {
        // §2.1: a body over 64 KiB is a parse error, then the connection is closed.
        const text = errorText(null, RPC_ERRORS.parse);
        res.writeHead(200, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
        res.end(text);
        return;
      }
      void respond(res, body, ip, headerValue(req.headers['z-mode']));
    });
  };

  const respond = async (res: ServerResponse, body: string, ip: string, zMode: string | undefined): Promise<void> => {
    if (faults.goformActive) {
      const g = faults.goform;
      if (g.dropRate > 0 && faults.random() < g.dropRate) {
        res.socket?.destroy();
        return;
      }
      const delay = faults.latencyMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (g.errorRate > 0 && faults.random() < g.errorRate) {
        if (g.errorKind === 'http500') {
          res.writeHead(500);
          res.end();
          return;
        }
        return send(res, faultAnswer(body, g.errorKind));
      }
    }
    let text: string;
    try {
      text = answer(body, { ip, zMode });
    } catch (e) {
      process.stderr.write(`[emulator:ubus] request failed: ${e instanceof Error ? e.message : String(e)}\n`);
      text = errorText(null, RPC_ERRORS.internal);
    }
    send(res, text);
  };

  const send = (res: ServerResponse, text: string): void => {
    const bytes = Buffer.byteLength(text);
    const slow = faults.goformActive ? faults.goform.slowBodyBytesPerSecond : null;
    if (slow === null) {
      res.writeHead(200, headers({ 'Content-Length': bytes }));
      res.end(text);
      return;
    }
    res.writeHead(200, headers({ 'Content-Length': bytes }));
    const buf = Buffer.from(text);
    const chunk = Math.max(1, Math.floor(slow / 10));
    let at = 0;
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(buf.subarray(at, at + chunk));
      at += chunk;
      if (at >= buf.length) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
  };

  return { sessions, serve, answer };
}

// --- internal ---

const SECRET_ARGS = /^(web_enstr|key|password_new|password_old)$|\.key$/;

/** The call's arguments for the journal: one level flattened ("main_2g.ssid"), secrets masked. */
function masked(args: Record<string, unknown>): Record<string, string> {
  const flat: [string, string][] = [];
  for (const [k, v] of Object.entries(args)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) flat.push([`${k}.${k2}`, typeof v2 === 'string' ? v2 : JSON.stringify(v2) ?? '']);
    } else flat.push([k, typeof v === 'string' ? v : JSON.stringify(v) ?? '']);
  }
  return Object.fromEntries(Object.entries(maskParams(flat)).map(([k, v]) => [k, SECRET_ARGS.test(k) && v !== '' ? '***' : v]));
}

/** An injected error answer in ubus's own words: every call [9] UNKNOWN_ERROR ('failure') or [0] with no data ('empty'). */
function faultAnswer(body: string, kind: 'failure' | 'empty'): string {
  const parsed = parseBody(body);
  if (parsed.batch === null) return errorText(null, parsed.error);
  const one = (el: RpcElement): string => (el.kind === 'error' ? errorText(el.id, el.error) : resultText(el.id, kind === 'empty' ? UBUS_STATUS.OK : UBUS_STATUS.UNKNOWN_ERROR));
  return parsed.batch ? batchText(parsed.elements.map(one)) : one(parsed.elements[0]);
}

function readBody(req: IncomingMessage, done: (body: string, tooLong: boolean) => void): void {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    req.on('end', () => done('', true));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      over = true;
      chunks.length = 0;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => done(over ? '' : Buffer.concat(chunks).toString('utf8'), over));
  req.on('error', () => req.socket.destroy());
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
