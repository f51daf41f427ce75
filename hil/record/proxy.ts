import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { computeAd, cookieValue } from '../../emulator/http/codec.js';
import { browserRefusal, isLoopbackHost } from '../../emulator/net.js';
import { BenchError } from '../errors.js';
import { RECORDING_VERSION, SECRET, isSecretField, saveRecording, scrub, scrubPath, type GoformExchange, type HttpExchange, type Recording } from './recording.js';

// `routerlab proxy`: routerlab between the real app (or web UI) and a real router. Every request is forwarded to
// the device unchanged (cookies, Referer, AD) and recorded with its answer and timing, in the one recording format
// (recording.ts). Destructive writes are held back unless allowed. Safe next to a browser like the control API:
// loopback by default, Host checked, a token required off loopback.

/** Writes the proxy answers itself unless --allow-destructive: they end or replace what is being recorded. */
export const DESTRUCTIVE = new Set(['REBOOT_DEVICE', 'TURN_OFF_DEVICE', 'SHUTDOWN_DEVICE', 'RESTORE_FACTORY_SETTINGS']);
/** The same for ubus calls (ubus-api.md §6.16): a batch holding one is answered by the proxy, every call [6]. */
export const DESTRUCTIVE_UBUS = new Set(['zwrt_mc.device.manager.device_reboot', 'zwrt_mc.device.manager.device_poweroff', 'zwrt_mc.device.manager.device_reset', 'zwrt_mc.device.manager.fac_reset', 'zwrt_mc.device.manager.fac_reboot']);
const FAILURE = '{"result":"failure"}';
/** Bodies kept in the recording; larger ones are recorded by size and digest only. */
const MAX_RECORDED_BODY = 8 * 1024 * 1024;
/** Exchanges one recording keeps (about a day of an app polling every second); later ones are forwarded only. */
export const MAX_EXCHANGES = 100_000;
/** A request body the proxy holds to look at (goform writes are small; uploads stream through). */
const MAX_INSPECTED_BODY = 64 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);
const TOKEN_COOKIE = 'routerlab_proxy_token';
/** RDs kept to judge an AD: a client reads one right before its write, several clients may interleave. */
const RECENT_RDS = 16;

export interface ProxyOptions {
  /** The router's origin, e.g. http://192.168.0.1. */
  target: string;
  /** Recording folder: recording.json, webui/ (the static files the client fetched), exchanges.partial.jsonl. */
  out: string;
  host?: string | undefined;
  port?: number | undefined;
  /** Required off loopback: `Authorization: Bearer T`, or once `?routerlab_token=T` (then a cookie). */
  token?: string | undefined;
  /** Host names besides addresses and localhost that requests may name (like --control-allow-host). */
  allowHosts?: readonly string[] | undefined;
  allowDestructive?: boolean | undefined;
  /** One line per notable event (held-back writes, device errors). */
  log?: ((line: string) => void) | undefined;
  /** Wall clock (tests inject one). */
  now?: (() => number) | undefined;
  /** Exchanges a recording keeps (default MAX_EXCHANGES). */
  maxExchanges?: number | undefined;
}

export interface RecordingProxy {
  url: string;
  /** Exchanges recorded so far. */
  readonly count: number;
  /** Exchanges forwarded but not recorded once the recording was full (MAX_EXCHANGES). */
  readonly dropped: number;
  /** Stop listening and write recording.json (scrubbed); answers the recording. Idempotent. */
  close(): Promise<Recording>;
}

/** Checks the device answers goform, then listens. Rejects with one clear line when it does not. */
export async function startProxy(options: ProxyOptions): Promise<RecordingProxy> {
  let target: URL;
  try {
    target = new URL(options.target);
  } catch (e) {
    throw new BenchError('CONFIG_INVALID', `[proxy] "${options.target}" is not a URL; give the router as router:http://192.168.0.1`, { cause: e });
  }
  if (target.protocol !== 'http:') throw new BenchError('CONFIG_INVALID', `[proxy] ${target.origin}: only http:// routers are proxied`);
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.token) throw new BenchError('CONFIG_INVALID', `[proxy] listening on ${host} needs a token; give --token (the proxy forwards to your router)`);
  if (options.token !== undefined && options.token === '') throw new BenchError('CONFIG_INVALID', '[proxy] an empty --token would let anyone in; give a real one');
  const version = await probe(target);
  const now = options.now ?? Date.now;
  const started = now();
  const log = options.log ?? (() => undefined);
  mkdirSync(options.out, { recursive: true });
  const partial = join(options.out, 'exchanges.partial.jsonl');
  writeFileSync(partial, '');
  const exchanges: HttpExchange[] = [];
  const allowed = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));

  let dropped = 0;
  /** The RDs the device answered lately (newest first): a write's AD is right for one of them. */
  let rds: string[] = [];
  const record = (x: HttpExchange): void => {
    if (exchanges.length >= (options.maxExchanges ?? MAX_EXCHANGES)) {
      // Bounded: the proxy keeps forwarding; the recording says how many it left out.
      if (dropped++ === 0) log(`[proxy] the recording holds ${options.maxExchanges ?? MAX_EXCHANGES} exchanges; later ones are forwarded but not recorded (stop and start a new recording)`);
      return;
    }
    exchanges.push(x);
    // Kept as it happens, so a crash keeps what was recorded (scrubbed again when recording.json is written).
    appendFileSync(partial, `${JSON.stringify(scrub(single(x)).exchanges[0])}\n`);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      log(`[proxy] ${req.method ?? '?'} ${req.url ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = guard(req, { loopback, token: options.token, allowed });
    if (refusal) {
      res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${refusal.message}\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    if (options.token && url.searchParams.get('routerlab_token') === options.token) {
      // A browser presents the token once; the cookie carries it from then on (never forwarded).
      url.searchParams.delete('routerlab_token');
      res.writeHead(303, { location: url.pathname + url.search, 'set-cookie': `${TOKEN_COOKIE}=${options.token}; HttpOnly; SameSite=Strict; Path=/` });
      res.end();
      return;
    }
    const method = req.method ?? 'GET';
    const kind = classify(method, url.pathname, url.searchParams);
    const t0 = now();
    const base = { seq: exchanges.length + 1, wallTime: new Date(t0).toISOString(), relMs: t0 - started, method, path: scrubPath(url.pathname + url.search) };
    // goform writes and ubus batches are read whole (to see the goformId or the calls); everything else streams through.
    let body: Buffer | null = null;
    if (kind === 'goform-write' || kind === 'ubus') {
      body = await readBody(req, MAX_INSPECTED_BODY);
      if (body === null) {
        record({ ...base, kind, request: { bytes: 0 }, status: 0, response: { bytes: 0 }, error: 'client disconnected before sending its request' });
        return;
      }
    }
    const rpc = kind === 'ubus' && body ? ubusCalls(body) : null;
    const fields = kind === 'goform-read' ? Object.fromEntries(url.searchParams) : body && kind !== 'ubus' ? formFields(body) : undefined;
    const name = kind === 'goform-read' ? fields?.cmd : kind === 'goform-write' ? fields?.goformId : rpc ? rpc.names.join(',') : undefined;
    const request = { ...(fields ? { fields: masked(fields) } : {}), ...(rpc ? { json: rpc.masked } : {}), bytes: body?.length ?? Number(req.headers['content-length'] ?? 0), ...(body ? { sha256: digest(body) } : {}) };
    if (rpc && !options.allowDestructive && rpc.names.some((n) => DESTRUCTIVE_UBUS.has(n))) {
      const held = rpc.heldBack;
      log(`[proxy] held back ${rpc.names.filter((n) => DESTRUCTIVE_UBUS.has(n)).join(', ')} (destructive; --allow-destructive forwards it); answered [6] to the batch`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(held));
      record({ ...base, kind, ...(name ? { name } : {}), request, status: 200, response: { type: 'application/json', bytes: Buffer.byteLength(JSON.stringify(held)), json: held }, blocked: true });
      return;
    }
    if (kind === 'goform-write' && name && DESTRUCTIVE.has(name) && !options.allowDestructive) {
      log(`[proxy] held back ${name} (destructive; --allow-destructive forwards it); answered ${FAILURE}`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(FAILURE);
      record({ ...base, kind, name, request, status: 200, response: { type: 'text/html', bytes: FAILURE.length, json: { result: 'failure' } }, blocked: true });
      return;
    }
    const answer = await forward(target, req, res, body, url.pathname + url.search);
    if ('error' in answer) {
      log(`[proxy] ${method} ${url.pathname}: ${answer.error}`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`routerlab proxy: ${answer.error}\n`);
      }
      record({ ...base, kind, ...(name ? { name } : {}), request, status: 0, response: { bytes: 0 }, error: answer.error });
      return;
    }
    const { upstream, chunks, bytes } = answer;
    const type = String(upstream.headers['content-type'] ?? '');
    const responseBody = chunks ? Buffer.concat(chunks) : null;
    const response: HttpExchange['response'] = { ...(type ? { type } : {}), bytes, ...(responseBody ? { sha256: digest(responseBody) } : {}) };
    if (responseBody && (kind === 'goform-read' || kind === 'goform-write' || kind === 'ubus' || kind === 'file-share')) {
      const json = parseJson(responseBody);
      if (json !== undefined) response.json = json;
    }
    if (responseBody && kind === 'static' && method === 'GET' && upstream.statusCode === 200) {
      const file = staticFile(url.pathname);
      if (file) {
        const full = join(options.out, file);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, responseBody);
        response.file = file;
      }
    }
    const cut = res.destroyed && !res.writableFinished ? { error: 'client disconnected before the answer was delivered' } : {};
    const rd = (response.json as { RD?: unknown } | undefined)?.RD;
    if (kind === 'goform-read' && typeof rd === 'string' && rd !== '') rds = [rd, ...rds].slice(0, RECENT_RDS);
    const ad = kind === 'goform-write' && fields?.AD ? { ad: adVerdict(fields.AD, version.adBase ?? [], rds) } : {};
    record({ ...base, kind, ...(name ? { name } : {}), request, status: upstream.statusCode ?? 0, response, ...ad, ...cut });
  }

  /** Forwards one request and streams the answer to the client; keeps the body for the recording when small. */
  async function forward(device: URL, req: IncomingMessage, res: ServerResponse, body: Buffer | null, path: string): Promise<{ upstream: IncomingMessage; chunks: Buffer[] | null; bytes: number } | { error: string }> {
    // Writing to a client that went away is not an error of the proxy: the exchange records it.
    res.on('error', () => undefined);
    return new Promise((resolve) => {
      // One connection per request (agent: false): a kept-alive socket the router has closed meanwhile would fail a
      // request that a fresh connection serves.
      const upstreamReq = httpRequest({ host: device.hostname, port: device.port || 80, method: req.method, path, headers: forwardHeaders(req.headers, device), agent: false }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream.headers));
        let chunks: Buffer[] | null = [];
        let bytes = 0;
        upstream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (chunks && bytes <= MAX_RECORDED_BODY) chunks.push(chunk);
          else chunks = null;
          res.write(chunk);
        });
        upstream.on('end', () => {
          res.end();
          resolve({ upstream, chunks, bytes });
        });
        upstream.on('error', (e) => resolve({ error: `the device broke off its answer (${e.message})` }));
      });
      upstreamReq.on('error', (e: NodeJS.ErrnoException) => resolve({ error: `cannot reach ${device.origin} (${e.code ?? e.message})` }));
      // A client that goes away mid-request: the device's request is abandoned too.
      req.on('close', () => {
        if (!req.complete) {
          upstreamReq.destroy();
          resolve({ error: 'client disconnected mid-request' });
        }
      });
      if (body) upstreamReq.end(body);
      else req.pipe(upstreamReq);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new BenchError('CONFIG_INVALID', `[proxy] cannot listen on ${host}:${options.port ?? 8080} (${e.code ?? e.message}); pick another --port`, { cause: e })));
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const info = server.address() as AddressInfo;
  const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
  let closing: Promise<Recording> | null = null;
  return {
    url,
    get count() {
      return exchanges.length;
    },
    get dropped() {
      return dropped;
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // A ZWRT router that hides its identity before login: the client's own reads name it.
        const model = version.model || ubusIdentity(exchanges, 'model_name');
        const firmware = version.firmware || ubusIdentity(exchanges, 'wa_inner_version');
        const recording = scrub({
          _meta: { version: RECORDING_VERSION, kind: 'proxy', source: `routerlab proxy --target router:${target.origin}`, model, firmware, capturedAt: new Date(started).toISOString(), scrubbed: true },
          goform: exchanges.flatMap(readOf),
          at: [],
          exchanges,
        });
        saveRecording(options.out, recording);
        rmSync(partial, { force: true });
        return recording;
      })();
      return closing;
    },
  };
}

// --- the device ---

/**
 * The device must answer goform, or ubus when its goform URL is 404 (a ZWRT router, ubus-api.md §1): one clear line
 * for an unreachable host or something that is not a router.
 */
async function probe(target: URL): Promise<{ model: string; firmware: string; adBase?: string[] }> {
  const url = `${target.origin}/goform/goform_get_cmd_process?isTest=false&multi_data=1&cmd=wa_inner_version,wa_version,cr_version`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { referer: `${target.origin}/index.html` }, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    const inner = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = inner?.code ?? inner?.message ?? (e as Error).message;
    throw new BenchError('TRANSPORT_OPEN_FAILED', `[proxy] cannot reach ${target.origin} (${cause}); is the router on and this machine on its network?`, { cause: e });
  }
  const text = await res.text();
  if (res.status === 404) {
    const zwrt = await probeUbus(target);
    if (zwrt) return zwrt;
  }
  const json = parseJson(Buffer.from(text)) as Record<string, unknown> | undefined;
  if (res.status !== 200 || json === undefined || typeof json !== 'object' || json === null || !('wa_inner_version' in json)) {
    throw new BenchError('CONFIG_INVALID', `[proxy] ${target.origin} is not a ZTE router: /goform/goform_get_cmd_process answered ${res.status} ${(res.headers.get('content-type') ?? '').split(';')[0] || 'without a type'}, not the goform JSON`);
  }
  const text2 = (v: unknown): string => (typeof v === 'string' ? v : '');
  // The AD input, in both orders some firmware accept (§2.7).
  const inner = text2(json.wa_inner_version);
  const cr = text2(json.cr_version);
  return { model: inner, firmware: text2(json.wa_version), adBase: [inner + cr, cr + inner] };
}

/** `right` when `ad` is H(H(base) + RD) for an RD the device answered, MD5 or SHA256 (goform-api.md §2.7). */
function adVerdict(ad: string, bases: readonly string[], rds: readonly string[]): 'right' | 'wrong' {
  const given = ad.toLowerCase();
  for (const base of bases) {
    for (const rd of rds) {
      if (computeAd('md5', base, rd) === given || computeAd('sha256', base, rd).toLowerCase() === given) return 'right';
    }
  }
  return 'wrong';
}

/** A ZWRT router answers web_login_info to the zero session; its identity when the ACL lets anyone read it. */
async function probeUbus(target: URL): Promise<{ model: string; firmware: string } | null> {
  const call = (object: string, method: string, args: Record<string, unknown>): string => JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'call', params: ['00000000000000000000000000000000', object, method, args] }]);
  const post = async (body: string): Promise<unknown> => {
    const res = await fetch(`${target.origin}/ubus/?t=${Date.now()}`, { method: 'POST', headers: { referer: `${target.origin}/`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
    return res.status === 200 ? parseJson(Buffer.from(await res.text())) : undefined;
  };
  const info = (await post(call('zwrt_web', 'web_login_info', {}))) as { result?: [number, Record<string, unknown>?] }[] | undefined;
  if (!Array.isArray(info) || info[0]?.result?.[0] !== 0 || typeof info[0].result[1]?.zte_web_sault !== 'string') return null;
  const common = (await post(call('uci', 'get', { config: 'zwrt_common_info', section: 'common_config' }))) as { result?: [number, { values?: Record<string, string> }?] }[] | undefined;
  const values = Array.isArray(common) ? (common[0]?.result?.[1]?.values ?? {}) : {};
  return { model: values.model_name ?? '', firmware: values.wa_inner_version ?? '' };
}

/** A value the client read from a ZWRT router (uci zwrt_common_info, device_info) anywhere in the recorded answers. */
function ubusIdentity(exchanges: readonly HttpExchange[], key: string): string {
  const find = (v: unknown): string => {
    if (Array.isArray(v)) {
      for (const x of v) {
        const f = find(x);
        if (f) return f;
      }
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === key && typeof x === 'string' && x !== '') return x;
        const f = find(x);
        if (f) return f;
      }
    }
    return '';
  };
  for (const x of exchanges) if (x.kind === 'ubus') {
    const f = find(x.response.json);
    if (f) return f;
  }
  return '';
}

/**
 * The calls of a ubus body: their names, the body as recorded (session ids as "<session>", secret arguments
 * masked), and the answer the proxy gives when it holds a destructive batch back ([6] PERMISSION_DENIED each).
 */
function ubusCalls(body: Buffer): { names: string[]; masked: unknown; heldBack: unknown } {
  const parsed = parseJson(body);
  const elements = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  const names: string[] = [];
  const masked = elements.map((el) => {
    if (el === null || typeof el !== 'object' || Array.isArray(el)) return el;
    const e = el as { params?: unknown };
    if (!Array.isArray(e.params)) return el;
    const [sid, object, method, args] = e.params as unknown[];
    if (typeof object === 'string' && typeof method === 'string') names.push(`${object}.${method}`);
    const sidText = sid === '00000000000000000000000000000000' ? sid : typeof sid === 'string' ? '<session>' : sid;
    return { ...e, params: [sidText, object, method, maskDeep(args)] };
  });
  const heldBack = elements.map((el) => ({ jsonrpc: '2.0', id: (el as { id?: unknown } | null)?.id ?? null, result: [6] }));
  return { names, masked: Array.isArray(parsed) ? masked : masked[0], heldBack: Array.isArray(parsed) ? heldBack : heldBack[0] };
}

function maskDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && v !== '' && isSecretField(k) ? SECRET : maskDeep(v)]));
  return value;
}

function classify(method: string, path: string, query: URLSearchParams): HttpExchange['kind'] {
  if ((path === '/ubus' || path === '/ubus/') && method === 'POST') return 'ubus';
  if (path === '/goform/goform_get_cmd_process') return 'goform-read';
  if (path === '/goform/goform_set_cmd_process') return method === 'POST' || query.has('goformId') ? 'goform-write' : 'other';
  if (/^\/(cgi-bin\/httpshare|goform\/HTTPSHARE)/i.test(path)) return 'file-share';
  if (/^\/(goform|cgi-bin|reqproc)\//.test(path)) return 'other';
  return method === 'GET' || method === 'HEAD' ? 'static' : 'other';
}

/** A goform read of the recording as `record` writes it, so serve --from, import and fidelity use it alike. */
function readOf(x: HttpExchange): GoformExchange[] {
  if (x.kind !== 'goform-read' || x.status !== 200 || x.response.json === undefined || typeof x.response.json !== 'object' || x.response.json === null) return [];
  const f = x.request.fields ?? {};
  const extra = Object.fromEntries(Object.entries(f).filter(([k]) => !['cmd', 'multi_data', 'isTest', '_'].includes(k)));
  return [{ cmd: f.cmd ?? '', multi: f.multi_data === '1', extra, response: x.response.json as Record<string, unknown> }];
}

function single(x: HttpExchange): Recording {
  return { _meta: { version: RECORDING_VERSION, kind: 'proxy', source: '', model: '', firmware: '', capturedAt: '', scrubbed: true }, goform: readOf(x), at: [], exchanges: [x] };
}

// --- requests ---

/** The control API's browser rules (emulator/net.ts), then the token off loopback. */
function guard(req: IncomingMessage, o: { loopback: boolean; token: string | undefined; allowed: Set<string> }): { status: number; message: string } | null {
  const hostHeader = req.headers.host ?? '';
  const origin = req.headers.origin;
  const refused = browserRefusal(hostHeader, origin, req.headers['sec-fetch-site'], o.allowed);
  if (refused === 'host') return { status: 403, message: `routerlab proxy: Host "${hostHeader}" is not this proxy's; use its address or --allow-host` };
  if (refused === 'origin') return { status: 403, message: `routerlab proxy: cross-origin requests are refused (Origin ${origin ?? ''})` };
  if (refused === 'cross-site') return { status: 403, message: 'routerlab proxy: cross-site requests are refused' };
  if (!o.loopback || o.token) {
    const bearer = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = cookieValue(req.headers.cookie ?? '', TOKEN_COOKIE);
    const query = new URL(req.url ?? '/', 'http://proxy.invalid').searchParams.get('routerlab_token');
    if (o.token && bearer !== o.token && cookie !== o.token && query !== o.token) return { status: 401, message: 'routerlab proxy: give the proxy token once as ?routerlab_token=...' };
  }
  return null;
}

function forwardHeaders(headers: IncomingHttpHeaders, device: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === 'host') continue;
    if (k === 'cookie') {
      const kept = String(v).split(/;\s*/).filter((c) => !c.startsWith(`${TOKEN_COOKIE}=`)).join('; ');
      if (kept) out.cookie = kept;
      continue;
    }
    if (k === 'authorization' && /^bearer\s/i.test(String(v))) continue;
    out[k] = v;
  }
  out.host = device.host;
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

function formFields(body: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body.toString('latin1')));
}

function masked(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, isSecretField(k) && v !== '' ? SECRET : v]));
}

/** The recording folder's place for a static file (webui/...), or null for a path that would leave it. */
function staticFile(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not decodable: not kept as a file (the exchange is still recorded).
    return null;
  }
  const rel = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^\/+/, '');
  if (rel.startsWith('..') || rel.includes('\0') || rel === '') return null;
  return join('webui', rel.endsWith('/') ? `${rel}index.html` : rel);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    // Firmware writes raw control characters inside JSON strings (goform-api.md §5.1): try once without them.
    try {
      // eslint-disable-next-line no-control-regex -- the control characters are what is being removed
      return JSON.parse(body.toString('utf8').replace(/[\u0000-\u001f]/g, ' ')) as unknown;
    } catch {
      return undefined;
    }
  }
}

function digest(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

