import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Device } from '../state/device.js';
import { Auth, type Requester } from './auth.js';
import { CARD_ROOT, ShareError, type FileShare } from './file-share.js';
import { aggregates, PLAIN_KEYS, type AggregateContext } from './keys/index.js';
import { BadField, SET_HANDLERS, type SetContext } from './set/index.js';

/** What to do with a goformId or path the emulator does not implement (STYLE.md 7.4.6). */
export type UnhandledPolicy = 'warn' | 'silent' | ((what: string) => void);

export interface GoformAppOptions {
  device: Device;
  share: FileShare | null;
  /** Default 'warn': answer like the firmware and log once per name to stderr. */
  onUnhandled?: UnhandledPolicy;
  /** Largest goform request body, bytes. Default 64 KiB. */
  maxBodyBytes?: number;
}

export interface GoformApp {
  app: Hono<{ Bindings: Partial<HttpBindings> }>;
  auth: Auth;
}

const FAILURE_JSON = '{"result":"failure"}';

/** The device surface: goform_get_cmd_process, goform_set_cmd_process and the file-share transfer routes. */
export function createGoformApp(options: GoformAppOptions): GoformApp {
  const { device, share } = options;
  const auth = new Auth(device);
  const quirks = device.profile.quirks;
  const groups = new Set(device.profile.keyGroups);
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const warned = new Set<string>();
  const unhandled = (what: string): void => {
    const policy = options.onUnhandled ?? 'warn';
    if (typeof policy === 'function') policy(what);
    else if (policy === 'warn' && !warned.has(what)) {
      warned.add(what);
      process.stderr.write(`[emulator:goform] not implemented: ${what}; answered like the firmware\n`);
    }
  };
  const contentType = quirks.textPlain ? 'text/plain; charset=utf-8' : 'application/json';
  const headers = { 'Content-Type': contentType, 'Cache-Control': 'no-cache', Pragma: 'no-cache' };
  const send = (c: Context, body: string, extra?: Record<string, string>): Response =>
    c.body(body, 200, extra ? { ...headers, ...extra } : headers);

  // Plain-key answers are cached per (login, multi, cmd) until the device state changes.
  let cacheVersion = -1;
  const cache = new Map<string, string>();

  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();

  app.onError((err, c) => {
    // The one place errors become output on this surface: the firmware's failure shape, never a stack trace.
    process.stderr.write(`[emulator:goform] ${c.req.method} ${c.req.path} failed: ${err.message}\n`);
    return send(c, FAILURE_JSON);
  });

  app.use(async function deviceUp(c, next) {
    if (device.isUp()) return next();
    // A rebooting router does not answer: drop the connection like the real one (§4.1 REBOOT_DEVICE).
    c.env?.incoming?.socket.destroy();
    return c.body(null, 503);
  });

  const read = async (c: Context<{ Bindings: Partial<HttpBindings> }>): Promise<Response> => {
    const params = new URL(c.req.url).searchParams;
    if (c.req.method === 'POST') {
      const form = await readForm(c, maxBody);
      if (!form) return send(c, FAILURE_JSON);
      for (const [k, v] of form) if (!params.has(k)) params.set(k, v);
    }
    const cmd = params.get('cmd') ?? '';
    const multi = params.get('multi_data') === '1';
    const req = requester(c, auth.cookieName);
    const loggedIn = auth.isLoggedIn(req);
    const ctx: AggregateContext = {
      device,
      state: device.state,
      nowMs: device.now(),
      auth,
      req,
      loggedIn,
      multi,
      share,
      param: (name) => params.get(name) ?? undefined,
    };
    const keys = cmd.split(',').filter((k) => k !== '');
    if (keys.length === 0) return send(c, '{}');
    if (keys.length === 1 && !multi) {
      const agg = aggregates[keys[0]!];
      if (agg) {
        if (!groups.has(agg.group)) unhandled(`cmd=${keys[0]}`);
        const allowed = groups.has(agg.group) && (agg.public || loggedIn);
        const value = allowed ? agg.read(ctx) : { [keys[0]!]: '' };
        return send(c, encode(value, quirks.rawControlCharsInSms));
      }
    }
    if (device.version !== cacheVersion) {
      cache.clear();
      cacheVersion = device.version;
    }
    const cacheKey = `${loggedIn ? 1 : 0}${multi ? 1 : 0}${cmd}`;
    const hit = cache.get(cacheKey);
    if (hit !== undefined) return send(c, hit);
    let cacheable = true;
    const out: Record<string, string> = {};
    for (const key of keys) {
      const def = PLAIN_KEYS.get(key);
      // §1.5 / §7.4: unknown, unsupported and not-yet-readable keys all answer "".
      if (!def || !groups.has(def.group) || !(def.public || loggedIn)) {
        out[key] = '';
        continue;
      }
      if (def.perRequester) cacheable = false;
      out[key] = def.read(ctx);
    }
    const body = JSON.stringify(out);
    if (cacheable) {
      if (cache.size > 256) cache.clear();
      cache.set(cacheKey, body);
    }
    return send(c, body);
  };

  app.get('/goform/goform_get_cmd_process', read);
  app.post('/goform/goform_get_cmd_process', read);

  app.post('/goform/goform_set_cmd_process', async (c) => {
    const form = await readForm(c, maxBody);
    if (!form) return send(c, FAILURE_JSON);
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of new URL(c.req.url).searchParams) fields[k] = v;
    for (const [k, v] of form) fields[k] = v;
    const goformId = fields.goformId ?? '';
    const def = SET_HANDLERS.get(goformId);
    if (!def) {
      unhandled(`goformId=${goformId}`);
      return send(c, FAILURE_JSON);
    }
    const req = requester(c, auth.cookieName);
    if (def.login !== false && !auth.isLoggedIn(req)) return send(c, FAILURE_JSON);
    // §1.6: a wrong and a missing AD give the same failure.
    if (def.ad !== false && !auth.checkAd(req, fields.AD)) return send(c, FAILURE_JSON);
    if (quirks.requireReferer && !req.hasReferer) return send(c, FAILURE_JSON);
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
      return send(c, JSON.stringify(result), extra);
    } catch (e) {
      if (e instanceof BadField || e instanceof ShareError) return send(c, JSON.stringify({ result: e.result }));
      throw e;
    }
  });

  // File sharing transfers (§3.10/§4.8 HTTP share). The firmware's own upload path is not documented in the
  // reference; these routes are the emulator's, documented in the README.
  app.post(
    '/cgi-bin/httpshare/upload',
    bodyLimit({
      maxSize: Math.max(device.state.share.quotaBytes, 1) + 64 * 1024,
      onError: (c) => send(c, JSON.stringify({ result: 'quota' })),
    }),
    async (c) => {
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

  app.notFound((c) => {
    unhandled(`${c.req.method} ${c.req.path}`);
    return c.body('Not Found', 404);
  });

  return { app, auth };
}

// --- internal ---

async function readForm(c: Context, maxBytes: number): Promise<URLSearchParams | null> {
  const len = Number(c.req.header('content-length') ?? '0');
  if (len > maxBytes) return null;
  const text = await c.req.text();
  if (text.length > maxBytes) return null;
  return new URLSearchParams(text);
}

function requester(c: Context<{ Bindings: Partial<HttpBindings> }>, cookieName: string | null): Requester {
  const ip = c.env?.incoming?.socket.remoteAddress ?? '127.0.0.1';
  const cookies: Record<string, string> = {};
  if (cookieName) {
    const header = c.req.header('cookie');
    if (header) {
      for (const part of header.split(';')) {
        const eq = part.indexOf('=');
        if (eq < 0) continue;
        // §2.6: cookie values are quoted on the wire (stok="...").
        cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
    }
  }
  return { ip, cookies, hasReferer: c.req.header('referer') !== undefined };
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
