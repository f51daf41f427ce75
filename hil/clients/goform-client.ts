import { createHash } from 'node:crypto';
// Protocol codecs are shared with the emulator on purpose: docs/decisions/shared-codecs.md.
import { computeAd, decodeUcs2Hex, encodeUcs2Hex } from '../../emulator/http/codec.js';
import { BenchError } from '../errors.js';
import { KEY_GROUPS, type GoformId, type GoformWrites, type GroupValues, type KeyGroupName } from './goform-types.js';

// The goform SDK: a typed client for ZTE-style routers (goform-api.md), used by the router driver and usable
// on its own by app and SDK teams. It detects the login generation, handles LD/RD/AD, renews the session,
// and speaks the sms_cmd polling protocol.

export type PasswordEncoding = 'base64' | 'sha256-base64' | 'sha256-ld';
export type AdKind = 'none' | 'md5' | 'sha256';

export interface GoformClientOptions {
  /** Router base URL, e.g. http://192.168.0.1 (any http(s) URL). */
  baseUrl: string;
  /** Web login password. */
  password: string;
  /** The account on multi-user firmware (MF286R, MF266): logs in with LOGIN_MULTI_USER (goform-api.md §2.3). */
  user?: string;
  /**
   * The session cookie holder; clients given the same holder share one session, as the tabs and requests of one
   * browser do (single-session firmware ends the previous session at every login, §2.6). Default: the client's own.
   */
  session?: { cookie: string | null };
  /** Force the password encoding instead of detecting it from /js/config/config.js and LD. */
  passwordEncoding?: PasswordEncoding;
  /** Force the AD kind instead of detecting it (config ACCESSIBLE_ID_SUPPORT + model). */
  ad?: AdKind;
  /** Per-request timeout, ms. Default 10000. */
  timeoutMs?: number;
  /** Poll interval for asynchronous actions (sms_cmd, ppp_status), ms. Default 250. */
  pollIntervalMs?: number;
  /** Poll give-up time for asynchronous actions, ms. Default 20000. */
  pollTimeoutMs?: number;
  /** fetch to use (tests may inject one). Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** How a write carries its AD (§2.7): computed from a fresh RD (the default), a wrong one, or none at all. */
export interface WriteOptions {
  ad?: 'computed' | 'wrong' | 'omitted';
}

export interface Generation {
  passwordEncoding: PasswordEncoding;
  ad: AdKind;
  /** wa_inner_version + cr_version: the AD input (rd0 + rd1). */
  adBase: string;
}

export interface SmsRecord {
  id: number;
  number: string;
  text: string;
  /** 0 read, 1 unread, 2 sent, 3 send failed, 4 draft. */
  tag: number;
  date: string;
}

/** LOGIN results (goform-api.md §2.4) that are not success, as error details. */
const LOGIN_MEANING: Record<string, string> = { '1': 'login failed', '2': 'another user is logged in', '3': 'wrong password', failure: 'missing parameters' };

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex').toUpperCase();

export class GoformClient {
  readonly baseUrl: string;
  #options: GoformClientOptions;
  #fetch: typeof fetch;
  readonly #session: { cookie: string | null };
  #generation: Generation | null = null;

  constructor(options: GoformClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `[hil:goform] "${options.baseUrl}" is not a URL; give e.g. http://192.168.0.1`, { cause: e });
    }
    this.baseUrl = url.origin;
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#session = options.session ?? { cookie: null };
  }

  /** True when this client (or another sharing its session holder) holds a session cookie. */
  get hasSession(): boolean {
    return this.#session.cookie !== null;
  }

  /** The detected (or forced) login generation; detects on first use. */
  async generation(): Promise<Generation> {
    if (this.#generation) return this.#generation;
    const versions = await this.get(['wa_inner_version', 'cr_version']);
    const inner = versions.wa_inner_version ?? '';
    const config = await this.#text('/js/config/config.js').catch((e: unknown) => {
      // No config.js (older firmware): detection falls back to LD below; the error is kept as the reason.
      if (e instanceof BenchError) return '';
      throw e;
    });
    const shaLevel = /WEB_ATTR_IF_SUPPORT_SHA256\s*:\s*"?(\d)/.exec(config)?.[1];
    let encoding: PasswordEncoding | undefined = this.#options.passwordEncoding;
    if (!encoding && shaLevel) encoding = shaLevel === '2' ? 'sha256-ld' : shaLevel === '1' ? 'sha256-base64' : 'base64';
    if (!encoding) {
      // §0: one MC801A read the config back empty; clients then decide from the presence of LD.
      const ld = (await this.get(['LD'], false)).LD ?? '';
      encoding = ld ? 'sha256-ld' : 'base64';
    }
    const adSupport = /ACCESSIBLE_ID_SUPPORT\s*:\s*(true|false)/.exec(config)?.[1];
    // §2.7: MC888/MC889, MF297D and MF935 use SHA256 AD; the others MD5.
    const ad: AdKind = this.#options.ad ?? (adSupport === 'false' ? 'none' : /MC88[89]|MF297D|MF935/.test(inner) ? 'sha256' : 'md5');
    this.#generation = { passwordEncoding: encoding, ad, adBase: inner + (versions.cr_version ?? '') };
    return this.#generation;
  }

  /** Logs in; throws HTTP_AUTH_FAILED with the firmware's result code and, when locked, the seconds left. */
  async login(): Promise<void> {
    const result = await this.tryLogin();
    if (result === '0' || result === '4') return;
    const lock = await this.get(['psw_fail_num_str', 'login_lock_time'], false);
    throw new BenchError('HTTP_AUTH_FAILED', `[hil:goform] login refused: ${LOGIN_MEANING[result] ?? `result ${result}`}; ${lock.psw_fail_num_str ?? '?'} attempts left, lock ${lock.login_lock_time ?? '?'} s`, {
      details: { result, attemptsLeft: lock.psw_fail_num_str, lockSeconds: lock.login_lock_time },
    });
  }

  /**
   * One login attempt, encoded as this device's generation wants it, with `password` (default: the client's own);
   * answers the firmware's result ("0" success, "3" wrong password, "4" already logged in... §2.4) without throwing.
   * A replay uses it to repeat a recorded failed login with a wrong password.
   */
  async tryLogin(password: string = this.#options.password): Promise<string> {
    const g = await this.generation();
    let encoded: string;
    if (password === '') encoded = '';
    else if (g.passwordEncoding === 'base64') encoded = Buffer.from(password, 'utf8').toString('base64');
    else if (g.passwordEncoding === 'sha256-base64') encoded = sha256(Buffer.from(password, 'utf8').toString('base64'));
    else encoded = sha256(sha256(password) + ((await this.get(['LD'], false)).LD ?? '').toUpperCase());
    const user = this.#options.user;
    const res = await this.#post(user === undefined ? { goformId: 'LOGIN', isTest: 'false', password: encoded } : { goformId: 'LOGIN_MULTI_USER', isTest: 'false', user, password: encoded });
    return String(res.result);
  }

  /** Ends the session; a session another client already took over (single-user firmware) counts as ended. */
  async logout(): Promise<void> {
    try {
      await this.set('LOGOUT', {}, false);
    } catch (e) {
      if (!(e instanceof BenchError) || e.code !== 'HTTP_STATUS' || (await this.#loggedIn())) throw e;
    }
    this.#session.cookie = null;
  }

  async #loggedIn(): Promise<boolean> {
    const info = JSON.parse(await this.#text('/goform/goform_get_cmd_process?isTest=false&multi_data=1&cmd=loginfo,Language')) as Record<string, string>;
    return info.loginfo === 'ok';
  }

  /**
   * Reads keys (multi_data when more than one). With `renew` (default), a read whose answers are all empty
   * while `loginfo` is not ok logs in again once and retries (goform-api.md §7.4: silent session expiry).
   */
  async get(keys: string[], renew = true): Promise<Record<string, string>> {
    const params = new URLSearchParams({ isTest: 'false', cmd: keys.join(',') });
    if (keys.length > 1) params.set('multi_data', '1');
    const read = async (): Promise<Record<string, string>> => JSON.parse(await this.#text(`/goform/goform_get_cmd_process?${params.toString()}`)) as Record<string, string>;
    let answer = await read();
    if (renew && keys.length > 0 && Object.values(answer).every((v) => v === '')) {
      if (!(await this.#loggedIn())) {
        await this.login();
        answer = await read();
      }
    }
    return answer;
  }

  /** Every key of a group, typed by key name (values are the firmware's strings; "" where not applicable). */
  async readGroup<G extends KeyGroupName>(group: G): Promise<GroupValues<G>> {
    return (await this.get([...KEY_GROUPS[group]])) as GroupValues<G>;
  }

  /** A typed write: the fields of `goformId` as the firmware expects them (goform-types.ts). */
  async write<K extends GoformId>(goformId: K, fields: GoformWrites[K]): Promise<Record<string, unknown>> {
    return this.set(goformId, fields);
  }

  /** An aggregate command (sms_data_total, station_list, ...) with its extra parameters. */
  async getAggregate<T = Record<string, unknown>>(cmd: string, extra: Record<string, string> = {}): Promise<T> {
    const params = new URLSearchParams({ isTest: 'false', cmd, ...extra });
    return JSON.parse(await this.#text(`/goform/goform_get_cmd_process?${params.toString()}`)) as T;
  }

  /**
   * A write with a fresh RD and its AD. Resolves with the answer; throws HTTP_STATUS when the device answers
   * {"result":"failure"} (wrong state, bad field or wrong AD: the firmware does not say which, §1.6). With `renew`
   * (default), a failure while the session is gone (expired, or taken over by another client on single-user
   * firmware) logs in again once and repeats the write, as the web UI does.
   */
  async set(goformId: string, fields: Record<string, string> = {}, renew = true, options: WriteOptions = {}): Promise<Record<string, unknown>> {
    try {
      return await this.#set(goformId, fields, options);
    } catch (e) {
      if (!renew || goformId === 'LOGIN' || goformId === 'LOGIN_MULTI_USER' || !(e instanceof BenchError) || e.code !== 'HTTP_STATUS' || this.#session.cookie === null || (await this.#loggedIn())) throw e;
      await this.login();
      return this.#set(goformId, fields, options);
    }
  }

  async #set(goformId: string, fields: Record<string, string>, options: WriteOptions): Promise<Record<string, unknown>> {
    const body: Record<string, string> = { isTest: 'false', goformId, ...fields };
    const g = await this.generation();
    const ad = options.ad ?? 'computed';
    if (g.ad !== 'none' && ad !== 'omitted') {
      // A fresh RD is read either way, as a client that computes its AD wrongly still reads one (§2.7).
      const rd = (await this.get(['RD'], false)).RD ?? '';
      body.AD = computeAd(g.ad, ad === 'computed' ? g.adBase : `routerlab-wrong-ad-base${g.adBase}`, rd);
    }
    const res = await this.#post(body);
    if (res.result === 'failure' || res.result === 'fail') {
      throw new BenchError('HTTP_STATUS', `[hil:goform] ${goformId} answered ${String(res.result)}; check the fields, the login and the device state`, { details: { goformId, result: res.result } });
    }
    return res;
  }

  /** SEND_SMS and the sms_cmd 4 polling protocol (§4.7, §5.4); resolves when sent, throws when it failed. */
  async sendSms(number: string, text: string): Promise<void> {
    const gsm = [...text].every((ch) => ch.charCodeAt(0) < 0x80);
    const now = new Date();
    const p = (n: number): string => String(n).padStart(2, '0');
    const smsTime = `${p(now.getFullYear() % 100)};${p(now.getMonth() + 1)};${p(now.getDate())};${p(now.getHours())};${p(now.getMinutes())};${p(now.getSeconds())};+0`;
    await this.set('SEND_SMS', { notCallback: 'true', Number: number, sms_time: smsTime, MessageBody: encodeUcs2Hex(text), ID: '-1', encode_type: gsm ? 'GSM7_default' : 'UNICODE' });
    const result = await this.#poll(async () => {
      const r = await this.getAggregate<{ sms_cmd_status_result?: string }>('sms_cmd_status_info', { sms_cmd: '4' });
      return r.sms_cmd_status_result === '1' ? null : (r.sms_cmd_status_result ?? null);
    });
    if (result !== '3') throw new BenchError('HTTP_STATUS', `[hil:goform] SMS to ${number} failed (sms_cmd_status_result ${result})`, { details: { result } });
  }

  /** One page of a store's SMS list as the web UI pages it (page from 0), newest first, decoded. */
  async listSmsPage(store: 'device' | 'sim', page: number, perPage: number): Promise<SmsRecord[]> {
    const r = await this.getAggregate<{ messages?: { id: string; number: string; content: string; tag: string; date: string }[] }>('sms_data_total', {
      page: String(page), data_per_page: String(perPage), mem_store: store === 'device' ? '1' : '0', tags: '10', order_by: 'order by id desc',
    });
    return (r.messages ?? []).map((m) => ({ id: Number(m.id), number: m.number, text: decodeUcs2Hex(m.content), tag: Number(m.tag), date: m.date }));
  }

  /** SMS records of a store ('device' or 'sim'), newest first, decoded. */
  async listSms(store: 'device' | 'sim' = 'device', perPage = 500): Promise<SmsRecord[]> {
    const r = await this.getAggregate<{ messages?: { id: string; number: string; content: string; tag: string; date: string }[] }>('sms_data_total', {
      page: '0', data_per_page: String(perPage), mem_store: store === 'device' ? '1' : '0', tags: '10', order_by: 'order by id desc',
    });
    return (r.messages ?? []).map((m) => ({ id: Number(m.id), number: m.number, text: decodeUcs2Hex(m.content), tag: Number(m.tag), date: m.date }));
  }

  async deleteSms(ids: number[]): Promise<void> {
    await this.set('DELETE_SMS', { msg_id: ids.map((i) => `${i};`).join(''), notCallback: 'true' });
  }

  async markSmsRead(ids: number[]): Promise<void> {
    await this.set('SET_MSG_READ', { msg_id: ids.map((i) => `${i};`).join(''), tag: '0' });
  }

  /** Connect or disconnect mobile data and wait for ppp_status to settle. */
  async setDataConnected(connected: boolean): Promise<void> {
    await this.set(connected ? 'CONNECT_NETWORK' : 'DISCONNECT_NETWORK', { notCallback: 'true' });
    const want = connected ? 'ppp_connected' : 'ppp_disconnected';
    const got = await this.#poll(async () => {
      const s = (await this.get(['ppp_status'])).ppp_status ?? '';
      return s === want ? s : null;
    });
    if (got !== want) throw new BenchError('HTTP_STATUS', `[hil:goform] ppp_status did not reach ${want}`);
  }

  // --- internal ---

  async #poll(read: () => Promise<string | null>): Promise<string | null> {
    const deadline = Date.now() + (this.#options.pollTimeoutMs ?? 20_000);
    for (;;) {
      const value = await read();
      if (value !== null) return value;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, this.#options.pollIntervalMs ?? 250));
    }
  }

  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    // §1.4 / §7.1: the Referer is sent always.
    headers.set('Referer', `${this.baseUrl}/index.html`);
    headers.set('X-Requested-With', 'XMLHttpRequest');
    if (this.#session.cookie) headers.set('Cookie', this.#session.cookie);
    let res: Response;
    try {
      res = await this.#fetch(`${this.baseUrl}${path}`, { ...init, headers, signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000) });
    } catch (e) {
      throw new BenchError('TRANSPORT_TIMEOUT', `[hil:goform] ${this.baseUrl}${path.split('?')[0]} did not answer (${e instanceof Error ? e.message : String(e)}); is the router reachable?`, { cause: e });
    }
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.#session.cookie = setCookie.split(';')[0]!;
    if (res.status !== 200) throw new BenchError('HTTP_STATUS', `[hil:goform] ${path.split('?')[0]} answered HTTP ${res.status}`, { details: { status: res.status } });
    return res;
  }

  async #text(path: string): Promise<string> {
    return (await this.#request(path)).text();
  }

  async #post(body: Record<string, string>): Promise<Record<string, unknown>> {
    const res = await this.#request('/goform/goform_set_cmd_process', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: new URLSearchParams(body).toString(),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new BenchError('HTTP_STATUS', `[hil:goform] ${body.goformId} answered something that is not JSON: "${text.slice(0, 40)}"`, { cause: e });
    }
  }
}
