import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { digestAuthorization } from './digest.js';
import { SessionHttp, SessionHttpError } from './session-http.js';
import type { VirtualClock, TimerHandle } from '../clock/virtual-clock.js';
import { DataModel } from '../datamodel/data-model.js';
import type { DmContext } from '../datamodel/param-def.js';
import { ouiOf } from '../datamodel/tr181.js';
import { TR098_PARAMS, TR098_TABLES } from '../datamodel/tr098.js';
import type { Journal } from '../instrument/journal.js';
import { GARBAGE_TEXT, type RuleHit, type Rules } from '../instrument/rules.js';
import type { DeviceApi } from '../state/device-api.js';
import { SeededRandom } from '../state/identity.js';
import { UNKNOWN_TIME } from '../state/device-state.js';
import { RPCS, type AfterSession, type RpcContext } from './rpcs.js';
import { envelope, escape, faultBody, parseAcsMessage, parameterValueList, SoapError, MAX_SOAP_BYTES, type CwmpVersion } from './soap.js';

// One router as a TR-069 CPE (device-management.md §1): sessions opened with an Inform carrying every undelivered
// event, cookies, Basic or Digest to the ACS, the ACS's RPCs over the one data model, retry back-off, periodic and
// scheduled informs on the virtual clock, connection requests, Download into the FOTA rules. Its protocol state lives
// here and outlives a fleet putting the device away; the device is attached while it is awake.

/** What the CPE starts with (`serve --acs`): the factory ACS settings, applied again after a factory reset. */
export interface CpeOptions {
  /** The device's rules (instrument/rules.ts), looked up per RPC: a fleet's device keeps them while put away. */
  rules?: (() => Rules | null) | undefined;
  acs: { url: string; username?: string | undefined; password?: string | undefined; periodicInformIntervalS?: number | undefined };
  /** The device's seed: the periodic phase, retry jitter and connection-request secrets derive from it. */
  seed: number;
  clock: VirtualClock;
  /** Where connection requests reach this CPE (`http://host:port/<path>`); none = no connection requests. */
  connectionRequest?: { url: string; username: string; password: string } | undefined;
  journal?: Journal | null | undefined;
  /** Bounds concurrent sessions of a process (a fleet shares one). */
  limiter?: SessionLimiter | undefined;
  version?: CwmpVersion | undefined;
  /** Wall-clock ms before a request to the ACS counts as failed (default 30000, §1.2). */
  requestTimeoutMs?: number | undefined;
  /** A first session this many virtual ms after start (a fleet staggers boots); default 0. */
  firstInformDelayMs?: number | undefined;
  log?: ((line: string) => void) | undefined;
}

/** A counting semaphore: at most `limit` sessions at once; the rest wait in order. */
export class SessionLimiter {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly limit: number) {
    this.#free = limit;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
  get active(): number {
    return this.limit - this.#free;
  }
}

interface CpeEvent {
  code: string;
  key: string;
}

/** Events kept across a reboot (§1.4 table): BOOT, VALUE CHANGE, CONNECTION REQUEST and DIAGNOSTICS COMPLETE are not. */
const VOLATILE_EVENTS = new Set(['1 BOOT', '4 VALUE CHANGE', '6 CONNECTION REQUEST', '8 DIAGNOSTICS COMPLETE']);

/** What the last session or status says (for the control API and tests). */
export interface CpeStatus {
  sessions: number;
  failures: number;
  retryCount: number;
  inSession: boolean;
  pendingEvents: string[];
  lastError: string | null;
  lastInformMs: number | null;
}

export class Cpe {
  readonly options: CpeOptions;
  /** The data model of the attached profile (shared: it holds no device, only the table of paths). */
  get dm(): DataModel {
    return this.#tr098 ? TR098_MODEL : SHARED_MODEL;
  }

  #tr098 = false;
  #device: DeviceApi | null = null;
  #detach: (() => void)[] = [];
  #events: CpeEvent[] = [];
  #retryCount = 0;
  #inSession = false;
  #sessionWanted = false;
  #timer: TimerHandle | null = null;
  #periodic: TimerHandle | null = null;
  #scheduled = new Set<TimerHandle>();
  readonly #attributes = new Map<string, number>();
  /** Last reported values of parameters with notification on (name -> value). */
  readonly #baseline = new Map<string, string>();
  #pendingTransfer: { commandKey: string; faultCode: number; faultString: string; startMs: number; completeMs: number } | null = null;
  #pendingDownload: { commandKey: string; startMs: number; version: string } | null = null;
  #rng: SeededRandom;
  #idCounter = 1;
  #closed = false;
  #status: CpeStatus = { sessions: 0, failures: 0, retryCount: 0, inSession: false, pendingEvents: [], lastError: null, lastInformMs: null };
  /** Inform facts kept while the device is put away: DeviceId and the forced parameters. */
  #cache: { deviceId: { oui: string; productClass: string; serial: string }; forced: { name: string; type: string; value: string }[] } | null = null;
  #changeCheck: TimerHandle | null = null;

  constructor(options: CpeOptions) {
    this.options = options;
    this.#rng = new SeededRandom(options.seed ^ 0xc3e7);
    // First contact ever: BOOTSTRAP and BOOT (§1.4 typical sets).
    this.#queue('0 BOOTSTRAP');
    this.#queue('1 BOOT');
  }

  /** The device is awake: read and write it, follow its reboots and changes. */
  attach(device: DeviceApi): void {
    this.detach();
    this.#device = device;
    this.#tr098 = device.profile.dataModel === 'tr098';
    if (device.state.management.url === '') this.#applyFactory(device);
    this.#detach.push(
      device.on('reboot', () => this.#onReboot()),
      device.on('boot', () => this.#onBoot()),
      device.on('factory-reset', () => this.#onFactoryReset()),
      device.on('changed', () => this.#changed()),
    );
    this.#refreshCache();
    this.#knownUrl ??= device.state.management.url;
    if (this.#baseline.size === 0) this.#baselineNow();
    if (!this.#started) {
      this.#started = true;
      const delay = this.options.firstInformDelayMs ?? 0;
      this.#timer = this.options.clock.after(delay, () => this.#kick());
      this.#schedulePeriodic();
    }
  }

  #started = false;

  /** The device is put away: sessions that need it wake it through `wake`. */
  detach(): void {
    for (const off of this.#detach.splice(0)) off();
    this.#device = null;
    this.#changeCheck?.cancel();
    this.#changeCheck = null;
  }

  /** How to wake a put-away device (a fleet sets it); null = the attached device only. */
  wake: (() => DeviceApi) | null = null;

  /** Sessions ended so far (successful or failed). */
  get sessions(): number {
    return this.#status.sessions;
  }

  /** A session runs now. */
  get inSession(): boolean {
    return this.#inSession;
  }

  status(): CpeStatus {
    return { ...this.#status, retryCount: this.#retryCount, inSession: this.#inSession, pendingEvents: this.#events.map((e) => (e.key ? `${e.code} ${e.key}` : e.code)) };
  }

  /** Open a session now (stimulus `cwmp-inform`); with no other event pending it informs `2 PERIODIC`. */
  informNow(): void {
    if (this.#events.length === 0) this.#queue('2 PERIODIC');
    this.#kick();
  }

  /** An authenticated connection request: 'ok' when a session will start, 'busy' while one runs (answer 503, §1.9). */
  connectionRequest(): 'ok' | 'busy' {
    if (this.#inSession) return 'busy';
    this.#queue('6 CONNECTION REQUEST');
    this.#journal('connection-request', 'connection request', {}, 'accepted');
    // Answered first (200 before the session starts, §1.9): the session begins on the next turn.
    setImmediate(() => this.#kick());
    return 'ok';
  }

  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#periodic?.cancel();
    for (const t of this.#scheduled) t.cancel();
    this.#scheduled.clear();
    this.detach();
  }

  // --- events and scheduling ---

  #queue(code: string, key = ''): void {
    // Numbered events are single (merged); M events are one per CommandKey (§1.4).
    if (this.#events.some((e) => e.code === code && (code.startsWith('M ') ? e.key === key : true))) return;
    if (this.#events.length >= 64) return;
    this.#events.push({ code, key });
  }

  #kick(): void {
    if (this.#closed) return;
    this.#timer?.cancel();
    this.#timer = null;
    if (this.#inSession) {
      this.#sessionWanted = true;
      return;
    }
    void this.#session();
  }

  #schedulePeriodic(): void {
    this.#periodic?.cancel();
    this.#periodic = null;
    const m = this.#mgmt();
    if (!m || !m.periodicInformEnable || m.url === '' || !m.enableCwmp) return;
    const intervalMs = m.periodicInformIntervalS * 1000;
    const now = this.options.clock.now();
    // §1.8: informs at PeriodicInformTime ± k·interval; an unknown time gets a per-device random phase.
    const base = m.periodicInformTime === UNKNOWN_TIME || m.periodicInformTime.startsWith('0001-') ? Math.floor(new SeededRandom(this.options.seed ^ 0x9e1).next() * intervalMs) : Date.parse(m.periodicInformTime);
    const phase = ((base % intervalMs) + intervalMs) % intervalMs;
    let next = now - (((now - phase) % intervalMs) + intervalMs) % intervalMs + intervalMs;
    if (next <= now) next += intervalMs;
    this.#periodic = this.options.clock.at(next, () => {
      this.#queue('2 PERIODIC');
      this.#kick();
      this.#schedulePeriodic();
    });
  }

  /** §1.5: wait before retry n, uniform in m·(k/1000)^(n-1) … m·(k/1000)^n seconds, n capped at 10. */
  retryDelayMs(n: number, m = 5, k = 2000): number {
    const c = Math.min(Math.max(n, 1), 10);
    const lo = m * (k / 1000) ** (c - 1);
    const hi = m * (k / 1000) ** c;
    return Math.round((lo + (hi - lo) * this.#rng.next()) * 1000);
  }

  #mgmt(): DeviceApi['state']['management'] | null {
    return this.#device?.state.management ?? this.#lastMgmt;
  }

  #lastMgmt: DeviceApi['state']['management'] | null = null;
  #knownUrl: string | null = null;
  /** The device went down during the running session: it ends as failed at its next exchange. */
  #wentDown = false;

  #applyFactory(device: DeviceApi): void {
    const a = this.options.acs;
    const cr = this.options.connectionRequest;
    device.management.configure({
      url: a.url,
      username: a.username ?? '',
      password: a.password ?? '',
      ...(a.periodicInformIntervalS === undefined ? {} : { periodicInformIntervalS: a.periodicInformIntervalS }),
      ...(cr ? { connectionRequestUsername: cr.username, connectionRequestPassword: cr.password } : {}),
    });
  }

  #onReboot(): void {
    // The session dies with the device; events that do not survive a reboot go (§1.4 table).
    if (this.#inSession) this.#wentDown = true;
    const device = this.#device;
    if (device && device.power.isUp() && device.state.management.url === '') {
      // A bench reset: a fresh device of a profile and seed, up at once, first contact again (BOOTSTRAP, BOOT).
      this.#events = [];
      this.#attributes.clear();
      this.#baseline.clear();
      this.#pendingTransfer = null;
      this.#pendingDownload = null;
      this.#retryCount = 0;
      this.#applyFactory(device);
      this.#knownUrl = device.state.management.url;
      this.#queue('0 BOOTSTRAP');
      this.#queue('1 BOOT');
      this.#refreshCache();
      this.#schedulePeriodic();
      setImmediate(() => this.#kick());
      return;
    }
    this.#events = this.#events.filter((e) => !VOLATILE_EVENTS.has(e.code));
    this.#retryCount = 0;
  }

  #onBoot(): void {
    this.#queue('1 BOOT');
    if (this.#pendingDownload) {
      const d = this.#pendingDownload;
      this.#pendingDownload = null;
      const f = this.#device?.state.fota;
      const ok = f?.currentVersion === d.version;
      this.#pendingTransfer = { commandKey: d.commandKey, faultCode: ok ? 0 : 9010, faultString: ok ? '' : `the image did not install (${f?.upgradeResult || 'failed'})`, startMs: d.startMs, completeMs: this.options.clock.now() };
      this.#queue('7 TRANSFER COMPLETE');
      this.#queue('M Download', d.commandKey);
    }
    this.#refreshCache();
    this.#checkValueChanges();
    this.#schedulePeriodic();
    this.#kick();
  }

  #onFactoryReset(): void {
    this.#events = [];
    this.#attributes.clear();
    this.#baseline.clear();
    if (this.#device) this.#applyFactory(this.#device);
    this.#queue('0 BOOTSTRAP');
  }

  #changed(): void {
    const url = this.#device?.state.management.url ?? '';
    if (url !== this.#knownUrl) {
      // §1.4: a new ACS URL is first contact with that ACS; the events for the old one go.
      this.#knownUrl = url;
      if (url !== '') {
        this.#events = this.#events.filter((e) => e.code === '1 BOOT');
        this.#queue('0 BOOTSTRAP');
        this.#refreshCache();
        this.#schedulePeriodic();
        // Next turn: a factory reset changes the URL and then reboots; the session waits for the boot then.
        setImmediate(() => this.#kick());
      }
    }
    if (this.#changeCheck || this.#baseline.size === 0) return;
    // Changes are looked at once per virtual second, not on every state change (the poll changes counters).
    this.#changeCheck = this.options.clock.after(1000, () => {
      this.#changeCheck = null;
      this.#checkValueChanges();
    });
  }

  #watched(): { name: string; notification: number }[] {
    const out: { name: string; notification: number }[] = [];
    const forced = this.#tr098 ? FORCED_WATCH.map((p) => p.replace(/^Device\./, 'InternetGatewayDevice.')) : FORCED_WATCH;
    for (const p of forced) if (this.#attributes.get(p) !== 0) out.push({ name: p, notification: this.#attributes.get(p) ?? 2 });
    for (const [name, n] of this.#attributes) if (n > 0 && !forced.includes(name)) out.push({ name, notification: n });
    return out;
  }

  #baselineNow(): void {
    const c = this.#ctx();
    if (!c) return;
    for (const w of this.#watched()) {
      const p = this.dm.param(c, w.name);
      if (p) this.#baseline.set(w.name, this.dm.read(c, p.def, p.idx));
    }
  }

  /** Parameters with notification on whose value moved: passive waits for the next Inform, active opens one (§1.7). */
  #checkValueChanges(): void {
    const c = this.#ctx();
    if (!c) return;
    let active = false;
    for (const w of this.#watched()) {
      const p = this.dm.param(c, w.name);
      if (!p) continue;
      const value = this.dm.read(c, p.def, p.idx);
      const before = this.#baseline.get(w.name);
      if (before === undefined) {
        this.#baseline.set(w.name, value);
        continue;
      }
      if (before === value) continue;
      this.#baseline.set(w.name, value);
      this.#changedNames.add(w.name);
      this.#queue('4 VALUE CHANGE');
      if (w.notification === 2) active = true;
    }
    if (active && !this.#inSession) {
      const throttleMs = (c.state.management.defaultActiveNotificationThrottleS ?? 0) * 1000;
      const since = this.#status.lastInformMs === null ? Infinity : this.options.clock.now() - this.#status.lastInformMs;
      if (since >= throttleMs) this.#kick();
      else this.#timer ??= this.options.clock.after(throttleMs - since, () => this.#kick());
    }
  }

  readonly #changedNames = new Set<string>();

  #ctx(device = this.#device): DmContext | null {
    if (!device) return null;
    return { device, state: device.state, nowMs: this.options.clock.now(), connectionRequestUrl: this.options.connectionRequest?.url ?? '' };
  }

  #refreshCache(): void {
    const c = this.#ctx();
    if (!c) return;
    this.#lastMgmt = c.state.management;
    this.#cache = {
      deviceId: { oui: ouiOf(c), productClass: c.device.profile.model, serial: c.state.identity.serialNumber },
      forced: this.dm.forced(c).map((p) => ({ name: p.name, type: p.def.type, value: this.dm.read(c, p.def, p.idx) })),
    };
  }

  // --- the session ---

  async #session(): Promise<void> {
    if (this.#inSession || this.#closed) return;
    const mgmt = this.#mgmt();
    if (!mgmt || mgmt.url === '' || !mgmt.enableCwmp) return;
    if (this.#device && !this.#device.power.isUp()) return;
    this.#inSession = true;
    this.#wentDown = false;
    this.#sessionWanted = false;
    const limiter = this.options.limiter;
    await limiter?.acquire();
    const after: AfterSession[] = [];
    let ok = false;
    let retryAfterS = 0;
    const http = new SessionHttp(mgmt.url, mgmt.username, mgmt.password, this.options.requestTimeoutMs ?? 30_000, MAX_SOAP_BYTES);
    try {
      const sent = [...this.#events];
      const retryCount = this.#retryCount;
      const inform = this.#informBody(sent, retryCount);
      const first = await http.post(envelope(this.#version, this.#nextId(), inform));
      if (first.status === 503) retryAfterS = Number(first.headers['retry-after']) || 0;
      if (first.status !== 200) throw new SessionError(`the ACS answered the Inform with HTTP ${first.status}`);
      // The common answer is read by its element alone; anything else goes through the full parser.
      if (!INFORM_RESPONSE.test(first.body) || first.body.includes('<!')) {
        const informResponse = parseAcsMessage(first.body);
        if (informResponse.fault) {
          // ACS fault 8005 "Retry request" (§1.2 item 9): send it again after the back-off.
          throw new SessionError(`the ACS answered the Inform with fault ${informResponse.fault.code} ${informResponse.fault.message}`);
        }
        if (informResponse.name !== 'InformResponse') throw new SessionError(`the ACS answered the Inform with ${informResponse.name ?? 'an empty body'}`);
      }
      // Delivered: every event the Inform carried (§1.4 Delivery).
      this.#events = this.#events.filter((e) => !sent.some((s) => s.code === e.code && s.key === e.key));
      this.#changedNames.clear();
      this.#retryCount = 0;
      this.#status.lastInformMs = this.options.clock.now();
      this.#journal('inform', sent.map((e) => e.code).join(','), Object.fromEntries(sent.filter((e) => e.key).map((e) => [e.code, e.key])), 'InformResponse');
      if (this.#pendingTransfer) {
        const t = this.#pendingTransfer;
        const tc = await http.post(envelope(this.#version, this.#nextId(), `<cwmp:TransferComplete><CommandKey>${escape(t.commandKey)}</CommandKey><FaultStruct><FaultCode>${t.faultCode}</FaultCode><FaultString>${escape(t.faultString)}</FaultString></FaultStruct><StartTime>${iso(t.startMs)}</StartTime><CompleteTime>${iso(t.completeMs)}</CompleteTime></cwmp:TransferComplete>`));
        if (tc.status !== 200 || parseAcsMessage(tc.body).name !== 'TransferCompleteResponse') throw new SessionError(`the ACS answered TransferComplete with HTTP ${tc.status}`);
        this.#journal('rpc', `TransferComplete,${t.commandKey}`, { FaultCode: String(t.faultCode) }, 'TransferCompleteResponse');
        this.#pendingTransfer = null;
      }
      // The empty POST, then the ACS's requests one by one until it answers with an empty body (§1.2).
      let answer = await http.post('');
      for (let rounds = 0; rounds < 10_000; rounds++) {
        if (answer.status === 204 || (answer.status === 200 && answer.body.trim() === '')) {
          ok = true;
          break;
        }
        if (answer.status !== 200) throw new SessionError(`the ACS answered HTTP ${answer.status} during the session`);
        let reply: string;
        try {
          const msg = parseAcsMessage(answer.body);
          const rules = this.options.rules?.() ?? null;
          const hit = msg.name && rules?.has('cwmp') ? rules.hit('cwmp', msg.name, () => rpcParams(msg.args), this.options.acs.url) : null;
          if (hit) {
            const ruled = await this.#ruled(hit, msg.id ?? this.#nextId(), msg.name!, msg.args, after);
            // drop and hang: the CPE sends nothing more; the ACS meets its own timeout and the session ends.
            if (ruled === null) throw new SessionError(`no answer to ${msg.name} (rule ${hit.id}: ${hit.action.kind})`);
            reply = ruled;
          } else {
            reply = this.#rpc(msg.id ?? this.#nextId(), msg.name, msg.args, after);
          }
        } catch (e) {
          if (!(e instanceof SoapError)) throw e;
          // A message the CPE cannot read: a fault back, never a crash (§1.3 parse leniently, refuse hostile XML).
          this.#journal('rpc', 'unreadable', {}, e.message);
          reply = envelope(this.#version, this.#nextId(), faultBody(9003, e.message.replace('[emulator:cwmp] ', '')));
        }
        answer = await http.post(reply);
        if (this.#wentDown && !after.some((a) => a.kind === 'reboot' || a.kind === 'factory-reset')) throw new SessionError('the device went down during the session');
      }
    } catch (e) {
      // Recorded into the status and the journal: a failed session is retried on the back-off table. An error that
      // is not the session's (a bug) is also named on stderr, never let out of the CPE (it would end the process).
      if (!(e instanceof SessionError || e instanceof SessionHttpError || e instanceof SoapError)) this.options.log?.(`[emulator:cwmp] session error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.#status.lastError = e instanceof Error ? e.message : String(e);
      this.#journal('session', 'session', {}, `failed: ${this.#status.lastError}`);
    } finally {
      http.close();
      this.#inSession = false;
      limiter?.release();
    }
    this.#status.sessions++;
    if (!ok && this.#device && !this.#device.power.isUp()) {
      // Down: the boot starts the next session (with BOOT); no back-off for a device that is off.
      this.#status.failures++;
      return;
    }
    if (!ok) {
      this.#status.failures++;
      this.#retryCount++;
      const m = this.#mgmt();
      const wait = Math.max(this.retryDelayMs(this.#retryCount, m?.retryMinimumWaitIntervalS, m?.retryIntervalMultiplier), retryAfterS * 1000);
      this.#timer = this.options.clock.after(wait, () => this.#kick());
      return;
    }
    this.#status.lastError = null;
    this.#journal('session', 'session', {}, 'ok');
    // The ACS may have changed the periodic settings (or the URL): the next periodic inform follows them.
    this.#refreshCache();
    this.#schedulePeriodic();
    for (const a of after) this.#afterSession(a);
    if (this.#sessionWanted || this.#events.some((e) => e.code === '6 CONNECTION REQUEST' || e.code === '4 VALUE CHANGE')) this.#kick();
  }

  #version: CwmpVersion = '1.0';

  #nextId(): string {
    return String(this.#idCounter++);
  }

  #informBody(events: readonly CpeEvent[], retryCount: number): string {
    const c = this.#ctx();
    if (c) this.#refreshCache();
    this.#version = this.options.version ?? '1.0';
    const cache = this.#cache!;
    const params = [...cache.forced];
    // VALUE CHANGE carries the changed parameters (§1.4); only with the device at hand.
    if (c && events.some((e) => e.code === '4 VALUE CHANGE')) {
      for (const name of this.#changedNames) {
        if (params.some((p) => p.name === name)) continue;
        const p = this.dm.param(c, name);
        if (p) params.push({ name, type: p.def.type, value: this.dm.read(c, p.def, p.idx) });
      }
    }
    const ev = events.map((e) => `<EventStruct><EventCode>${escape(e.code)}</EventCode><CommandKey>${escape(e.key)}</CommandKey></EventStruct>`).join('');
    return (
      `<cwmp:Inform><DeviceId><Manufacturer>ZTE</Manufacturer><OUI>${cache.deviceId.oui}</OUI><ProductClass>${escape(cache.deviceId.productClass)}</ProductClass><SerialNumber>${escape(cache.deviceId.serial)}</SerialNumber></DeviceId>` +
      `<Event soap-enc:arrayType="cwmp:EventStruct[${events.length}]">${ev}</Event><MaxEnvelopes>1</MaxEnvelopes><CurrentTime>${iso(this.options.clock.now())}</CurrentTime><RetryCount>${retryCount}</RetryCount>` +
      `${parameterValueList('ParameterList', params)}</cwmp:Inform>`
    );
  }

  /**
   * An ACS request under a rule: error answers a SOAP Fault (9002 by default) without carrying the RPC out; answer
   * sends its body (a SOAP body element) as the response; garbage bytes that are not SOAP; latency answers after it
   * (wall ms); drop and hang answer nothing (null).
   */
  async #ruled(hit: RuleHit, id: string, name: string, args: Record<string, unknown>, after: AfterSession[]): Promise<string | null> {
    const a = hit.action;
    const tag = ` (rule ${hit.id}: ${a.kind})`;
    if (hit.delayMs > 0) await new Promise((r) => setTimeout(r, hit.delayMs));
    switch (a.kind) {
      case 'error': {
        const code = a.code ?? 9002;
        this.#journal('rpc', name, rpcParams(args), `fault ${code}${tag}`);
        return envelope(this.#version, id, faultBody(code, a.message ?? 'Internal error'));
      }
      case 'answer':
        this.#journal('rpc', name, rpcParams(args), `answer${tag}`);
        return envelope(this.#version, id, typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
      case 'garbage':
        this.#journal('rpc', name, rpcParams(args), `garbage${tag}`);
        return GARBAGE_TEXT;
      case 'latency':
        await new Promise((r) => setTimeout(r, a.ms));
        return this.#rpc(id, name, args, after);
      case 'drop':
      case 'hang':
        this.#journal('rpc', name, rpcParams(args), `no answer${tag}`);
        return null;
      default:
        return this.#rpc(id, name, args, after);
    }
  }

  /** One ACS request: the response envelope (or a Fault); actions for after the session go into `after`. */
  #rpc(id: string, name: string | null, args: Record<string, unknown>, after: AfterSession[]): string {
    const handler = name ? RPCS[name] : undefined;
    if (!name || !handler) {
      this.#journal('rpc', name ?? '(none)', {}, 'fault 9000');
      return envelope(this.#version, id, faultBody(9000, `Method not supported: ${name ?? ''}`));
    }
    const device = this.#device ?? this.wake?.() ?? null;
    const c = this.#ctx(device);
    if (!c) return envelope(this.#version, id, faultBody(9002, 'Internal error: the device is not available'));
    const ctx: RpcContext = { dm: this.dm, c, attributes: this.#attributes, acsChanged: new Set() };
    const answer = handler(ctx, args);
    // The ACS's own changes are not reported back to it (§1.7): they become the baseline.
    for (const n of ctx.acsChanged) {
      const p = this.dm.param(c, n);
      if (p && this.#baseline.has(n)) this.#baseline.set(n, this.dm.read(c, p.def, p.idx));
    }
    if (name === 'SetParameterAttributes') this.#baselineNow();
    if (answer.after) after.push(answer.after);
    const faulted = answer.body.includes('<soap-env:Fault>');
    const params = Object.fromEntries((answer.names ?? []).slice(0, 32).map((n) => [n, secretName(n) ? '***' : '']));
    this.#journal('rpc', [name, ...(answer.names ?? [])].join(','), params, faulted ? `fault ${/<FaultCode>(\d+)/.exec(answer.body)?.[1] ?? ''}` : `${name}Response`);
    return envelope(this.#version, id, answer.body);
  }

  #afterSession(a: AfterSession): void {
    const device = this.#device ?? this.wake?.() ?? null;
    if (!device) return;
    switch (a.kind) {
      case 'reboot':
        this.#queue('M Reboot', a.commandKey);
        device.power.reboot();
        return;
      case 'factory-reset':
        device.power.factoryReset();
        return;
      case 'bootstrap':
        // §1.4: a new ACS URL means first contact with that ACS (#changed queued 0 BOOTSTRAP as the URL changed).
        this.#kick();
        return;
      case 'schedule-inform': {
        const t = this.options.clock.after(a.delayS * 1000, () => {
          this.#scheduled.delete(t);
          this.#queue('3 SCHEDULED');
          this.#queue('M ScheduleInform', a.commandKey);
          this.#kick();
        });
        this.#scheduled.add(t);
        return;
      }
      case 'download': {
        // DelaySeconds 0: right after the session, whatever the clock does (a paused clock would hold a 0 ms timer).
        if (a.delayS === 0) {
          setImmediate(() => void this.#download(a));
          return;
        }
        const t = this.options.clock.after(a.delayS * 1000, () => {
          this.#scheduled.delete(t);
          void this.#download(a);
        });
        this.#scheduled.add(t);
        return;
      }
    }
  }

  /** Fetch the image over HTTP(S), then install it through the FOTA rules; a failure reports its fault (§1.6). */
  async #download(a: Extract<AfterSession, { kind: 'download' }>): Promise<void> {
    const startMs = this.options.clock.now();
    const fail = (code: number, message: string): void => {
      this.#pendingTransfer = { commandKey: a.commandKey, faultCode: code, faultString: message, startMs, completeMs: this.options.clock.now() };
      this.#queue('7 TRANSFER COMPLETE');
      this.#queue('M Download', a.commandKey);
      this.#journal('transfer', `Download,${a.url}`, {}, `fault ${code}`);
      this.#kick();
    };
    let image: Buffer;
    try {
      image = await fetchImage(a.url, a.username, a.password, this.options.requestTimeoutMs ?? 30_000);
    } catch (e) {
      const err = e instanceof TransferError ? e : new TransferError(9015, e instanceof Error ? e.message : String(e));
      return fail(err.code, err.message);
    }
    if (a.fileSize > 0 && image.length !== a.fileSize) return fail(9017, `got ${image.length} bytes of ${a.fileSize}`);
    const device = this.#device ?? this.wake?.() ?? null;
    if (!device) return fail(9002, 'the device is not available');
    const version = firmwareVersion(image, a.targetFileName, a.url);
    const installed = device.fota.install({ version, sizeBytes: image.length });
    if (installed.refused) return fail(installed.refused === 'invalid' ? 9018 : 9010, installed.message);
    this.#journal('transfer', `Download,${a.url}`, { version }, 'installing');
    this.#pendingDownload = { commandKey: a.commandKey, startMs, version };
  }

  #journal(kind: string, name: string, params: Record<string, string>, response: string): void {
    const j = this.options.journal;
    if (!j) return;
    j.add(this.#device?.state.id ?? this.#cache?.deviceId.serial ?? '', 'cwmp', kind, name, params, response, this.options.clock.now(), Date.now(), this.#mgmt()?.url ?? '');
  }
}

const SHARED_MODEL = new DataModel();
const TR098_MODEL = new DataModel(TR098_PARAMS, TR098_TABLES, 'InternetGatewayDevice.');
/** An InformResponse body element under any prefix, and no Fault. */
const INFORM_RESPONSE = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?InformResponse[\s>/]/;

/** Forced-active parameters (SoftwareVersion, ProvisioningCode: forceEnabled; ConnectionRequestURL by default). */
const FORCED_WATCH = ['Device.DeviceInfo.SoftwareVersion', 'Device.DeviceInfo.ProvisioningCode', 'Device.ManagementServer.ConnectionRequestURL'];

class SessionError extends Error {}

export class TransferError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function secretName(name: string): boolean {
  return /Password|KeyPassphrase|PreSharedKey|\.PIN$/i.test(name);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The version an image installs: a first line `ROUTERLAB-FIRMWARE <version>` (routerlab's own image format, README),
 * else the file name without its extension (TargetFileName, or the URL's last segment).
 */
export function firmwareVersion(image: Buffer, targetFileName: string, url: string): string {
  const head = image.subarray(0, 200).toString('latin1');
  const m = /^ROUTERLAB-FIRMWARE ([\x21-\x7e]{1,64})\r?\n/.exec(head);
  if (m) return m[1]!;
  const name = (targetFileName || decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'firmware').replace(/\.(bin|img|zip|tar|gz)$/i, '');
  return name.slice(0, 64) || 'firmware';
}

const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** GET the image with Basic or Digest when asked; TransferError with the TR-069 code (§1.6 failure codes). */
function fetchImage(url: string, username: string, password: string, timeoutMs: number, authorization?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(u, { method: 'GET', timeout: timeoutMs, headers: authorization ? { Authorization: authorization } : {}, ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}) }, (res) => {
      if (res.statusCode === 401 && !authorization && (username || password)) {
        res.resume();
        const challenge = String(res.headers['www-authenticate'] ?? '');
        const auth = /^digest/i.test(challenge) ? digestAuthorization(challenge, 'GET', u.pathname + u.search, username, password, '', 1) : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        fetchImage(url, username, password, timeoutMs, auth).then(resolve, reject);
        return;
      }
      if (res.statusCode === 401 || res.statusCode === 403) {
        res.resume();
        return reject(new TransferError(9012, `the file server refused the credentials (HTTP ${res.statusCode})`));
      }
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new TransferError(9016, `the file server answered HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_IMAGE_BYTES) {
          req.destroy(new TransferError(9010, `the image is larger than ${MAX_IMAGE_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('aborted', () => reject(new TransferError(9017, 'the transfer broke off')));
    });
    req.on('timeout', () => req.destroy(new TransferError(9017, `the file server did not answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof TransferError ? e : new TransferError(9015, `cannot contact the file server (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    req.end();
  });
}

/** An RPC's arguments as rules match them: the parameter names it names (`names`, comma-joined) and its scalars. */
function rpcParams(args: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && /^(Device|InternetGatewayDevice)\./.test(v)) names.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [k, v] of Object.entries(args)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    walk(v);
  }
  if (names.length > 0) out.names = names.slice(0, 64).join(',');
  return out;
}
