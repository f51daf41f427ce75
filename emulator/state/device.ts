import type { TimerHandle, VirtualClock } from '../clock/virtual-clock.js';
import { createAccountArea, MAX_LOGIN_ATTEMPTS, type AccountApi } from './areas/account.js';
import { createDataArea, type DataApi } from './areas/data.js';
import { createFotaArea, type FotaApi } from './areas/fota.js';
import { createNetworkArea, type NetworkApi } from './areas/network.js';
import { createPowerArea, type PowerApi } from './areas/power.js';
import { createSettingsArea, type SettingsApi } from './areas/settings.js';
import { createSimArea, type SimApi } from './areas/sim.js';
import { createSmsArea, type SmsApi } from './areas/sms.js';
import { createWifiArea, type WifiApi } from './areas/wifi.js';
import { createManagementArea, type ManagementApi } from './areas/management.js';
import type { DeviceCore, DeviceEvents } from './core.js';
import { createInitialState } from './create-state.js';
import { dataLimitUsed, isDataConnected } from './derive.js';
import type { DeviceApi, StateView } from './device-api.js';
import { deviceStateSchema, type DeviceState } from './device-state.js';
import { SeededRandom } from './identity.js';
import { DONE, refuse, type Outcome } from './outcome.js';
import { loadCarrier, type DeviceProfile } from './profile.js';

export type { DeviceEvents } from './core.js';
export { MAX_LOGIN_ATTEMPTS };

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
  /** Start from this state (a device put away by a fleet) instead of a fresh one; trusted, not validated. */
  state?: DeviceState;
}

const TICK_MS = 1000;

type Listener<A extends unknown[]> = (...args: A) => void;

/**
 * One emulated device: its state, the simulation that moves it on the virtual clock, and every rule as an
 * operation of an area (device-api.ts). Only the areas write the state, through the core they are given here.
 */
export class Device implements DeviceApi {
  readonly clock: VirtualClock;
  readonly sim: SimApi;
  readonly network: NetworkApi;
  readonly data: DataApi;
  readonly wifi: WifiApi;
  readonly sms: SmsApi;
  readonly fota: FotaApi;
  readonly power: PowerApi;
  readonly settings: SettingsApi;
  readonly account: AccountApi;
  readonly management: ManagementApi;
  #profile: DeviceProfile;
  #rng: SeededRandom;
  #password: string | undefined;
  #state: DeviceState;
  #version = 0;
  #bootEpoch = 0;
  #listeners = new Map<keyof DeviceEvents, Set<Listener<never[]>>>();
  #tick: TimerHandle;
  #pending = new Set<TimerHandle>();
  /** Seconds of device life per simulation step. */
  readonly #stepS: number;

  constructor(options: CreateDeviceOptions) {
    // A copy: quirks can be switched per device at run time without touching the cached fixture.
    this.#profile = structuredClone(options.profile);
    this.clock = options.clock;
    this.#rng = new SeededRandom(options.seed);
    this.#password = options.password;
    this.#state = options.state ?? this.#fresh(options.id ?? 'dev-0', options.profile, options.seed);
    const tickMs = options.tickMs ?? TICK_MS;
    // Whole seconds: the goform counters (realtime_time, monthly_time) count seconds.
    if (!Number.isInteger(tickMs / 1000) || tickMs < 1000 || tickMs > 3_600_000) throw new RangeError(`tickMs must be whole seconds from 1000 to 3600000, got ${tickMs}`);
    this.#stepS = tickMs / 1000;

    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the core closes over this device for its areas
    const device = this;
    const core: DeviceCore = {
      get profile() {
        return device.#profile;
      },
      clock: this.clock,
      get rng() {
        return device.#rng;
      },
      get state() {
        return device.#state;
      },
      api: this,
      now: () => this.clock.now(),
      mutate: (fn) => {
        fn(this.#state);
        this.#touch();
      },
      emit: (event, ...args) => this.#emit(event, ...args),
      later: (delayMs, fn) => this.#later(delayMs, fn),
      newBoot: () => {
        this.#bootEpoch++;
      },
    };
    this.sim = createSimArea(core);
    this.network = createNetworkArea(core);
    this.data = createDataArea(core);
    this.wifi = createWifiArea(core);
    this.sms = createSmsArea(core);
    this.fota = createFotaArea(core);
    this.power = createPowerArea(core, (next) => {
      this.#state = next;
      this.#touch();
    });
    this.settings = createSettingsArea(core);
    this.account = createAccountArea(core);
    this.management = createManagementArea(core);
    this.#tick = this.clock.every(tickMs, () => this.#simulate());
  }

  get state(): StateView {
    return this.#state;
  }

  /** The profile (a per-device copy: quirks can be switched at run time through setQuirks). */
  get profile(): DeviceProfile {
    return this.#profile;
  }

  get rng(): SeededRandom {
    return this.#rng;
  }

  /**
   * Start over as a new device of `profile` and `seed` (default: the current profile, seed 1): pending effects are
   * cancelled, the state is a fresh one (same device id) and every surface's sessions end (`reboot`). What a bench
   * does between scenarios so that each starts from the same device.
   */
  reset(options: { profile?: DeviceProfile | undefined; seed?: number | undefined } = {}): void {
    for (const t of this.#pending) t.cancel();
    this.#pending.clear();
    const profile = structuredClone(options.profile ?? this.#profile);
    const seed = options.seed ?? 1;
    this.#profile = profile;
    this.#rng = new SeededRandom(seed);
    this.#state = this.#fresh(this.#state.id, profile, seed);
    this.#bootEpoch++;
    this.#emit('reboot');
    this.#touch();
  }

  get version(): number {
    return this.#version;
  }

  get bootEpoch(): number {
    return this.#bootEpoch;
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

  replaceState(next: unknown): Outcome {
    const parsed = deviceStateSchema.safeParse(next);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      return refuse('invalid', problems.join('; '));
    }
    this.#state = { ...parsed.data, id: this.#state.id };
    this.#touch();
    return DONE;
  }

  setQuirks(quirks: Partial<DeviceProfile['quirks']>): void {
    Object.assign(this.#profile.quirks, quirks);
    this.#touch();
  }

  /** A JSON copy of the state, for snapshots and put-away. */
  snapshot(): DeviceState {
    return structuredClone(this.#state);
  }

  /** True while a delayed effect (dialling, a reboot, a FOTA stage, an SMS send, a selection, a trace) is due. */
  busy(): boolean {
    return this.#pending.size > 0;
  }

  /** Stop simulating, cancel every pending effect and drop the listeners. Idempotent. */
  close(): void {
    this.#tick.cancel();
    for (const t of this.#pending) t.cancel();
    this.#pending.clear();
    this.#listeners.clear();
  }

  /**
   * Live through `ms` of virtual time in one step (whole seconds): what a fleet does when it wakes a device
   * it had put away, so battery and counters move on as if the device had stepped all along.
   */
  catchUp(ms: number): void {
    const seconds = Math.floor(ms / 1000);
    if (seconds > 0) this.#simulate(seconds);
  }

  // --- internal ---

  /** The state of a new device of `profile` and `seed`, now (the carriers its profile names, the web password). */
  #fresh(id: string, profile: DeviceProfile, seed: number): DeviceState {
    return createInitialState({
      id,
      profile,
      home: loadCarrier(profile.homeCarrier),
      roaming: loadCarrier(profile.roamingCarrier),
      seed,
      nowMs: this.clock.now(),
      ...(this.#password === undefined ? {} : { password: this.#password }),
    });
  }

  #touch(): void {
    this.#version++;
    this.#emit('changed');
  }

  #emit<E extends keyof DeviceEvents>(event: E, ...args: DeviceEvents[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of set) (fn as Listener<DeviceEvents[E]>)(...args);
  }

  #later(delayMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.after(delayMs, () => {
      this.#pending.delete(handle);
      fn();
    });
    this.#pending.add(handle);
    return handle;
  }

  /** One step of device life: battery, traffic, month roll-over, lock expiry, FOTA progress. */
  #simulate(stepS = this.#stepS): void {
    const s = this.#state;
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
        this.#later(0, () => this.data.enforcePolicy());
      }
    }
    const wasUp = s.system.poweredOn;
    this.power.step(stepS);
    if (wasUp) {
      if (isDataConnected(s)) this.#simulateTraffic(stepS);
      this.fota.step(stepS);
    }
    this.#touch();
  }

  #simulateTraffic(step: number): void {
    const t = this.#state.traffic;
    const used = dataLimitUsed(this.#state);
    const wander = (mean: number): number => Math.round(mean * (0.4 + 1.2 * this.#rng.next()));
    t.rxBytesPerSecond = wander(t.meanRxBytesPerSecond);
    t.txBytesPerSecond = wander(t.meanTxBytesPerSecond);
    if (used !== null && used >= 1) {
      // The limit is reached: the router ends the data session (goform-api.md §3.4 traffic_overrun).
      t.rxBytesPerSecond = 0;
      t.txBytesPerSecond = 0;
      this.data.disconnect(false);
      return;
    }
    t.realtimeRxBytes += t.rxBytesPerSecond * step;
    t.realtimeTxBytes += t.txBytesPerSecond * step;
    t.monthlyRxBytes += t.rxBytesPerSecond * step;
    t.monthlyTxBytes += t.txBytesPerSecond * step;
    t.realtimeSeconds += step;
    t.monthlySeconds += step;
  }
}
