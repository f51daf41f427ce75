// DeviceApi: the one device every surface (goform, AT, cloud, control API) talks to. Surfaces read the state and
// call operations; they never write the state. Imports only emulator/state.
import type { VirtualClock } from '../clock/virtual-clock.js';
import type { AccountApi } from './areas/account.js';
import type { DataApi } from './areas/data.js';
import type { FotaApi } from './areas/fota.js';
import type { ManagementApi } from './areas/management.js';
import type { NetworkApi } from './areas/network.js';
import type { PowerApi } from './areas/power.js';
import type { SettingsApi } from './areas/settings.js';
import type { SimApi } from './areas/sim.js';
import type { SmsApi } from './areas/sms.js';
import type { WifiApi } from './areas/wifi.js';
import type { DeviceEvents } from './core.js';
import type { DeviceState, StateView } from './device-state.js';
import type { SeededRandom } from './identity.js';
import type { DeviceProfile } from './profile.js';
import type { Outcome } from './outcome.js';

export type { DeepReadonly, StateView } from './device-state.js';

export interface DeviceApi {
  /** The profile (a per-device copy: quirks can be switched at run time through setQuirks). */
  readonly profile: Readonly<DeviceProfile>;
  readonly clock: VirtualClock;
  /** The whole state, read-only. */
  readonly state: StateView;
  /** Increases on every change; surfaces cache what they derive from it. */
  readonly version: number;
  /** Increases on every reboot, power loss or reset; sessions from an older boot are invalid. */
  readonly bootEpoch: number;
  now(): number;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends keyof DeviceEvents>(event: E, fn: (...args: DeviceEvents[E]) => void): () => void;
  /** True while a delayed effect (dialling, a reboot, a FOTA stage, an SMS send, a selection, a trace) is due. */
  busy(): boolean;
  /** The device's seeded random source (session tokens, jitter): the same seed gives the same draws. */
  readonly rng: SeededRandom;

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

  /**
   * Replace the whole state (control API PATCH and restore, recordings, a fleet waking a device). The state is
   * validated as a whole; refuses `invalid` with the first problems in `message` and leaves the state as it was.
   * The device id never changes (the given one is ignored).
   */
  replaceState(next: unknown): Outcome;
  /** Start over as a fresh device of a profile and seed (sessions end, pending effects cancelled); see Device.reset. */
  reset(options?: { profile?: DeviceProfile | undefined; seed?: number | undefined }): void;
  /** A mutable deep copy of the state (snapshots, recordings, put-away). */
  snapshot(): DeviceState;
  /** Switch firmware quirks at run time (control API). */
  setQuirks(quirks: Partial<DeviceProfile['quirks']>): void;
}

export type { DeviceEvents } from './core.js';
