import type { TimerHandle, VirtualClock } from '../clock/virtual-clock.js';
import { createInitialState } from './create-state.js';
import { dataLimitUsed, isBlocked, isDataConnected, isRegistered } from './derive.js';
import type { DeviceState, Registration, SmsMessage, SmsStore, SmsTag, Station, Technology } from './device-state.js';
import { SeededRandom } from './identity.js';
import { loadCarrier, type DeviceProfile } from './profile.js';

export interface DeviceEvents {
  /** Any change to the state (after the change). */
  changed: [];
  'sms-received': [message: SmsMessage];
  'registration-changed': [registration: Registration];
  'technology-changed': [technology: Technology];
  /** The device went down for a reboot (or power loss); sessions of every surface end here. */
  reboot: [];
}

export interface CreateDeviceOptions {
  id?: string;
  profile: DeviceProfile;
  clock: VirtualClock;
  seed: number;
  password?: string;
  /**
   * Length of one simulation step in ms, whole seconds (default 1000). Fleets step coarser so an idle device works once per
   * step; battery, traffic and FOTA progress scale with the step, so a day ends in the same state.
   */
  tickMs?: number;
}

const TICK_MS = 1000;
const CONNECT_DELAY_MS = 2000;
const SMS_SEND_DELAY_MS = 1000;
const REBOOT_DOWN_MS = 30_000;
const LOGIN_LOCK_MS = 300_000; // goform-api.md §2.5: locked for 300 s after 5 wrong passwords
export const MAX_LOGIN_ATTEMPTS = 5;

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * One emulated device: its state, the simulation that moves it on the virtual clock, and the operations
 * every surface uses to change it. Surfaces never write `state` directly; they call these methods, so
 * effects (events, timers, version bumps) happen once, here.
 */
export class Device {
  readonly profile: DeviceProfile;
  readonly clock: VirtualClock;
  state: DeviceState;
  /** Increases on every change; surfaces use it to cache what they derive. */
  version = 0;
  /** Increases on every reboot or reset; sessions from an older boot are invalid. */
  bootEpoch = 0;
  readonly rng: SeededRandom;
  #listeners = new Map<keyof DeviceEvents, Set<Listener<never[]>>>();
  #tick: TimerHandle;
  #pending = new Set<TimerHandle>();
  /** Seconds of device life per simulation step. */
  readonly #stepS: number;

  constructor(options: CreateDeviceOptions) {
    // A copy: quirks can be switched per device at run time without touching the cached fixture.
    this.profile = structuredClone(options.profile);
    this.clock = options.clock;
    this.rng = new SeededRandom(options.seed);
    this.state = createInitialState({
      id: options.id ?? 'dev-0',
      profile: options.profile,
      home: loadCarrier(options.profile.homeCarrier),
      roaming: loadCarrier(options.profile.roamingCarrier),
      seed: options.seed,
      nowMs: options.clock.now(),
      ...(options.password === undefined ? {} : { password: options.password }),
    });
    const tickMs = options.tickMs ?? TICK_MS;
    // Whole seconds: the goform counters (realtime_time, monthly_time) count seconds.
    if (!Number.isInteger(tickMs / 1000) || tickMs < 1000 || tickMs > 3_600_000) throw new RangeError(`tickMs must be whole seconds from 1000 to 3600000, got ${tickMs}`);
    this.#stepS = tickMs / 1000;
    this.#tick = this.clock.every(tickMs, () => this.#simulate());
  }

  now(): number {
    return this.clock.now();
  }

  on<E extends keyof DeviceEvents>(event: E, fn: Listener<DeviceEvents[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never[]>);
    return () => set.delete(fn as Listener<never[]>);
  }

  /** Apply a change to the state and notify. Every mutation goes through here. */
  update(fn: (state: DeviceState) => void): void {
    fn(this.state);
    this.touch();
  }

  touch(): void {
    this.version++;
    this.#emit('changed');
  }

  close(): void {
    this.#tick.cancel();
    for (const t of this.#pending) t.cancel();
    this.#pending.clear();
    this.#listeners.clear();
  }

  // --- login lockout (goform-api.md §2.5) ---

  loginLocked(): boolean {
    const until = this.state.login.lockedUntilMs;
    return until !== null && this.now() < until;
  }

  /** Seconds left in the lock, or -1 when not locked. */
  loginLockSecondsLeft(): number {
    const until = this.state.login.lockedUntilMs;
    if (until === null) return -1;
    return Math.max(0, Math.ceil((until - this.now()) / 1000));
  }

  recordLoginFailure(): void {
    this.update((s) => {
      s.login.failuresLeft = Math.max(0, s.login.failuresLeft - 1);
      if (s.login.failuresLeft === 0) s.login.lockedUntilMs = this.now() + LOGIN_LOCK_MS;
    });
  }

  recordLoginSuccess(): void {
    this.update((s) => {
      s.login.failuresLeft = MAX_LOGIN_ATTEMPTS;
      s.login.lockedUntilMs = null;
    });
  }

  // --- data connection ---

  connectData(): boolean {
    const s = this.state;
    if (!isRegistered(s) || s.connection.pdpRejected) return false;
    // A reached data limit keeps the connection down until the limit is raised, switched off or the month resets.
    if ((dataLimitUsed(s) ?? 0) >= 1) return false;
    if (s.radio.registration === 'roaming' && !s.network.dataRoaming) return false;
    if (s.connection.ppp === 'ppp_connected' || s.connection.ppp === 'ppp_connecting') return true;
    this.update((st) => {
      st.connection.ppp = 'ppp_connecting';
      st.network.mobileData = true;
    });
    this.#later(CONNECT_DELAY_MS, () => {
      if (this.state.connection.ppp !== 'ppp_connecting') return;
      this.update((st) => {
        st.connection.ppp = 'ppp_connected';
        st.connection.connectedSinceMs = this.now();
        st.traffic.realtimeRxBytes = 0;
        st.traffic.realtimeTxBytes = 0;
        st.traffic.realtimeSeconds = 0;
      });
    });
    return true;
  }

  disconnectData(userInitiated = true): void {
    const s = this.state;
    if (s.connection.ppp === 'ppp_disconnected') return;
    this.update((st) => {
      st.connection.ppp = 'ppp_disconnecting';
      if (userInitiated) st.network.mobileData = false;
    });
    this.#later(500, () => {
      this.update((st) => {
        st.connection.ppp = 'ppp_disconnected';
        st.connection.connectedSinceMs = null;
        st.traffic.rxBytesPerSecond = 0;
        st.traffic.txBytesPerSecond = 0;
      });
      // Dropped by the network (not the user): if service came back meanwhile, auto_dial connects again.
      if (!userInitiated) this.#enforceDataPolicy();
    });
  }

  // --- radio ---

  setRegistration(registration: Registration): void {
    const before = this.state.radio.registration;
    this.update((s) => {
      s.radio.registration = registration;
      s.radio.operator = registration === 'roaming' ? s.roamingOperator : s.homeOperator;
    });
    if (before !== registration) this.#emit('registration-changed', registration);
    this.#enforceDataPolicy();
  }

  setTechnology(technology: Technology): void {
    const before = this.state.radio.technology;
    this.update((s) => {
      s.radio.technology = technology;
      if (technology === 'ENDC' || technology === 'SA') {
        s.radio.nr ??= { rsrpDbm: -90, rsrqDb: -11, sinrDb: 15, band: 'n78', pci: 0x1f4, cellId: 0x1234567 };
      } else {
        s.radio.nr = null;
      }
    });
    if (before !== technology) this.#emit('technology-changed', technology);
  }

  // --- SMS ---

  smsCount(store: SmsStore): number {
    return this.state.sms.messages.filter((m) => m.store === store).length;
  }

  /** Store an incoming SMS; returns null when the store is full (the network keeps it). */
  receiveSms(input: { number: string; text: string; store?: SmsStore; concatTotal?: number; timeMs?: number }): SmsMessage | null {
    const store = input.store ?? 'device';
    const capacity = store === 'device' ? this.state.sms.deviceCapacity : this.state.sms.simCapacity;
    if (this.smsCount(store) >= capacity) return null;
    const message = this.#addSms({
      number: input.number,
      text: input.text,
      tag: 1,
      store,
      concatTotal: input.concatTotal ?? 0,
      ...(input.timeMs === undefined ? {} : { timeMs: input.timeMs }),
    });
    this.update((s) => {
      s.sms.receivedFlag = true;
    });
    this.#emit('sms-received', message);
    return message;
  }

  /**
   * Send an SMS: the sent copy is stored at once with tag 2, and the send status (sms_cmd 4) moves from
   * "1" processing to "3" success (or "2" failed, tag 3) after a second of virtual time.
   */
  sendSms(input: { number: string; text: string; draftId?: number }): SmsMessage {
    if (input.draftId !== undefined) this.deleteSms([input.draftId]);
    const failing = this.state.sms.sendFailure || !isRegistered(this.state);
    const message = this.#addSms({ number: input.number, text: input.text, tag: 2, store: 'device', concatTotal: 0 });
    this.update((s) => {
      s.sms.cmdStatus['4'] = '1';
    });
    this.#later(SMS_SEND_DELAY_MS, () => {
      this.update((s) => {
        s.sms.cmdStatus['4'] = failing ? '2' : '3';
        const stored = s.sms.messages.find((m) => m.id === message.id);
        if (stored && failing) stored.tag = 3;
      });
    });
    return message;
  }

  saveDraft(input: { numbers: string[]; text: string; replaceId?: number; groupId?: string }): SmsMessage[] {
    if (input.replaceId !== undefined) this.deleteSms([input.replaceId]);
    const groupId = input.numbers.length > 1 ? (input.groupId ?? String(this.state.sms.nextId)) : '';
    const saved = input.numbers.map((number) =>
      this.#addSms({ number, text: input.text, tag: 4, store: 'device', concatTotal: 0, draftGroupId: groupId }),
    );
    this.update((s) => {
      s.sms.cmdStatus['5'] = '3';
    });
    return saved;
  }

  /** Delete messages by id; returns how many existed. */
  deleteSms(ids: number[]): number {
    const wanted = new Set(ids);
    const before = this.state.sms.messages.length;
    this.update((s) => {
      s.sms.messages = s.sms.messages.filter((m) => !wanted.has(m.id));
      s.sms.cmdStatus['6'] = '3';
    });
    return before - this.state.sms.messages.length;
  }

  setSmsTag(ids: number[], tag: SmsTag): void {
    const wanted = new Set(ids);
    this.update((s) => {
      for (const m of s.sms.messages) if (wanted.has(m.id)) m.tag = tag;
    });
  }

  // --- stations ---

  /**
   * A client joins (or rejoins). A MAC refused by the access list, or one more than the SSID's MAX_Access_num,
   * is not let on: its `blockedAttempts` counts up and it stays offline.
   */
  joinStation(input: { mac: string; hostname?: string; ssidIndex?: 0 | 1; medium?: 'wifi' | 'lan' }): Station {
    const mac = input.mac.toUpperCase();
    const existing = this.state.stations.find((st) => st.mac === mac);
    const now = this.now();
    const ssid = input.ssidIndex === 1 ? this.state.wifi.guest : this.state.wifi.main;
    const onThisSsid = this.state.stations.filter((st) => st.online && st.medium === 'wifi' && st.ssidIndex === (input.ssidIndex ?? 0) && st.mac !== mac).length;
    const full = (input.medium ?? 'wifi') === 'wifi' && onThisSsid >= ssid.maxAccess;
    // A refused client (access list, or MAX_Access_num reached) stays offline and counts an attempt.
    if (isBlocked(this.state, mac) || full) {
      const known = existing ?? this.#newStation(mac, input, now);
      this.update((s) => {
        if (!existing) s.stations.push(known);
        known.online = false;
        known.blockedAttempts++;
      });
      return known;
    }
    if (existing) {
      this.update(() => {
        if (!existing.online) existing.connectedAtMs = now;
        existing.online = true;
        if (input.hostname !== undefined) existing.hostname = input.hostname;
      });
      return existing;
    }
    const station = this.#newStation(mac, input, now);
    this.update((s) => {
      s.stations.push(station);
      s.wifi.idleSinceMs = null;
    });
    return station;
  }

  leaveStation(mac: string): boolean {
    const st = this.state.stations.find((x) => x.mac === mac.toUpperCase());
    if (!st || !st.online) return false;
    this.update((s) => {
      st.online = false;
      st.lastDurationMs = this.now() - st.connectedAtMs;
      if (!s.stations.some((x) => x.online && x.medium === 'wifi')) s.wifi.idleSinceMs = this.now();
    });
    return true;
  }

  // --- firmware update (goform-api.md §3.8, §4.8 IF_UPGRADE) ---

  publishFirmware(input: { version: string; sizeBytes: number; description: string; mandatory?: boolean }): void {
    this.update((s) => {
      s.fota.available = { mandatory: false, ...input };
    });
  }

  checkFirmware(): void {
    this.update((s) => {
      s.fota.upgradeState = 'checking';
      s.fota.newVersionState = 'checking';
    });
    this.#later(3000, () => {
      this.update((s) => {
        const a = s.fota.available;
        s.fota.lastCheckMs = this.now();
        s.fota.upgradeState = 'idle';
        s.fota.newVersionState = a ? (a.mandatory ? 'version_has_new_critical_software' : 'version_has_new_optional_software') : '0';
      });
    });
  }

  /** Start downloading the published version; false when there is none or the battery is too low. */
  acceptFirmware(): boolean {
    const s = this.state;
    if (!s.fota.available) return false;
    if (s.battery.present && !s.battery.chargerConnected && s.battery.percent < 30) {
      this.update((st) => {
        st.fota.upgradeState = 'low_battery';
      });
      return false;
    }
    this.update((st) => {
      st.fota.upgradeState = 'downloading';
      st.fota.selector = 'accept';
      st.fota.downloadedBytes = 0;
    });
    return true;
  }

  cancelFirmware(): void {
    this.update((s) => {
      if (s.fota.upgradeState === 'downloading') s.fota.selector = 'downloading_cancel';
      else s.fota.selector = 'cancel';
      s.fota.upgradeState = 'idle';
      s.fota.downloadedBytes = 0;
    });
  }

  // --- system ---

  /** Reboot: down for 30 virtual seconds, sessions end, data reconnects on boot when auto_dial. */
  reboot(): void {
    this.bootEpoch++;
    this.update((s) => {
      s.system.poweredOn = false;
      s.system.offReason = 'reboot';
      s.connection.ppp = 'ppp_disconnected';
      s.connection.connectedSinceMs = null;
      for (const st of s.stations) {
        if (st.online) {
          st.online = false;
          st.lastDurationMs = this.now() - st.connectedAtMs;
        }
      }
    });
    this.#emit('reboot');
    this.#later(REBOOT_DOWN_MS, () => this.#boot());
  }

  /** Factory reset: settings, SMS on the device and counters return to defaults; identity and SIM stay. */
  factoryReset(): void {
    const keep = this.state;
    const fresh = createInitialState({
      id: keep.id,
      profile: this.profile,
      home: loadCarrier(this.profile.homeCarrier),
      roaming: loadCarrier(this.profile.roamingCarrier),
      seed: keep.seed,
      nowMs: this.now(),
    });
    fresh.sim = keep.sim;
    fresh.sms.messages = keep.sms.messages.filter((m) => m.store === 'sim');
    fresh.sms.nextId = keep.sms.nextId;
    fresh.fota.currentVersion = keep.fota.currentVersion;
    fresh.battery = keep.battery;
    fresh.system.restoreFlag = true;
    this.state = fresh;
    this.reboot();
  }

  isUp(): boolean {
    return this.state.system.poweredOn;
  }

  // --- stimuli (control API, scenarios) ---

  /** Set signal values; the rest stay. */
  setSignal(values: { rsrpDbm?: number | undefined; rsrqDb?: number | undefined; sinrDb?: number | undefined; rssiDbm?: number | undefined }): void {
    this.update((s) => {
      if (values.rsrpDbm !== undefined) s.radio.rsrpDbm = values.rsrpDbm;
      if (values.rsrqDb !== undefined) s.radio.rsrqDb = values.rsrqDb;
      if (values.sinrDb !== undefined) s.radio.sinrDb = values.sinrDb;
      if (values.rssiDbm !== undefined) s.radio.rssiDbm = values.rssiDbm;
      if (s.radio.nr && values.rsrpDbm !== undefined) s.radio.nr.rsrpDbm = Math.max(-156, Math.min(-31, values.rsrpDbm + 4));
    });
  }

  /** Move to another cell (and band): registration URCs with location fire on the AT side. */
  handover(cell: { cellId?: number | undefined; band?: number | undefined; earfcn?: number | undefined; pci?: number | undefined; tac?: number | undefined }): void {
    this.update((s) => {
      const r = s.radio;
      r.cellId = cell.cellId ?? r.cellId;
      r.band = cell.band ?? r.band;
      r.earfcn = cell.earfcn ?? r.earfcn;
      r.pci = cell.pci ?? r.pci;
      r.tac = cell.tac ?? r.tac;
    });
    this.#emit('registration-changed', this.state.radio.registration);
  }

  /** Change SIM state; a removed or locked SIM ends registration and data. */
  setSim(status: DeviceState['sim']['status']): void {
    this.update((s) => {
      s.sim.status = status;
      if (status === 'pin') s.sim.pinEnabled = true;
    });
    this.#emit('registration-changed', this.state.radio.registration);
    this.#enforceDataPolicy();
  }

  /** Lose the network (no service) or get it back (home, or roaming when on the partner network). */
  setNetworkAvailable(available: boolean): void {
    if (!available) return this.setRegistration('none');
    const s = this.state;
    const onPartner = s.radio.operator.mcc !== s.homeOperator.mcc || s.radio.operator.mnc !== s.homeOperator.mnc;
    this.setRegistration(onPartner ? 'roaming' : 'home');
  }

  /** Make the network reject (or accept again) PDP activation. */
  setPdpRejected(rejected: boolean): void {
    this.update((s) => {
      s.connection.pdpRejected = rejected;
      if (rejected) s.connection.dialFailures++;
    });
    if (rejected) this.disconnectData(false);
    else this.#enforceDataPolicy();
  }

  /** Add traffic at once (a big download happened). */
  addUsage(rxBytes: number, txBytes = 0): void {
    this.update((s) => {
      s.traffic.monthlyRxBytes += rxBytes;
      s.traffic.monthlyTxBytes += txBytes;
      if (s.connection.ppp === 'ppp_connected') {
        s.traffic.realtimeRxBytes += rxBytes;
        s.traffic.realtimeTxBytes += txBytes;
      }
    });
  }

  /** The monthly counters start again (the billing day came). */
  monthlyReset(): void {
    this.update((s) => {
      s.traffic.lastMonthTotalBytes = s.traffic.monthlyRxBytes + s.traffic.monthlyTxBytes;
      s.traffic.monthlyRxBytes = 0;
      s.traffic.monthlyTxBytes = 0;
      s.traffic.monthlySeconds = 0;
    });
    this.reconsiderData();
  }

  /** Connect again if nothing keeps data down any more (after a counter reset or a data-limit change). */
  reconsiderData(): void {
    this.#enforceDataPolicy();
  }

  /** Fill a message store to capacity with read filler messages. */
  fillSmsStore(store: SmsStore): number {
    const capacity = store === 'device' ? this.state.sms.deviceCapacity : this.state.sms.simCapacity;
    let added = 0;
    while (this.smsCount(store) < capacity) {
      this.#addSms({ number: '+0', text: `storage filler ${++added}`, tag: 0, store, concatTotal: 0 });
    }
    return added;
  }

  /**
   * FOTA faults: 'stall' stops the download, 'checksum' fails verification when it completes, 'power-loss'
   * cuts power during install (the old version boots, upgrade_result "fail"), 'rollback' returns a just
   * updated device to its previous version.
   */
  setFotaFault(fault: 'none' | 'stall' | 'checksum' | 'power-loss' | 'rollback'): void {
    if (fault === 'rollback') {
      const previous = this.state.fota.previousVersion;
      if (!previous) return;
      this.update((s) => {
        s.fota.currentVersion = previous;
        s.fota.previousVersion = null;
        s.fota.upgradeResult = 'rollback';
        s.fota.fault = 'none';
      });
      this.reboot();
      return;
    }
    this.update((s) => {
      s.fota.fault = fault;
    });
  }

  // --- internal ---

  #newStation(mac: string, input: { hostname?: string; ssidIndex?: 0 | 1; medium?: 'wifi' | 'lan' }, now: number): Station {
    const used = new Set(this.state.stations.map((st) => st.ip));
    const prefix = this.state.wan.lan.ip.split('.').slice(0, 3).join('.');
    let host = Number(this.state.wan.lan.dhcpStart.split('.')[3] ?? 100);
    while (used.has(`${prefix}.${host}`)) host++;
    return {
      mac,
      hostname: input.hostname ?? '',
      ip: `${prefix}.${host}`,
      ssidIndex: input.ssidIndex ?? 0,
      medium: input.medium ?? 'wifi',
      online: true,
      connectedAtMs: now,
      lastDurationMs: 0,
      child: false,
      accessSchedule: {},
      blockedAttempts: 0,
    };
  }

  #emit<E extends keyof DeviceEvents>(event: E, ...args: DeviceEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of set) (fn as Listener<DeviceEvents[E]>)(...args);
  }

  #later(delayMs: number, fn: () => void): void {
    const handle = this.clock.after(delayMs, () => {
      this.#pending.delete(handle);
      fn();
    });
    this.#pending.add(handle);
  }

  #addSms(input: { number: string; text: string; tag: SmsTag; store: SmsStore; concatTotal: number; draftGroupId?: string; timeMs?: number }): SmsMessage {
    const s = this.state.sms;
    const message: SmsMessage = {
      id: s.nextId,
      number: input.number,
      text: input.text,
      tag: input.tag,
      store: input.store,
      timeMs: input.timeMs ?? this.now(),
      tzHours: this.state.system.tzHours,
      draftGroupId: input.draftGroupId ?? '',
      concatTotal: input.concatTotal,
      concatReceived: input.concatTotal,
    };
    this.update((st) => {
      st.sms.messages.push(message);
      st.sms.nextId++;
    });
    return message;
  }

  #boot(): void {
    this.update((s) => {
      s.system.poweredOn = true;
      s.system.offReason = '';
      s.system.bootedAtMs = this.now();
      s.system.rebootCount++;
      const fota = s.fota;
      if (fota.upgradeState === 'upgrading' && fota.available) {
        fota.previousVersion = fota.currentVersion;
        fota.currentVersion = fota.available.version;
        fota.available = null;
        fota.upgradeResult = 'success';
        fota.upgradeState = 'idle';
        fota.newVersionState = '0';
        fota.lastUpdateMs = this.now();
        fota.downloadedBytes = 0;
      }
    });
    if (this.state.network.connectionMode === 'auto_dial' && this.state.network.mobileData) this.connectData();
  }

  #enforceDataPolicy(): void {
    const s = this.state;
    const allowed = isRegistered(s) && (s.radio.registration !== 'roaming' || s.network.dataRoaming);
    if (!allowed && s.connection.ppp !== 'ppp_disconnected') this.disconnectData(false);
    if (allowed && s.connection.ppp === 'ppp_disconnected' && s.network.mobileData && s.network.connectionMode === 'auto_dial') {
      this.connectData();
    }
  }

  /** True while a delayed effect (dialling, a reboot, a FOTA stage, an SMS send) is still due. */
  busy(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * Live through `ms` of virtual time in one step (whole seconds): what a fleet does when it wakes a device
   * it had put away, so battery and counters move on as if the device had stepped all along.
   */
  catchUp(ms: number): void {
    const seconds = Math.floor(ms / 1000);
    if (seconds > 0) this.#simulate(seconds);
  }

  /** One step of device life: battery, traffic, month roll-over, lock expiry, FOTA progress. */
  #simulate(stepS = this.#stepS): void {
    const s = this.state;
    const now = this.now();
    if (s.login.lockedUntilMs !== null && now >= s.login.lockedUntilMs) {
      s.login.lockedUntilMs = null;
      s.login.failuresLeft = MAX_LOGIN_ATTEMPTS;
    }
    const month = new Date(now + s.system.tzHours * 3_600_000).getUTCMonth() + 1;
    if (month !== s.traffic.month) {
      s.traffic.lastMonthTotalBytes = s.traffic.monthlyRxBytes + s.traffic.monthlyTxBytes;
      s.traffic.month = month;
      if (s.dataLimit.autoClear) {
        s.traffic.monthlyRxBytes = 0;
        s.traffic.monthlyTxBytes = 0;
        s.traffic.monthlySeconds = 0;
        this.#later(0, () => this.#enforceDataPolicy());
      }
    }
    if (s.system.poweredOn) {
      this.#simulateBattery(stepS);
      if (isDataConnected(s)) this.#simulateTraffic(stepS);
      this.#simulateFota(stepS);
    } else if (s.system.offReason === 'battery-empty') {
      this.#simulateBattery(stepS);
      // A MiFi that died on an empty battery starts again once the charger has put a few percent back.
      if (s.battery.level >= 3) this.#boot();
    }
    this.touch();
  }

  #simulateBattery(step: number): void {
    const b = this.state.battery;
    if (!b.present) return;
    if (b.chargerConnected) {
      b.level = Math.min(100, b.level + (b.chargePerHour * step) / 3600);
    } else {
      const online = this.state.stations.filter((x) => x.online).length;
      const load = 1 + 0.1 * online + (isDataConnected(this.state) ? 0.3 : 0);
      b.level = Math.max(0, b.level - (b.drainPerHour * load * step) / 3600);
    }
    b.percent = Math.round(b.level);
    if (b.level <= 0 && !b.chargerConnected && this.state.system.poweredOn) {
      this.bootEpoch++;
      this.state.system.poweredOn = false;
      this.state.system.offReason = 'battery-empty';
      this.state.connection.ppp = 'ppp_disconnected';
      this.state.connection.connectedSinceMs = null;
      this.#emit('reboot');
    }
  }

  #simulateTraffic(step: number): void {
    const t = this.state.traffic;
    const used = dataLimitUsed(this.state);
    const wander = (mean: number): number => Math.round(mean * (0.4 + 1.2 * this.rng.next()));
    t.rxBytesPerSecond = wander(t.meanRxBytesPerSecond);
    t.txBytesPerSecond = wander(t.meanTxBytesPerSecond);
    if (used !== null && used >= 1) {
      // The limit is reached: the router ends the data session (goform-api.md §3.4 traffic_overrun).
      t.rxBytesPerSecond = 0;
      t.txBytesPerSecond = 0;
      this.disconnectData(false);
      return;
    }
    t.realtimeRxBytes += t.rxBytesPerSecond * step;
    t.realtimeTxBytes += t.txBytesPerSecond * step;
    t.monthlyRxBytes += t.rxBytesPerSecond * step;
    t.monthlyTxBytes += t.txBytesPerSecond * step;
    t.realtimeSeconds += step;
    t.monthlySeconds += step;
  }

  #simulateFota(step: number): void {
    const f = this.state.fota;
    if (f.upgradeState !== 'downloading' || !f.available) return;
    if (!isDataConnected(this.state) || f.fault === 'stall') return;
    f.downloadedBytes = Math.min(f.available.sizeBytes, f.downloadedBytes + f.downloadBytesPerSecond * step);
    if (f.downloadedBytes >= f.available.sizeBytes) {
      if (f.fault === 'checksum') {
        f.upgradeState = 'verify_failed';
        f.downloadedBytes = 0;
        f.fault = 'none';
        return;
      }
      f.upgradeState = 'download_success';
      this.#later(2000, () => {
        this.update((s) => {
          s.fota.upgradeState = 'upgrading';
        });
        this.#later(10_000, () => {
          if (this.state.fota.fault === 'power-loss') {
            this.update((s) => {
              s.fota.upgradeState = 'idle';
              s.fota.upgradeResult = 'fail';
              s.fota.downloadedBytes = 0;
              s.fota.fault = 'none';
            });
          }
          this.reboot();
        });
      });
    }
  }
}
