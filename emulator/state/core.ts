// What the area modules (areas/*.ts) share: the state they may write, the events they emit and the one tracked
// scheduler. Internal to emulator/state: surfaces get DeviceApi (device-api.ts), never a DeviceCore.
import type { TimerHandle, VirtualClock } from '../clock/virtual-clock.js';
import type { DeviceApi } from './device-api.js';
import type { DeviceState, Registration, SimStatus, SmsMessage, SmsReport, Station, Technology } from './device-state.js';
import type { SeededRandom } from './identity.js';
import type { DeviceProfile } from './profile.js';

export interface DeviceEvents {
  /** Any change to the state (after the change). */
  changed: [];
  /** A part of an incoming SMS was stored (one event per part: each has its own slot and indication). */
  'sms-received': [message: SmsMessage, seq: number];
  /** A status report arrived in SR memory. */
  'sms-status-report': [report: SmsReport];
  'registration-changed': [registration: Registration];
  'technology-changed': [technology: Technology];
  'sim-changed': [status: SimStatus];
  /** A station came online or went offline (left, kicked by the access list, Wi-Fi off, reboot). */
  'station-changed': [station: Station];
  /** The network answered a USSD request (the text as the network sent it). */
  'ussd-answer': [text: string];
  /** The device went down for a reboot (or power loss); sessions of every surface end here. */
  reboot: [];
  /** Settings went back to factory values (a reboot follows); management protocols start over (BOOTSTRAP). */
  'factory-reset': [];
  /** The device is up again after a reboot or power loss (management protocols report BOOT). */
  boot: [];
}

export interface DeviceCore {
  readonly profile: DeviceProfile;
  readonly clock: VirtualClock;
  readonly rng: SeededRandom;
  /** The live state: areas write it only inside mutate(). */
  readonly state: DeviceState;
  /** Every area, for rules that cross areas (SIM unlock runs the data policy). */
  readonly api: DeviceApi;
  now(): number;
  /** Change the state and notify (version bump, `changed`). */
  mutate(fn: (state: DeviceState) => void): void;
  emit<E extends keyof DeviceEvents>(event: E, ...args: DeviceEvents[E]): void;
  /** A delayed effect on the device's tracked scheduler: busy() sees it, close() cancels it. */
  later(delayMs: number, fn: () => void): TimerHandle;
  /** A new boot starts: sessions of the previous one end. */
  newBoot(): void;
}

export const PIN_RE = /^\d{4,8}$/;
export const PUK_RE = /^\d{8}$/;
