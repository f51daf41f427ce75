import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { Faults } from '../instrument/faults.js';
import { GARBAGE_TEXT, type RuleAction, type RuleHit } from '../instrument/rules.js';
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
  answer(body: string, from?: { ip?: string; zMode?: string | undefined; effects?: HttpEffects }): string;
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

  /**
   * What the firmware answers for something it lacks; under the 'error' unhandled policy an answer no firmware sends
   * (-32603 naming it), so a test that leans on an unimplemented call fails (STYLE.md 7.4.6).
   */
  const unhandledAnswer = (id: unknown, error: (typeof RPC_ERRORS)[keyof typeof RPC_ERRORS]): { text: string; summary: string } =>
    reporter.strict
      ? { text: errorText(id, { code: RPC_ERRORS.internal.code, message: "[emulator:ubus] not implemented (onUnhandled 'error')" }), summary: 'unhandled' }
      : { text: errorText(id, error), summary: `error ${error.code}` };

  const call = (el: Extract<RpcElement, { kind: 'call' }>, ip: string, zMode: string | undefined): { text: string; summary: string; read?: boolean } => {
    const name = `${el.object}.${el.method}`;
    const profile = device.profile;
    const sw = profile.ubus;
    // §3.4 order 3: the object is looked up before the session, so an expired sid still gets -32000 here.
    const object = objectOf(profile, el.object);
    if (!object) {
      reporter.report('ubus', `object ${el.object}`);
      return unhandledAnswer(el.id, RPC_ERRORS.object);
    }
    // Order 4: session.access. The web ACL lists methods one by one (§4.9), so a method the firmware lacks is
    // -32002 rather than [3].
    const method = methodOf(profile, el.object, object, el.method);
    let session = null;
    if (el.sid === ANONYMOUS_SID) {
      if (!method || !sw.anonymous.includes(name)) {
        if (!method) {
          reporter.report('ubus', name);
          return unhandledAnswer(el.id, RPC_ERRORS.access);
        }
        return { text: errorText(el.id, RPC_ERRORS.access), summary: 'error -32002' };
      }
    } else {
      session = sessions.find(el.sid, sw.refresh === 'any' || zMode === '1');
      if (!session || !method) {
        if (session && !method) {
          reporter.report('ubus', name);
          return unhandledAnswer(el.id, RPC_ERRORS.access);
        }
        return { text: errorText(el.id, RPC_ERRORS.access), summary: 'error -32002' };
      }
    }
    // A developer-only method (field clients: the router answers it only after web_developer_option_login).
    if (method.developer && !session?.developer) return { text: errorText(el.id, RPC_ERRORS.access), summary: 'error -32002' };
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
    return { text: resultText(el.id, status, data), summary: `[${status}]`, read: method.read === true };
  };

  /** One element's answer text, and what a template needs to replay it (null when it cannot be replayed). */
  const answerElement = (el: RpcElement, ip: string, zMode: string | undefined, effects: HttpEffects): { text: string; replay: Replay | null } => {
    const nowMs = device.now();
    if (el.kind === 'error') {
      if (journal) journal.add(device.state.id, 'ubus', 'call', '', {}, `error ${el.error.code}`, nowMs, Date.now(), ip);
      return { text: errorText(el.id, el.error), replay: null };
    }
    if (el.kind === 'list') return { text: `{"jsonrpc":"2.0","id":${json(el.id)},"result":${json(list(el.patterns))}}`, replay: null };
    const name = `${el.object}.${el.method}`;
    const params = masked(el.args);
    const hit = faults.rules.has('ubus') ? faults.rules.hit('ubus', name, () => params, ip) : null;
    if (hit) return { text: ruledCall(el, hit, ip, zMode, name, params, effects), replay: null };
    const { text, summary, read } = call(el, ip, zMode);
    if (journal) journal.add(device.state.id, 'ubus', 'call', name, params, summary, nowMs, Date.now(), ip);
    const head = `{"jsonrpc":"2.0","id":${json(el.id)}`;
    return { text, replay: read && typeof el.id === 'number' && text.startsWith(head) ? { sid: el.sid, name, params, summary, rest: text.slice(head.length) } : null };
  };

  /**
   * One call under a rule (instrument/rules.ts). A call's own actions: an error (a JSON-RPC error for a negative code,
   * -32002 "access denied" by default, else that ubus status), an answer (the call's `result`), a patch (fields of the
   * result's data). Latency, drop, hang, slow-body and garbage act on the HTTP answer of the whole batch.
   */
  const ruledCall = (el: Extract<RpcElement, { kind: 'call' }>, hit: RuleHit, ip: string, zMode: string | undefined, name: string, params: Record<string, string>, effects: HttpEffects): string => {
    const a = hit.action;
    effects.latencyMs = Math.max(effects.latencyMs, hit.delayMs);
    const journalAs = (text: string, summary: string): string => {
      if (journal) journal.add(device.state.id, 'ubus', 'call', name, params, `${summary} (rule ${hit.id}: ${a.kind})`, device.now(), Date.now(), ip);
      return text;
    };
    switch (a.kind) {
      case 'error': {
        const code = a.code ?? RPC_ERRORS.access.code;
        // An HTTP status (400-599) answers the whole batch with it, as uhttpd does when it fails.
        if (code >= 400 && code <= 599) {
          effects.transport ??= a;
          return journalAs('', `HTTP ${code}`);
        }
        if (code < 0) return journalAs(errorText(el.id, { code, message: a.message ?? Object.values(RPC_ERRORS).find((r) => r.code === code)?.message ?? 'Error' }), `error ${code}`);
        return journalAs(resultText(el.id, code), `[${code}]`);
      }
      case 'answer':
        return journalAs(`{"jsonrpc":"2.0","id":${json(el.id)},"result":${json(a.body)}}`, 'answer');
      case 'patch': {
        const real = call(el, ip, zMode);
        const parsed = JSON.parse(real.text) as { result?: unknown };
        if (Array.isArray(parsed.result) && parsed.result.length === 2 && typeof parsed.result[1] === 'object') parsed.result[1] = { ...(parsed.result[1] as object), ...a.fields };
        return journalAs(JSON.stringify(parsed), real.summary);
      }
      default: {
        // Effects on the HTTP answer; the call itself is carried out unless the answer never leaves (drop, hang).
        if (a.kind === 'latency') effects.latencyMs = Math.max(effects.latencyMs, a.ms);
        else effects.transport ??= a;
        if (a.kind === 'drop' || a.kind === 'hang') return journalAs('', a.kind === 'drop' ? 'dropped' : 'no answer');
        const real = call(el, ip, zMode);
        return journalAs(real.text, real.summary);
      }
    }
  };

  const list = (patterns: string[]): unknown => {
    const names = Object.keys(UBUS_OBJECTS).filter((n) => objectOf(device.profile, n));
    if (patterns.length === 0) return names;
    const re = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
    return Object.fromEntries(names.filter((n) => re.some((r) => r.test(n))).map((n) => [n, Object.fromEntries(Object.keys(UBUS_OBJECTS[n]!.methods).map((m) => [m, {}]))]));
  };

  // Batches of pure reads by their text with the ids taken out (the stock UI repeats its status batch every
  // second with new ids): the answer is replayed while the state version, the virtual second and the boot are
  // the same and the session is still valid. Everything else takes the full path.
  const templates = new Map<string, Template>();

  const replayed = (body: string, ip: string, zMode: string | undefined): string | null => {
    // Rules look at every call; a replayed batch would skip them.
    if (faults.rules.has('ubus')) return null;
    const shape = templateKey(body);
    if (!shape) return null;
    const t = templates.get(shape.key);
    if (!t || t.version !== device.version || t.second !== Math.floor(device.now() / 1000) || t.bootEpoch !== device.bootEpoch || t.rest.length !== shape.ids.length) return null;
    const sw = device.profile.ubus;
    if (t.sid !== ANONYMOUS_SID && !sessions.find(t.sid, sw.refresh === 'any' || zMode === '1')) return null;
    const nowMs = device.now();
    let out = t.batch ? '[' : '';
    for (let i = 0; i < t.rest.length; i++) {
      if (i > 0) out += ',';
      out += `{"jsonrpc":"2.0","id":${shape.ids[i]!}${t.rest[i]!}`;
      if (journal) journal.add(device.state.id, 'ubus', 'call', t.names[i]!, t.params[i]!, t.summaries[i]!, nowMs, Date.now(), ip);
    }
    return t.batch ? `${out}]` : out;
  };

  const answer = (body: string, from: { ip?: string; zMode?: string | undefined; effects?: HttpEffects } = {}): string => {
    const ip = from.ip ?? '127.0.0.1';
    const effects = from.effects ?? { latencyMs: 0, transport: null };
    const fast = replayed(body, ip, from.zMode);
    if (fast !== null) return fast;
    const parsed = parseBody(body);
    if (parsed.batch === null) {
      if (journal) journal.add(device.state.id, 'ubus', 'call', '', {}, `error ${parsed.error.code}`, device.now(), Date.now(), ip);
      return errorText(null, parsed.error);
    }
    const version = device.version;
    const second = Math.floor(device.now() / 1000);
    const answers = parsed.elements.map((el) => answerElement(el, ip, from.zMode, effects));
    remember(body, parsed.batch, answers, version, second);
    const texts = answers.map((a) => a.text);
    return parsed.batch ? batchText(texts) : texts[0]!;
  };

  /** Keeps a template of an answer made only of replayable reads on one session that changed nothing. */
  const remember = (body: string, batch: boolean, answers: { replay: Replay | null }[], version: number, second: number): void => {
    if (answers.length === 0 || device.version !== version) return;
    const replays = answers.map((a) => a.replay);
    if (replays.some((r) => r === null)) return;
    const sid = replays[0]!.sid;
    if (replays.some((r) => r!.sid !== sid)) return;
    const shape = templateKey(body);
    if (!shape || shape.ids.length !== replays.length) return;
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(shape.key, {
      batch,
      version,
      second,
      bootEpoch: device.bootEpoch,
      sid,
      rest: replays.map((r) => r!.rest),
      names: replays.map((r) => r!.name),
      params: replays.map((r) => r!.params),
      summaries: replays.map((r) => r!.summary),
    });
  };

  let token = { period: -1, value: '' };
  const webtoken = (): string => {
    // §2.4: the value changes over time (every 5 virtual minutes here); it is set, never checked.
    const period = Math.floor(device.now() / 300_000);
    if (token.period !== period) token = { period, value: createHash('sha256').update(`${device.state.seed}:${period}`).digest('hex').slice(0, 32) };
    return token.value;
  };

  const headers = (extra?: Record<string, string | number>): Record<string, string | number> => {
    const h: Record<string, string | number> = { ...JSON_HEADERS, ...extra };
    if (device.profile.ubus.webtoken) h['Set-Cookie'] = `webtoken=${webtoken()}; path=/; HttpOnly`;
    return h;
  };
  // The answer headers of a call, reused (writeHead copies them at once); the cookie follows the token period.
  let answerHeaders = { cookie: '', value: {} as Record<string, string | number> };
  const callHeaders = (bytes: number): Record<string, string | number> => {
    const cookie = device.profile.ubus.webtoken ? `webtoken=${webtoken()}; path=/; HttpOnly` : '';
    if (answerHeaders.cookie !== cookie) answerHeaders = { cookie, value: cookie ? { ...JSON_HEADERS, 'Set-Cookie': cookie, 'Content-Length': 0 } : { ...JSON_HEADERS, 'Content-Length': 0 } };
    answerHeaders.value['Content-Length'] = bytes;
    return answerHeaders.value;
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
      const zMode = headerValue(req.headers['z-mode']);
      if (faults.rules.has('ubus')) void respondWithRules(req, res, body, ip, zMode);
      else send(res, safeAnswer(body, ip, zMode));
    });
  };

  /** The batch's answer, then what rules did to the HTTP answer as a whole (ruledCall). */
  const respondWithRules = async (req: IncomingMessage, res: ServerResponse, body: string, ip: string, zMode: string | undefined): Promise<void> => {
    const effects: HttpEffects = { latencyMs: 0, transport: null };
    const text = safeAnswer(body, ip, zMode, effects);
    if (effects.latencyMs > 0) await new Promise((r) => setTimeout(r, effects.latencyMs));
    const t = effects.transport;
    if (t?.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (t?.kind === 'hang') {
      // Held until the client gives up, at most 10 minutes.
      const timer = setTimeout(() => res.socket?.destroy(), 600_000);
      timer.unref();
      req.socket.once('close', () => clearTimeout(timer));
      return;
    }
    if (t?.kind === 'garbage') return send(res, GARBAGE_TEXT);
    if (t?.kind === 'error' && t.code !== undefined) {
      res.writeHead(t.code);
      res.end();
      return;
    }
    send(res, text, t?.kind === 'slow-body' ? t.bytesPerSecond : null);
  };

  /** The answer to a body; an unexpected error becomes -32603, never a crashed process or a stack trace. */
  const safeAnswer = (body: string, ip: string, zMode: string | undefined, effects?: HttpEffects): string => {
    try {
      return answer(body, { ip, zMode, ...(effects ? { effects } : {}) });
    } catch (e) {
      process.stderr.write(`[emulator:ubus] request failed: ${e instanceof Error ? e.message : String(e)}\n`);
      return errorText(null, RPC_ERRORS.internal);
    }
  };

  const send = (res: ServerResponse, text: string, slowBps: number | null = null): void => {
    const bytes = Buffer.byteLength(text);
    const slow = slowBps;
    if (slow === null) {
      res.writeHead(200, callHeaders(bytes));
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

/** What rules did to a batch's HTTP answer: the longest latency, and the first transport action (drop, hang...). */
export interface HttpEffects {
  latencyMs: number;
  transport: RuleAction | null;
}

interface Replay {
  sid: string;
  name: string;
  params: Record<string, string>;
  summary: string;
  /** The element's answer after `{"jsonrpc":"2.0","id":<id>`. */
  rest: string;
}

interface Template {
  batch: boolean;
  version: number;
  second: number;
  bootEpoch: number;
  sid: string;
  rest: string[];
  names: string[];
  params: Record<string, string>[];
  summaries: string[];
}

/** Templates kept at most (one per client's batch shape); cleared when full. */
const MAX_TEMPLATES = 1024;
/** Longest body looked up as a template (status batches are 1-2 KB). */
const MAX_TEMPLATE_BODY = 8192;
const ID_RE = /"id":(-?\d{1,15})([,}])/g;

/** The body with its numeric ids taken out, and the ids as written; null when too long to be a status batch. */
function templateKey(body: string): { key: string; ids: string[] } | null {
  if (body.length > MAX_TEMPLATE_BODY) return null;
  const ids: string[] = [];
  const key = body.replace(ID_RE, (_m: string, id: string, end: string) => {
    ids.push(id);
    return `"id":#${end}`;
  });
  return { key, ids };
}

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
