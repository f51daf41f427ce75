// Request flows that mirror real clients, one iteration each, through the goform SDK client (hil/clients), so
// login generations, LD/RD/AD and sms_cmd polling are right on every profile and on real routers. The client
// speaks through the engine's keep-alive connection, which records every request as k6's http_* metrics.
import { GoformClient, STATUS_POLL_KEYS, UbusClient, ZWRT_STATUS_POLL } from '../../hil/index.js';
import { HttpConnection, HttpError, type HttpTimings } from './http.js';
import type { Metric, Registry, Tags } from './metrics.js';

const NO_HEADERS: Record<string, string> = {};
import type { flowNames } from './schema.js';

export type FlowName = (typeof flowNames)[number];

/** One virtual user: its own connection and SDK client to one router, and its iteration count. */
export class VirtualUser {
  readonly client: GoformClient;
  readonly connection: HttpConnection;
  iteration = 0;
  /** Tags of the request being made (`name`), set by the fetch adapter per request. */
  #ubus: UbusClient | null = null;
  readonly #password: string;

  /** The ubus SDK client (ZWRT routers) over the VU's connection, sharing the router's web session. */
  get ubus(): UbusClient {
    this.session.ubus ??= { sid: '00000000000000000000000000000000' };
    this.#ubus ??= new UbusClient({ baseUrl: this.baseUrl, password: this.#password, fetch: this.#fetchFn, timeoutMs: this.#timeoutMs, session: this.session.ubus, zMode: '0' });
    return this.#ubus;
  }

  constructor(
    readonly id: number,
    readonly baseUrl: string,
    password: string,
    readonly registry: Registry,
    readonly tags: Tags,
    timeoutMs: number,
    readonly path?: string,
    /** Where request durations also go for the progress line (bounded by its reader). */
    readonly recent: number[] = [],
    /** The web session this VU uses: shared by the web UI's VUs of one router (one browser), or its own. */
    readonly session: WebSession = { cookie: null },
  ) {
    this.connection = new HttpConnection(baseUrl);
    this.#timeoutMs = timeoutMs;
    this.#reqs = registry.metric('http_reqs', 'counter');
    this.#duration = registry.metric('http_req_duration', 'trend');
    this.#failed = registry.metric('http_req_failed', 'rate');
    this.#sent = registry.metric('data_sent', 'counter');
    this.#received = registry.metric('data_received', 'counter');
    this.#checks = registry.metric('checks', 'rate');
    this.#blocked = registry.metric('http_req_blocked', 'trend');
    this.#connectingM = registry.metric('http_req_connecting', 'trend');
    this.#tls = registry.metric('http_req_tls_handshaking', 'trend');
    this.#sending = registry.metric('http_req_sending', 'trend');
    this.#waiting = registry.metric('http_req_waiting', 'trend');
    this.#receiving = registry.metric('http_req_receiving', 'trend');
    this.#fetchFn = this.#fetch(timeoutMs);
    this.#password = password;
    this.client = new GoformClient({ baseUrl, password, fetch: this.#fetchFn, pollIntervalMs: 200, pollTimeoutMs: timeoutMs, session });
  }

  readonly #fetchFn: typeof fetch;

  /** A `fetch` over this VU's connection that records every request (for clients made per iteration). */
  get fetch(): typeof fetch {
    return this.#fetchFn;
  }

  get password(): string {
    return this.#password;
  }
  readonly #timeoutMs: number;
  readonly #reqs: Metric;
  readonly #duration: Metric;
  readonly #failed: Metric;
  readonly #sent: Metric;
  readonly #received: Metric;
  readonly #checks: Metric;
  readonly #blocked: Metric;
  readonly #connectingM: Metric;
  readonly #tls: Metric;
  readonly #sending: Metric;
  readonly #waiting: Metric;
  readonly #receiving: Metric;

  /** For flow http-get: GET `path` on the VU's connection, recorded like every request; resolves with the status. */
  async rawGet(): Promise<number> {
    const path = this.path ?? '/';
    const t0 = performance.now();
    try {
      const a = await this.connection.request('GET', path, NO_HEADERS, null, this.#timeoutMs);
      this.#record(a.timings.duration, 'GET', path, a.status, a.sentBytes, a.receivedBytes, a.timings);
      return a.status;
    } catch (e) {
      this.#record(performance.now() - t0, 'GET', path, 0);
      throw e;
    }
  }

  /** One request's samples; tag objects are reused per (method, name, status) so metrics find their series fast. */
  #record(ms: number, method: string, name: string, status: number, sentBytes = 0, receivedBytes = 0, timings?: HttpTimings): void {
    const key = `${method} ${name} ${status}`;
    let t = this.#tagCache.get(key);
    if (!t) {
      t = { ...this.tags, method, name, status: String(status) };
      this.#tagCache.set(key, t);
    }
    this.#reqs.add(1, t);
    this.#duration.add(ms, t);
    if (this.recent.length < 100_000) this.recent.push(ms);
    this.#failed.add(status >= 400 || status === 0 ? 1 : 0, t);
    if (timings) {
      // k6's breakdown of http_req_duration; per scenario and flow (the VU's tags), not per request name, so a run
      // with many request names does not hold six histograms for each.
      this.#blocked.add(timings.blocked, this.tags);
      this.#connectingM.add(timings.connecting, this.tags);
      this.#tls.add(timings.tlsHandshaking, this.tags);
      this.#sending.add(timings.sending, this.tags);
      this.#waiting.add(timings.waiting, this.tags);
      this.#receiving.add(timings.receiving, this.tags);
    }
    this.#sent.add(sentBytes, this.tags);
    this.#received.add(receivedBytes, this.tags);
    this.lastStatus = status;
  }

  /** The status of the VU's last request (0 when it failed without an answer). */
  lastStatus = 0;

  /**
   * A named check, as k6's check(): recorded in `checks` with tag `check` (and the VU's tags); answers `ok`. The
   * names say what was checked: status, shape, expected value.
   */
  check(name: string, ok: boolean): boolean {
    let t = this.#checkTags.get(name);
    if (!t) {
      t = { ...this.tags, check: name };
      this.#checkTags.set(name, t);
    }
    this.#checks.add(ok ? 1 : 0, t);
    return ok;
  }

  readonly #checkTags = new Map<string, Tags>();

  readonly #tagCache = new Map<string, Tags>();

  /** Records a custom metric sample with this VU's tags. */
  record(metric: string, type: 'counter' | 'gauge' | 'rate' | 'trend', value: number, extra: Tags = {}): void {
    this.registry.metric(metric, type).add(value, { ...this.tags, ...extra });
  }

  close(): void {
    this.connection.close();
  }

  /** A `fetch` over the VU's connection that records http_reqs, http_req_duration and http_req_failed. */
  #fetch(timeoutMs: number): typeof fetch {
    return async (input: string | URL | Request, init: RequestInit = {}) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const body = typeof init.body === 'string' ? init.body : null;
      const name = requestName(url, body);
      const t0 = performance.now();
      try {
        const a = await this.connection.request(method, url.pathname + url.search, headers, body, timeoutMs);
        this.#record(a.timings.duration, method, name, a.status, a.sentBytes, a.receivedBytes, a.timings);
        const h = new Headers();
        for (const [k, v] of Object.entries(a.headers)) for (const one of v.split('\n')) h.append(k, one);
        return new Response(a.status === 204 || a.status === 304 ? null : a.body, { status: a.status, headers: h });
      } catch (e) {
        this.#record(performance.now() - t0, method, name, 0);
        throw e instanceof HttpError ? new TypeError(e.message, { cause: e }) : e;
      }
    };
  }
}

/** A short, low-cardinality name for a goform request: get:<first key>, set:<goformId>, or the path. */
function requestName(url: URL, body: string | null): string {
  if (url.pathname.endsWith('goform_get_cmd_process')) {
    const cmd = url.searchParams.get('cmd') ?? '';
    const keys = cmd.split(',');
    return keys.length > 1 ? `get:${keys[0]}+${keys.length - 1}` : `get:${cmd}`;
  }
  if (url.pathname.endsWith('goform_set_cmd_process')) return `set:${new URLSearchParams(body ?? '').get('goformId') ?? '?'}`;
  if (url.pathname === '/ubus/' || url.pathname === '/ubus') {
    // ubus:<first object.method>, plus how many more calls the batch holds.
    const calls = [...(body ?? '').matchAll(/"params":\["[^"]*","([^"]+)","([^"]+)"/g)];
    return calls.length === 0 ? 'ubus' : `ubus:${calls[0]![1]}.${calls[0]![2]}${calls.length > 1 ? `+${calls.length - 1}` : ''}`;
  }
  return url.pathname;
}

/** A session cookie holder, and the login under way for it (so VUs sharing it log in once, not each). */
export interface WebSession {
  cookie: string | null;
  /** The ubus session of a ZWRT router, shared like the cookie. */
  ubus?: { sid: string } | undefined;
  loggingIn?: Promise<void> | undefined;
}

async function ensureLogin(vu: VirtualUser): Promise<void> {
  if (vu.client.hasSession) return;
  const s = vu.session;
  s.loggingIn ??= vu.client.login().finally(() => {
    s.loggingIn = undefined;
  });
  await s.loggingIn;
}

async function ensureUbusLogin(vu: VirtualUser): Promise<void> {
  const client = vu.ubus;
  if (client.loggedIn) return;
  const s = vu.session;
  s.loggingIn ??= client.login().finally(() => {
    s.loggingIn = undefined;
  });
  await s.loggingIn;
}

const POLL = [...STATUS_POLL_KEYS];
const SETTINGS_SLEEP = ['10', '20', '30'];

/**
 * One iteration of each flow. Each records named checks (k6's check(): status, shape, expected value); a thrown error
 * (no answer, a refused login) fails the iteration and its `checks` as "iteration completes" (engine.ts).
 */
export const FLOWS: Record<FlowName, (vu: VirtualUser) => Promise<void>> = {
  /** The web UI's one-second status poll (goform-api.md §3.11), logged in. */
  async 'web-status-poll'(vu) {
    await ensureLogin(vu);
    const v = await vu.client.get(POLL);
    vu.check('status poll: status is 200', vu.lastStatus === 200);
    vu.check('status poll: has every key', POLL.every((k) => v[k] !== undefined));
    vu.check('status poll: logged in', v.loginfo === 'ok');
  },
  /** The app's login: generation from LD (and the config), password encoding, LOGIN, then a status read and logout. */
  async 'app-login'(vu) {
    const t0 = performance.now();
    await vu.client.login();
    vu.record('login_duration', 'trend', performance.now() - t0);
    const v = await vu.client.get(['loginfo', 'modem_main_state']);
    vu.check('app login: logged in', v.loginfo === 'ok');
    vu.check('app login: modem state read', (v.modem_main_state ?? '') !== '');
    await vu.client.logout();
    vu.check('app login: logout status is 200', vu.lastStatus === 200);
  },
  /** SMS list paging: the inbox in pages of 20, as the web UI and the app page it. */
  async 'sms-list'(vu) {
    await ensureLogin(vu);
    for (let page = 0; page < 3; page++) {
      const rows = await vu.client.listSmsPage('device', page, 20);
      vu.check('sms list: status is 200', vu.lastStatus === 200);
      vu.check('sms list: page has at most 20 messages', rows.length <= 20);
      if (rows.length < 20) break;
    }
  },
  /** Send an SMS and poll sms_cmd until the router says sent (RD/AD on every write). */
  async 'sms-send'(vu) {
    await ensureLogin(vu);
    const t0 = performance.now();
    await vu.client.sendSms('+4915100000077', `load ${vu.id}.${vu.iteration}`);
    vu.check('sms send: sent (sms_cmd 4 is 3)', true);
    vu.record('sms_send_duration', 'trend', performance.now() - t0);
  },
  /** A settings write (Wi-Fi sleep time) and the read-back the UI does after it. */
  async 'settings-write'(vu) {
    await ensureLogin(vu);
    const minutes = SETTINGS_SLEEP[vu.iteration % SETTINGS_SLEEP.length]!;
    const w = await vu.client.set('SET_WIFI_SLEEP_INFO', { sysIdleTimeToSleep: minutes });
    vu.check('settings write: result is success', w.result === 'success');
    const back = await vu.client.get(['sysIdleTimeToSleep']);
    vu.check('settings write: reads back what was written', back.sysIdleTimeToSleep === minutes);
  },
  /** The connected-devices page: station list and the access-control lists. */
  async 'station-refresh'(vu) {
    await ensureLogin(vu);
    const list = await vu.client.getAggregate('station_list');
    vu.check('stations: station_list is a list', Array.isArray((list as { station_list?: unknown }).station_list));
    await vu.client.getAggregate('queryDeviceAccessControlList');
    vu.check('stations: access list status is 200', vu.lastStatus === 200);
  },
  /** The ZWRT stock UI's one-second status batch (ubus-api.md §2.6, §6.2): six calls in one POST, logged in. */
  async 'ubus-status-poll'(vu) {
    await ensureUbusLogin(vu);
    const answers = await vu.ubus.batch(ZWRT_STATUS_POLL);
    vu.check('ubus poll: status is 200', vu.lastStatus === 200);
    vu.check('ubus poll: every call answered [0]', answers.every((a) => 'status' in a && a.status === 0));
    const net = answers[1];
    vu.check('ubus poll: netinfo has network_type', net !== undefined && 'data' in net && typeof net.data.network_type === 'string');
  },
  /** The ZWRT login as clients do it: web_login_info, web_login with the salted hash, a status read, logout. */
  async 'ubus-login'(vu) {
    const client = new UbusClient({ baseUrl: vu.baseUrl, password: vu.password, fetch: vu.fetch, timeoutMs: 10_000 });
    const t0 = performance.now();
    await client.login();
    vu.record('login_duration', 'trend', performance.now() - t0);
    const status = await client.call('zwrt_router.api', 'router_get_status');
    vu.check('ubus login: status read', typeof status.current_wan_status === 'string');
    await client.logout();
    vu.check('ubus login: logout status is 200', vu.lastStatus === 200);
  },
  /** One GET of the scenario's `path`, no login: raw endpoint load (and the engine's own benchmark). */
  async 'http-get'(vu) {
    const a = await vu.rawGet();
    vu.check('http get: status is below 400', a < 400);
  },
  /** The app in the foreground: mostly the status poll, now and then the inbox and the stations. */
  async 'mixed-app'(vu) {
    const n = vu.iteration % 10;
    if (n === 9) return FLOWS['sms-list'](vu);
    if (n === 5) return FLOWS['station-refresh'](vu);
    return FLOWS['web-status-poll'](vu);
  },
};
