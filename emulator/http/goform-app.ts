import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyLimit } from 'hono/body-limit';
import { Faults } from '../instrument/faults.js';
import { GARBAGE_TEXT, patchJson, type RuleHit } from '../instrument/rules.js';
import { maskParams, type Journal } from '../instrument/journal.js';
import type { DeviceApi } from '../state/device-api.js';
import type { DeviceProfile } from '../state/profile.js';
import { isRefused } from '../state/outcome.js';
import { UnhandledReporter } from '../instrument/unhandled.js';
import { createWebUi, QR_PATH, type WebUi } from './web-ui.js';
import { Auth, type Requester } from './auth.js';
import { cookieValue } from './codec.js';
import { CARD_ROOT, ShareError, type FileShare } from './file-share.js';
import { aggregates, PLAIN_KEYS, type AggregateContext } from './keys/index.js';
import { BadField, SET_HANDLERS, type SetContext, type SetDef } from './set/index.js';

export type { UnhandledPolicy } from '../instrument/unhandled.js';

export interface GoformAppOptions {
  device: DeviceApi;
  share: FileShare | null;
  /** What to do with unimplemented goformIds, keys and paths; default a 'warn' reporter of its own. */
  unhandled?: UnhandledReporter | undefined;
  /** Largest goform request body, bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Where every request is recorded; none by default. */
  journal?: Journal | undefined;
  /** Injected latency, errors, drops and slow bodies (control API); none by default. */
  faults?: Faults | undefined;
  /** The device's web pages (`GET /`, a stock UI folder, the Wi-Fi QR code); default the emulator's own page. */
  webUi?: WebUi | undefined;
}

export interface GoformApp {
  app: Hono<{ Bindings: Partial<HttpBindings> }>;
  auth: Auth;
  /** Answers a plain GET read directly on a node socket; false when the request is not one (use `app`). */
  fastRead(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
}

const READ_PATH = '/goform/goform_get_cmd_process';
type GoformEnv = { Bindings: Partial<HttpBindings> };

const FAILURE_JSON = '{"result":"failure"}';

/** The device surface: goform_get_cmd_process, goform_set_cmd_process and the file-share transfer routes. */
export function createGoformApp(options: GoformAppOptions): GoformApp {
  const { device, share } = options;
  const journal = options.journal ?? null;
  const faults = options.faults ?? new Faults(device.state.seed);
  const record = (kind: string, name: string, params: Record<string, string>, response: string, req: Requester, virtualMs = device.now()): void => {
    journal?.add(device.state.id, 'goform', kind, name, params, response, virtualMs, Date.now(), req.ip);
  };
  const auth = new Auth(device);
  // What the profile decides, made once per profile (a bench reset can switch it): key groups, answer headers,
  // the web UI's config. Quirks are read live (setQuirks changes them in place).
  let view: ProfileView | null = null;
  const current = (): ProfileView => (view?.profile === device.profile ? view : (view = profileView(device.profile)));
  const groups = { has: (group: string): boolean => current().groups.has(group) };
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const reporter = options.unhandled ?? new UnhandledReporter('warn');
  const unhandled = (what: string): void => reporter.report('goform', what);
  const send = (c: Context, body: string, extra?: Record<string, string>): Response =>
    c.body(body, 200, extra ? { ...current().headers, ...extra } : current().headers);

  const queries = new QueryCache();
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();

  // Rules (instrument/rules.ts) on this surface. A read's name is its cmd list, a write's its goformId; the fast path
  // finds the hit and hands it to the route through this map, so a rule is counted once per request.
  const ruleHits = new WeakMap<IncomingMessage, RuleHit>();
  const ruleFor = (c: Context<GoformEnv>, name: string, params: () => Record<string, string>, req: Requester): RuleHit | null => {
    const incoming = c.env?.incoming;
    const handed = incoming ? ruleHits.get(incoming) : undefined;
    if (handed) {
      ruleHits.delete(incoming!);
      return handed;
    }
    return faults.rules.has('goform') ? faults.rules.hit('goform', name, params, req.ip) : null;
  };
  /**
   * A rule's action in goform's own terms. Actions that replace the answer (error, drop, hang, garbage, answer) never
   * reach the device: a write is not carried out, and the journal says which rule answered instead.
   */
  const ruled = async (c: Context<GoformEnv>, hit: RuleHit, keys: string[] | null, real: () => Response | Promise<Response>, journalInstead: (summary: string) => void): Promise<Response> => {
    const a = hit.action;
    const instead = (summary: string): void => journalInstead(`${summary} (rule ${hit.id}: ${a.kind})`);
    if (hit.delayMs > 0) await new Promise((r) => setTimeout(r, hit.delayMs));
    switch (a.kind) {
      case 'latency':
        await new Promise((r) => setTimeout(r, a.ms));
        return real();
      case 'error': {
        const empty = keys !== null && a.shape !== 'failure';
        instead(a.code !== undefined && a.code >= 400 ? `HTTP ${a.code}` : empty ? 'every key empty' : summarize(FAILURE_JSON));
        if (a.code !== undefined && a.code >= 400 && a.code <= 599) return c.body(null, a.code as 500);
        // A read that fails answers every key empty (§1.5 shape) unless asked for the failure shape; a write fails.
        return send(c, empty ? JSON.stringify(Object.fromEntries(keys.map((k) => [k, '']))) : FAILURE_JSON);
      }
      case 'drop':
        instead('dropped');
        c.env?.incoming?.socket.destroy();
        return c.body(null, 503);
      case 'hang': {
        instead('no answer');
        // Held until the client gives up (its socket closes); at most 10 minutes, so a forgotten client is let go.
        const socket = c.env?.incoming?.socket;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 600_000);
          t.unref();
          socket?.once('close', () => {
            clearTimeout(t);
            resolve();
          });
        });
        socket?.destroy();
        return c.body(null, 503);
      }
      case 'slow-body':
        return slowBody(await real(), a.bytesPerSecond);
      case 'garbage':
        instead('garbage');
        return c.body(GARBAGE_TEXT, 200, current().headers);
      case 'answer': {
        const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        instead(summarize(body));
        return send(c, body);
      }
      case 'patch': {
        const res = await real();
        return send(c, patchJson(await res.text(), a.fields));
      }
    }
  };

  app.onError((err, c) => {
    // The one place errors become output on this surface: the firmware's failure shape, never a stack trace.
    process.stderr.write(`[emulator:goform] ${c.req.method} ${c.req.path} failed: ${err.message}\n`);
    return send(c, FAILURE_JSON);
  });

  // A rebooting router does not answer: drop the connection like the real one (§4.1 REBOOT_DEVICE).
  // Checked at the top of each route rather than in middleware, to keep the status poll's path short.
  const down = (c: Context<{ Bindings: Partial<HttpBindings> }>): Response => {
    c.env?.incoming?.socket.destroy();
    return c.body(null, 503);
  };

  /** The answer to a read; the one implementation behind the Hono route and the socket fast path. */
  const answerRead = (query: ParsedQuery, req: Requester): ReadAnswer & { nowMs: number } => {
    const { multi, keys, params } = query;
    const loggedIn = auth.isLoggedIn(req);
    const nowMs = device.now();
    if (keys.length === 0) return { ...answer('{}'), nowMs };
    const agg = keys.length === 1 && !multi ? aggregates[keys[0]!] : undefined;
    // A plain answer depends on the state (version), the virtual second (time-derived keys), login, and for
    // the loginfo quirk whether anyone holds a session. The last answer is kept on the parsed query itself.
    const variant = (loggedIn ? 1 : 0) | (!loggedIn && !multi && auth.anySession() ? 2 : 0);
    const second = Math.floor(nowMs / 1000);
    const last = query.last;
    if (!agg && last && last.version === device.version && last.second === second && last.variant === variant) {
      last.nowMs = nowMs;
      return last;
    }
    const ctx: AggregateContext = {
      device,
      state: device.state,
      nowMs,
      auth,
      req,
      loggedIn,
      multi,
      share,
      param: (name) => params.get(name) ?? undefined,
    };
    if (agg) {
      if (!groups.has(agg.group)) unhandled(`cmd=${keys[0]}`);
      const allowed = groups.has(agg.group) && (agg.public || loggedIn || device.profile.auth.openWithoutLogin.includes(keys[0]!));
      return { ...answer(encode(allowed ? agg.read(ctx) : { [keys[0]!]: '' }, device.profile.quirks.rawControlCharsInSms)), nowMs };
    }
    let cacheable = true;
    const out: Record<string, string> = {};
    for (const key of keys) {
      const def = PLAIN_KEYS.get(key);
      // §1.5 / §7.4: unknown, unsupported and not-yet-readable keys all answer "".
      if (!def || !groups.has(def.group) || !(def.public || loggedIn || device.profile.auth.openWithoutLogin.includes(key))) {
        out[key] = '';
        continue;
      }
      if (def.perRequester) cacheable = false;
      out[key] = def.read(ctx);
    }
    const result = { ...answer(JSON.stringify(out)), nowMs };
    if (cacheable) query.last = { version: device.version, second, variant, ...result };
    return result;
  };

  const read = async (c: Context<{ Bindings: Partial<HttpBindings> }>): Promise<Response> => {
    if (!device.power.isUp()) return down(c);
    let query: ParsedQuery;
    if (c.req.method === 'POST') {
      const form = await readForm(c, maxBody);
      if (!form) return send(c, FAILURE_JSON);
      const params = new URLSearchParams(rawQuery(c.env?.incoming?.url ?? c.req.url));
      for (const [k, v] of form) if (!params.has(k)) params.set(k, v);
      query = parsedQuery(params);
    } else {
      query = queries.get(rawQuery(c.env?.incoming?.url ?? c.req.url));
    }
    const req = requester(c, auth.cookieName);
    const real = (): Response => {
      const { body, summary, nowMs } = answerRead(query, req);
      if (journal) record('read', query.cmd, query.masked ??= maskParams(query.params), summary, req, nowMs);
      return send(c, body);
    };
    const hit = ruleFor(c, query.cmd, () => Object.fromEntries(query.params), req);
    if (!hit) return real();
    return ruled(c, hit, query.keys, real, (summary) => record('read', query.cmd, query.masked ??= maskParams(query.params), summary, req));
  };

  /**
   * Serves a status read straight on the node socket, skipping the Fetch Request/Response round trip that
   * dominates the one-second poll. Same `answerRead` as the route; false = not a plain GET read, let Hono
   * handle it.
   */
  const fastRead = (incoming: IncomingMessage, outgoing: ServerResponse): boolean => {
    const url = incoming.url ?? '';
    if (incoming.method !== 'GET' || !url.startsWith(READ_PATH) || (url.length > READ_PATH.length && url[READ_PATH.length] !== '?')) return false;
    if (!device.power.isUp()) return false;
    const h = incoming.headers;
    const req = requesterFrom(incoming.socket.remoteAddress ?? '', h.cookie, h.referer !== undefined, auth.cookieName);
    let answered: ReadAnswer & { nowMs: number };
    let query: ParsedQuery;
    try {
      query = queries.get(rawQuery(url));
      if (faults.rules.has('goform')) {
        const q = query;
        const hit = faults.rules.hit('goform', q.cmd, () => Object.fromEntries(q.params), req.ip);
        if (hit) {
          ruleHits.set(incoming, hit);
          return false;
        }
      }
      answered = answerRead(query, req);
    } catch (e) {
      // The same as the Hono route's onError: the firmware's failure answer, never a crashed process.
      process.stderr.write(`[emulator:goform] GET ${READ_PATH} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      const failureHeaders = current().fastHeaders;
      failureHeaders['Content-Length'] = FAILURE_JSON.length;
      outgoing.writeHead(200, failureHeaders);
      outgoing.end(FAILURE_JSON);
      return true;
    }
    const { body, bytes, summary, nowMs } = answered;
    if (journal) record('read', query.cmd, query.masked ??= maskParams(query.params), summary, req, nowMs);
    // writeHead copies the values at once, so one headers object can be reused.
    const fastHeaders = current().fastHeaders;
    fastHeaders['Content-Length'] = bytes;
    outgoing.writeHead(200, fastHeaders);
    outgoing.end(body);
    return true;
  };

  app.get(READ_PATH, read);
  app.post(READ_PATH, read);

  const setRoute = async (c: Context<GoformEnv>): Promise<Response> => {
    if (!device.power.isUp()) return down(c);
    // A GET write: only firmware that takes one (the setAcceptsGet quirk); elsewhere the path is not found.
    if (c.req.method === 'GET' && !device.profile.quirks.setAcceptsGet) return c.body('Not Found', 404);
    const form = c.req.method === 'GET' ? new URLSearchParams() : await readForm(c, maxBody);
    if (!form) return send(c, FAILURE_JSON);
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of new URLSearchParams(rawQuery(c.req.url))) fields[k] = v;
    for (const [k, v] of form) fields[k] = v;
    const goformId = fields.goformId ?? '';
    const def = SET_HANDLERS.get(goformId);
    const req = requester(c, auth.cookieName);
    const hit = ruleFor(c, goformId, () => fields, req);
    if (hit) return ruled(c, hit, null, () => write(c, goformId, def, fields, req), (summary) => record('write', goformId, maskParams(Object.entries(fields)), summary, req));
    return write(c, goformId, def, fields, req);
  };
  app.post('/goform/goform_set_cmd_process', setRoute);
  app.get('/goform/goform_set_cmd_process', setRoute);

  /** A write as the firmware carries it out: login, AD and Referer checks, then the handler. */
  const write = (c: Context<GoformEnv>, goformId: string, def: SetDef | undefined, fields: Record<string, string>, req: Requester): Response => {
    // The journal says why a write failed (the firmware's answer does not, §1.6): what a scenario's failure line names.
    const answer = (body: string, extra?: Record<string, string>, why?: string): Response => {
      if (journal) record('write', goformId, maskParams(Object.entries(fields)), `${summarize(body)}${why ? ` (${why})` : ''}`, req);
      return send(c, body, extra);
    };
    if (!def) {
      unhandled(`goformId=${goformId}`);
      if (reporter.strict) return c.body(`[emulator:goform] goformId=${goformId} is not implemented (onUnhandled 'error')`, 500);
      return answer(FAILURE_JSON, undefined, `unknown goformId "${goformId}"`);
    }
    if (def.login !== false && !device.profile.auth.openWithoutLogin.includes(goformId) && !auth.isLoggedIn(req)) return answer(FAILURE_JSON, undefined, 'not logged in');
    // §1.6: a wrong and a missing AD give the same failure.
    if (def.ad !== false && !device.profile.auth.adExempt.includes(goformId) && !auth.checkAd(req, fields.AD)) return answer(FAILURE_JSON, undefined, fields.AD ? 'wrong AD' : 'no AD field');
    if (device.profile.quirks.requireReferer && !req.hasReferer) return answer(FAILURE_JSON, undefined, 'no Referer header');
    const extra: Record<string, string> = {};
    const ctx: SetContext = {
      device,
      state: device.state,
      auth,
      req,
      share,
      fields,
      setHeader: (name, value) => {
        extra[name] = value;
      },
    };
    try {
      const result = def.handle(ctx);
      // The one mapping of a device refusal on this surface: the firmware's failure answer.
      if (isRefused(result)) return answer(FAILURE_JSON, extra, `refused by the device: ${result.message}`);
      return answer(JSON.stringify(result), extra);
    } catch (e) {
      if (e instanceof BadField || e instanceof ShareError) return answer(JSON.stringify({ result: e.result }), undefined, e.message.replace(/^\[emulator:goform\] /, ''));
      throw e;
    }
  };

  // File sharing transfers (§3.10/§4.8 HTTP share). The firmware's own upload path is not documented in the
  // reference; these routes are the emulator's, documented in the README.
  app.post(
    '/cgi-bin/httpshare/upload',
    bodyLimit({
      maxSize: Math.max(device.state.share.quotaBytes, 1) + 64 * 1024,
      onError: (c) => send(c, JSON.stringify({ result: 'quota' })),
    }),
    async (c) => {
      if (!device.power.isUp()) return down(c);
      const req = requester(c, auth.cookieName);
      if (!auth.isLoggedIn(req)) return send(c, FAILURE_JSON);
      if (!share || !device.state.share.enabled) return send(c, JSON.stringify({ result: 'no_sdcard' }));
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > share.quotaBytes + 64 * 1024) return send(c, JSON.stringify({ result: 'quota' }));
      let form: Record<string, string | File | (string | File)[]>;
      try {
        form = await c.req.parseBody();
      } catch (e) {
        // Recorded into the answer: a malformed multipart body is the client's error.
        return send(c, JSON.stringify({ result: 'failure', reason: e instanceof Error ? e.message : 'bad body' }));
      }
      const file = form.file;
      const path = typeof form.path_SD_CARD === 'string' ? form.path_SD_CARD : (c.req.query('path_SD_CARD') ?? CARD_ROOT);
      if (!(file instanceof File)) return send(c, FAILURE_JSON);
      try {
        share.write(path, file.name, new Uint8Array(await file.arrayBuffer()));
      } catch (e) {
        if (e instanceof ShareError) return send(c, JSON.stringify({ result: e.result }));
        throw e;
      }
      return send(c, JSON.stringify({ result: 'success' }));
    },
  );

  app.get(`${CARD_ROOT}/*`, (c) => {
    if (!device.power.isUp()) return down(c);
    const req = requester(c, auth.cookieName);
    if (!auth.isLoggedIn(req) || !share || !device.state.share.enabled) return c.body(null, 404);
    try {
      const data = share.read(decodeURIComponent(c.req.path));
      return c.body(new Uint8Array(data), 200, { 'Content-Type': 'application/octet-stream' });
    } catch (e) {
      if (e instanceof ShareError) return c.body(null, 404);
      throw e;
    }
  });

  // The web UI's config (goform-api.md §0, §1.1): clients fetch it to learn the password encoding and AD.
  const webUi = options.webUi ?? createWebUi(device);
  app.get('/js/config/config.js', (c) => {
    // A stock UI folder's own config wins (its mock switch served as false); otherwise the generated one.
    const own = webUi.file('/js/config/config.js');
    return own ? c.body(own.body as string, 200, { 'Content-Type': own.type }) : c.body(current().configJs, 200, { 'Content-Type': 'application/javascript' });
  });
  app.get(QR_PATH, async (c) => {
    if (!device.power.isUp()) return down(c);
    if (!groups.has('wifi')) return c.body(null, 404);
    return c.body(await webUi.qrCode(), 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-cache' });
  });
  // §9.1: GET / answers 200 (the web UI); with --webui the stock folder's files, as the device serves them.
  app.get('*', (c, next) => {
    if (!device.power.isUp()) return down(c);
    const f = webUi.file(c.req.path);
    if (!f) return next();
    return c.body(f.body, 200, { 'Content-Type': f.type, 'Cache-Control': 'no-cache' });
  });

  app.notFound((c) => {
    // Any other path is a static file the device does not have: 404 like its web server. Only the API's own
    // paths count as unimplemented.
    if (!/^\/(goform|cgi-bin|reqproc)\//.test(c.req.path)) return c.body('Not Found', 404);
    unhandled(`${c.req.method} ${c.req.path}`);
    if (reporter.strict) return c.body(`[emulator:goform] ${c.req.method} ${c.req.path} is not implemented (onUnhandled 'error')`, 500);
    return c.body('Not Found', 404);
  });

  return { app, auth, fastRead };
}

// --- internal ---

/** The same response with its body sent in 10 chunks a second at `bytesPerSecond`. */
function slowBody(res: Response, bytesPerSecond: number): Response {
  const source = res.body;
  if (!source) return res;
  const chunk = Math.max(1, Math.floor(bytesPerSecond / 10));
  const reader = source.getReader();
  let pending = new Uint8Array(0);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (pending.length === 0) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        pending = value;
      }
      await new Promise((r) => setTimeout(r, 100));
      controller.enqueue(pending.slice(0, chunk));
      pending = pending.slice(chunk);
    },
  });
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  return new Response(stream, { status: res.status, headers });
}

interface ParsedQuery {
  text: string;
  cmd: string;
  multi: boolean;
  keys: string[];
  params: URLSearchParams;
  /** The parameters with secrets masked, computed once for the journal. */
  masked?: Record<string, string>;
  /** The last plain answer to this query and what it depended on. */
  last?: { version: number; second: number; variant: number; body: string; bytes: number; summary: string; nowMs: number };
}

/** A journal summary of an answer: its result code, or how many keys it carried. */
function summarize(body: string): string {
  const m = /^\{"result":"([^"]*)"/.exec(body);
  if (m) return `result=${m[1]}`;
  return body.length > 80 ? `${body.slice(0, 77)}...` : body;
}

interface ReadAnswer {
  body: string;
  bytes: number;
  /** The journal's summary of the answer, computed once per distinct answer. */
  summary: string;
}

function answer(body: string): ReadAnswer {
  return { body, bytes: Buffer.byteLength(body), summary: summarize(body) };
}

const KEY_SEPARATOR = /,|%2C/i;

function parsedQuery(params: URLSearchParams, text = ''): ParsedQuery {
  const cmd = params.get('cmd') ?? '';
  // §9.1: a double-encoded list arrives as a%2Cb after one decoding; split on the literal %2C too.
  return { text, cmd, multi: params.get('multi_data') === '1', keys: cmd.split(KEY_SEPARATOR).filter((k) => k !== ''), params };
}

/** The query string of a request URL, without the `_` cache-buster (§1.2: ignore it). */
function rawQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  let query = url.slice(q + 1);
  for (;;) {
    const at = query.startsWith('_=') ? 0 : query.indexOf('&_=');
    if (at < 0) return query;
    const end = query.indexOf('&', at + 1);
    query = at === 0 ? (end < 0 ? '' : query.slice(end + 1)) : query.slice(0, at) + (end < 0 ? '' : query.slice(end));
  }
}

/**
 * Parsed GET queries by their text: the web UI repeats the same status poll every second, so each distinct
 * query is parsed once. A few most recent queries are compared directly (cheaper than hashing a 1.5 KB
 * poll string); the rest sit in a bounded map that is cleared when full.
 */
const MAX_CACHED_QUERY_CHARS = 8192;

class QueryCache {
  #recent: ParsedQuery[] = [];
  #map = new Map<string, ParsedQuery>();

  get(query: string): ParsedQuery {
    for (const r of this.#recent) if (r.text === query) return r;
    // Polls are a few KiB; a longer query is parsed each time rather than kept (a bound on what the cache holds).
    if (query.length > MAX_CACHED_QUERY_CHARS) return parsedQuery(new URLSearchParams(query), '');
    let hit = this.#map.get(query);
    if (!hit) {
      if (this.#map.size >= 512) this.#map.clear();
      hit = parsedQuery(new URLSearchParams(query), query);
      this.#map.set(query, hit);
    }
    this.#recent.unshift(hit);
    if (this.#recent.length > 4) this.#recent.pop();
    return hit;
  }
}

/**
 * The form body, or null past `maxBytes`: refused from Content-Length, or while it streams (a chunked body is
 * never buffered past the limit).
 */
async function readForm(c: Context, maxBytes: number): Promise<URLSearchParams | null> {
  const len = Number(c.req.header('content-length') ?? '0');
  if (len > maxBytes) return null;
  const body = c.req.raw.body;
  if (!body) return new URLSearchParams();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function requester(c: Context<{ Bindings: Partial<HttpBindings> }>, cookieName: string | null): Requester {
  const incoming = c.env?.incoming;
  const ip = incoming?.socket.remoteAddress ?? '127.0.0.1';
  // Node's parsed headers when served over a socket; the Fetch headers otherwise (app.request in tests).
  const headers = incoming?.headers;
  const cookie = headers ? headers.cookie : c.req.header('cookie');
  const referer = headers ? headers.referer : c.req.header('referer');
  return requesterFrom(ip, cookie, referer !== undefined, cookieName);
}

function requesterFrom(ip: string, cookieHeader: string | undefined, hasReferer: boolean, cookieName: string | null): Requester {
  return { ip, sessionCookie: cookieName && cookieHeader ? cookieValue(cookieHeader, cookieName) : undefined, hasReferer };
}


const RAW_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** JSON text; with the §7.7 quirk, control characters are written raw instead of escaped. */
function encode(value: unknown, rawControlChars: boolean): string {
  const json = JSON.stringify(value);
  if (!rawControlChars) return json;
  return json.replace(/\\(\\|u00([01][0-9a-f])|([nrtbf]))/g, (m: string, _all: string, hex?: string, ch?: string) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (ch) return RAW_ESCAPES[ch]!;
    return m; // an escaped backslash stays escaped
  });
}

interface ProfileView {
  profile: DeviceProfile;
  groups: Set<string>;
  headers: Record<string, string>;
  /** Reused for every fast-path answer: writeHead copies the values at once. */
  fastHeaders: Record<string, string | number>;
  configJs: string;
}

function profileView(profile: DeviceProfile): ProfileView {
  const contentType = profile.quirks.textPlain ? 'text/plain; charset=utf-8' : 'application/json';
  const headers = { 'Content-Type': contentType, 'Cache-Control': 'no-cache', Pragma: 'no-cache' };
  const auth = profile.auth;
  const sha = { base64: '0', 'sha256-base64': '1', 'sha256-ld': '2' }[auth.passwordEncoding];
  // The web UI's config (goform-api.md §0, §1.1): clients fetch it to learn the password encoding and AD.
  const configJs = `define(function () {\n  var config = {\n    DEVICE_MODEL: "${profile.model}",\n    WEB_ATTR_IF_SUPPORT_SHA256: ${sha},\n    ACCESSIBLE_ID_SUPPORT: ${auth.ad !== 'none'},\n    PASSWORD_ENCODE: true,\n    LOGIN_SECURITY_SUPPORT: true,\n    MAX_LOGIN_COUNT: 5\n  };\n  return config;\n});\n`;
  return { profile, groups: new Set(profile.keyGroups), headers, fastHeaders: { ...headers, 'Content-Length': 0 }, configJs };
}
