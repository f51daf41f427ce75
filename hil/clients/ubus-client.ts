import { constants, createCipheriv, createDecipheriv, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BenchError } from '../errors.js';

// The ubus SDK: a client for ZWRT routers (G5TS, G5TC, G5 Ultra, MC7510, U60 Pro) speaking JSON-RPC to /ubus
// (ubus-api.md). Logs in with the salted double SHA-256, renews an expired session once, batches calls as the stock
// UI does, and does the RSA/AES-GCM field encryption of §5 when asked. Used by the router driver and the scenario
// steps; usable on its own.

export const ZERO_SID = '00000000000000000000000000000000';

/** One call: object, method, arguments (`{}` when none). */
export type UbusCall = readonly [object: string, method: string, args?: Record<string, unknown>];

/** What one call answered: a ubus status with its data, or a JSON-RPC error. */
export type UbusResult = { status: number; data: Record<string, unknown> } | { error: { code: number; message: string } };

/**
 * The stock UI's kind of one-second status batch, as the public Home Assistant client (client A of ubus-api.md §7)
 * sends it, plus the thermal read of B, C and G: router status, radio, counters, client count, Wi-Fi, temperature.
 */
export const ZWRT_STATUS_POLL: readonly UbusCall[] = [
  ['zwrt_router.api', 'router_get_status', {}],
  ['zte_nwinfo_api', 'nwinfo_get_netinfo', {}],
  ['zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 4 }],
  ['zwrt_router.api', 'router_get_user_list_num', {}],
  ['zwrt_wlan', 'report', {}],
  ['zwrt_bsp.thermal', 'get_cpu_temp', {}],
];

export interface UbusClientOptions {
  /** Router base URL, e.g. http://192.168.0.1 or https://192.168.0.1 (self-signed certificates are accepted). */
  baseUrl: string;
  /** Web login password. */
  password: string;
  /** Run the §5 key exchange after login, so encrypted fields can be sent and read. Default false. */
  encryption?: boolean;
  /** Per-request timeout, ms. Default 10000. */
  timeoutMs?: number;
  /**
   * `object.method` names this client refuses to send (INVALID_ARGUMENT), e.g. reboot and factory reset on a bench
   * router whose target does not allow destructive operations.
   */
  refuse?: readonly string[];
  /**
   * The session holder; clients given the same holder share one session, as the tabs of one browser do (a new
   * login takes the session over on ZWRT firmware, §4.7). Default: the client's own.
   */
  session?: { sid: string };
  /** fetch to use instead of node:http(s) (load tests record every request through their own). */
  fetch?: typeof fetch;
  /** Z-Mode header on calls made with a session (§2.2: "1" keeps the session alive on ZTE firmware). Default "1". */
  zMode?: '0' | '1';
}

export class UbusClient {
  readonly options: UbusClientOptions;
  readonly #session: { sid: string };
  #id = 1;
  #aesKey: Buffer | null = null;
  #cookie: string | null = null;

  constructor(options: UbusClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new BenchError('INVALID_ARGUMENT', `[hil:ubus] baseUrl must be http(s)://..., got ${options.baseUrl}`);
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.#session = options.session ?? { sid: ZERO_SID };
  }

  /** The session id after login; the zero session before. */
  get sid(): string {
    return this.#session.sid;
  }

  get loggedIn(): boolean {
    return this.#session.sid !== ZERO_SID;
  }

  /**
   * web_login_info then web_login (§4.2-§4.4). Throws HTTP_AUTH_FAILED with `details.result` 1 (wrong password),
   * 2 (locked; `details.lockSeconds`) or 3 (another user holds the session).
   */
  async login(): Promise<void> {
    const data = await this.tryLogin();
    const result = Number(data.result);
    if (result !== 0) {
      const meaning = { 1: 'wrong password', 2: 'login locked', 3: 'another user is logged in' }[result] ?? `result ${String(data.result)}`;
      throw new BenchError('HTTP_AUTH_FAILED', `[hil:ubus] login refused: ${meaning}`, { details: { result, lockSeconds: data.login_fail_lock_lefttime, attemptsLeft: data.login_fail_num } });
    }
  }

  /**
   * One login attempt with `password` (default: the client's own), salted as the firmware wants it (ubus-api.md §4);
   * answers web_login's data (`result` 0 success, 1 wrong password, 2 locked, 3 taken) without throwing, and holds
   * the session when it succeeded. A replay uses it to repeat a recorded failed login with a wrong password.
   */
  async tryLogin(password: string = this.options.password): Promise<Record<string, unknown>> {
    const [info] = await this.#post([['zwrt_web', 'web_login_info', {}]], ZERO_SID);
    const salt = ok(info!, 'zwrt_web.web_login_info').zte_web_sault;
    if (typeof salt !== 'string') throw new BenchError('HTTP_STATUS', '[hil:ubus] web_login_info has no zte_web_sault; is this a ZWRT router?');
    const [answer] = await this.#post([['zwrt_web', 'web_login', { password: sha256Upper(sha256Upper(password) + salt) }]], ZERO_SID);
    const data = ok(answer!, 'zwrt_web.web_login');
    if (Number(data.result) !== 0 || typeof data.ubus_rpc_session !== 'string') return { ...data, result: Number(data.result) === 0 ? -1 : data.result };
    this.#session.sid = data.ubus_rpc_session;
    this.#aesKey = null;
    if (this.options.encryption) await this.keyExchange();
    return data;
  }

  /** §5.1: fetch the router's RSA key and send it a fresh AES-256 key. */
  async keyExchange(): Promise<void> {
    const pem = (await this.call('zwrt_web', 'web_crt_get')).result;
    if (typeof pem !== 'string' || !pem.includes('PUBLIC KEY')) throw new BenchError('HTTP_STATUS', '[hil:ubus] web_crt_get answered no public key');
    const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
    const wrapped = `-----BEGIN PUBLIC KEY-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const key = randomBytes(32);
    const blob = publicEncrypt({ key: wrapped, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(key.toString('hex'), 'latin1'));
    await this.call('zwrt_web', 'web_http_enstr_set', { web_enstr: blob.toString('base64') });
    this.#aesKey = key;
  }

  async logout(): Promise<void> {
    if (!this.loggedIn) return;
    await this.batch([['zwrt_web', 'web_logout', {}]]);
    this.#session.sid = ZERO_SID;
    this.#aesKey = null;
  }

  /**
   * One call; its data when it answered [0], else throws HTTP_STATUS with `details.status` (ubus status) or
   * `details.code` (JSON-RPC error). An expired session (-32002) is renewed by logging in again, once.
   */
  async call(object: string, method: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const [answer] = await this.batch([[object, method, args]]);
    return ok(answer!, `${object}.${method}`);
  }

  /** Calls in one batch, answered in order (§2.6). Renews an expired session once when any call got -32002. */
  async batch(calls: readonly UbusCall[]): Promise<UbusResult[]> {
    for (const [object, method] of calls) {
      if (this.options.refuse?.includes(`${object}.${method}`)) {
        throw new BenchError('INVALID_ARGUMENT', `[hil:ubus] ${object}.${method} refused on ${this.options.baseUrl}: destructive on hardware; set allowDestructive in the target config to allow it`);
      }
    }
    const sid = this.#session.sid;
    const first = await this.#post(calls, sid);
    if (sid === ZERO_SID || !first.some((a) => 'error' in a && a.error.code === -32002)) return first;
    // Another client sharing the holder may have logged in meanwhile; else log in again, once.
    if (this.#session.sid === sid) await this.login();
    return this.#post(calls, this.#session.sid);
  }

  /** ENC(x) of §5.2 under the session key; the plain value when no key was exchanged. */
  enc(plain: string): string {
    if (!this.#aesKey) return plain;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#aesKey, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  /** DEC(x) of §5.2 (the stock UI's f()): "" for an empty value, a short blob or a tag mismatch; `text` without a key. */
  dec(text: string): string {
    if (!this.#aesKey) return text;
    const blob = Buffer.from(text, 'base64');
    if (blob.length <= 28) return '';
    const d = createDecipheriv('aes-256-gcm', this.#aesKey, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(12, 28));
    try {
      return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
    } catch (e) {
      // §5.2: a tag mismatch decodes to "" in the stock UI; recorded into the value the same way.
      void e;
      return '';
    }
  }

  async #post(calls: readonly UbusCall[], sid: string): Promise<UbusResult[]> {
    const body = JSON.stringify(calls.map(([object, method, args]) => ({ jsonrpc: '2.0', id: this.#id++, method: 'call', params: [sid, object, method, args ?? {}] })));
    const url = `${this.options.baseUrl}/ubus/?t=${Date.now()}`;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/javascript, */*; q=0.01',
      'X-Requested-With': 'XMLHttpRequest',
      Referer: `${this.options.baseUrl}/`,
      'Z-Mode': sid === ZERO_SID ? '0' : (this.options.zMode ?? '1'),
      // §2.2: the method of the first call, or the UCI config for uci calls.
      'Z-Tag': calls[0]?.[0] === 'uci' && typeof calls[0][2]?.config === 'string' ? calls[0][2].config : (calls[0]?.[1] ?? ''),
    };
    if (this.#cookie) headers.Cookie = this.#cookie;
    const { status, text, setCookie } = this.options.fetch ? await viaFetch(this.options.fetch, url, body, headers) : await send(url, body, headers, this.options.timeoutMs ?? 10_000);
    const token = setCookie.map((c) => /^webtoken=([^;]*)/.exec(c)?.[1]).find((v) => v !== undefined);
    if (token !== undefined) this.#cookie = `webtoken="${token}"`;
    if (status !== 200) throw new BenchError('HTTP_STATUS', `[hil:ubus] POST /ubus/ answered HTTP ${status}${status === 307 ? ' (the router wants a Referer)' : status === 404 ? ' (no ubus endpoint: a goform router?)' : ''}`, { details: { status } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new BenchError('HTTP_STATUS', `[hil:ubus] /ubus/ answered something that is not JSON: ${text.slice(0, 60)}`, { cause: e });
    }
    if (!Array.isArray(parsed)) {
      const err = (parsed as { error?: { code: number; message: string } }).error;
      throw new BenchError('HTTP_STATUS', `[hil:ubus] /ubus/ refused the whole batch: ${err ? `${err.code} ${err.message}` : text.slice(0, 60)}`, { details: { code: err?.code } });
    }
    return (parsed as { result?: unknown[]; error?: { code: number; message: string } }[]).map((a) =>
      a.error ? { error: a.error } : { status: Number(a.result?.[0] ?? -1), data: (a.result?.[1] as Record<string, unknown> | undefined) ?? {} },
    );
  }
}

// --- internal ---

function ok(answer: UbusResult, name: string): Record<string, unknown> {
  if ('error' in answer) throw new BenchError('HTTP_STATUS', `[hil:ubus] ${name} answered JSON-RPC error ${answer.error.code} ${answer.error.message}`, { details: { code: answer.error.code } });
  if (answer.status !== 0) throw new BenchError('HTTP_STATUS', `[hil:ubus] ${name} answered ubus status ${answer.status}`, { details: { status: answer.status } });
  return answer.data;
}

function sha256Upper(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}

async function viaFetch(f: typeof fetch, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; setCookie: string[] }> {
  let res: Response;
  try {
    res = await f(url, { method: 'POST', headers, body });
  } catch (e) {
    throw new BenchError('TRANSPORT_OPEN_FAILED', `[hil:ubus] cannot reach ${new URL(url).host} (${e instanceof Error ? e.message : String(e)}); is the router up?`, { cause: e });
  }
  return { status: res.status, text: await res.text(), setCookie: res.headers.getSetCookie() };
}

function send(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; text: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    // ZWRT certificates are self-signed (§2.5: every https client turns verification off).
    const req = request(u, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, timeout: timeoutMs, ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), setCookie: res.headers['set-cookie'] ?? [] }));
      res.on('error', (e) => reject(new BenchError('HTTP_STATUS', `[hil:ubus] ${u.host}: the answer broke off (${e.message})`, { cause: e })));
    });
    req.on('timeout', () => req.destroy(new BenchError('TRANSPORT_TIMEOUT', `[hil:ubus] ${u.host} did not answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof BenchError ? e : new BenchError('TRANSPORT_OPEN_FAILED', `[hil:ubus] cannot reach ${u.host} (${e.message}); is the router up?`, { cause: e })));
    req.end(body);
  });
}
