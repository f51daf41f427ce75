import type { DeviceCore } from '../core.js';
import type { ApnProfile, ScheduleState, ShareState, WanState } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

export const APN_SLOTS = 20;

/** Router settings without rules across areas: language, APN profiles, WAN/LAN, schedules, file sharing. */
export interface SettingsApi {
  setLanguage(language: string): void;
  /** The device's time zone, hours east of UTC (-12..14, quarter hours). Refuses `invalid` outside that. */
  setTimeZone(tzHours: number): Outcome;
  /** Store an APN profile in slot 0-19. Refuses `invalid` for another slot. */
  saveApn(index: number, profile: ApnProfile): Outcome;
  /** Refuses `apn-slot-empty`, and `apn-in-use` for the default profile while the mode is manual. */
  deleteApn(index: number): Outcome;
  /** Auto APN, or manual with the profile in `index` (refuses `apn-slot-empty`). */
  setApnMode(mode: 'auto' | 'manual', index?: number): Outcome;
  /** WAN mode and its parameters (PPPoE, static, DHCP, auto). */
  setWan(input: { mode: string; pppoe?: Partial<WanState['pppoe']> | undefined; staticIp?: WanState['staticIp'] | undefined; ethernetPortSpecified?: boolean | undefined }): void;
  setLan(input: Partial<WanState['lan']>): void;
  /** Fast power-on on or off. */
  setQuickPowerOn(on: boolean): void;
  /** The ARP proxy switch on or off. */
  setArpProxy(on: boolean): void;
  setSleepWake(input: ScheduleState['sleepWake']): void;
  setLed(input: ScheduleState['led']): void;
  setShare(input: Partial<Pick<ShareState, 'enabled' | 'mode' | 'access' | 'sharedPath'>>): void;
}

export function createSettingsArea(core: DeviceCore): SettingsApi {
  const slot = (index: number): Outcome | null => (Number.isInteger(index) && index >= 0 && index < APN_SLOTS ? null : refuse('invalid', `APN slot ${index} is not 0-${APN_SLOTS - 1}`));
  return {
    setLanguage(language) {
      core.mutate((s) => {
        s.system.language = language;
      });
    },
    setTimeZone(tzHours) {
      if (!Number.isFinite(tzHours) || tzHours < -12 || tzHours > 14 || !Number.isInteger(tzHours * 4)) return refuse('invalid', `time zone ${tzHours} h is not -12..14 in quarter hours`);
      core.mutate((s) => {
        s.system.tzHours = tzHours;
      });
      return DONE;
    },
    saveApn(index, profile) {
      const bad = slot(index);
      if (bad) return bad;
      core.mutate((s) => {
        s.apn.profiles[index] = { ...profile };
      });
      return DONE;
    },
    deleteApn(index) {
      const bad = slot(index);
      if (bad) return bad;
      const apn = core.state.apn;
      if (!apn.profiles[index]) return refuse('apn-slot-empty', `APN slot ${index} is empty`);
      if (apn.mode === 'manual' && apn.defaultIndex === index) return refuse('apn-in-use', `APN slot ${index} is the default in use`);
      core.mutate((s) => {
        s.apn.profiles[index] = null;
      });
      return DONE;
    },
    setApnMode(mode, index) {
      if (mode === 'manual') {
        const bad = slot(index ?? -1);
        if (bad) return bad;
        if (!core.state.apn.profiles[index!]) return refuse('apn-slot-empty', `APN slot ${index} is empty`);
      }
      core.mutate((s) => {
        s.apn.mode = mode;
        if (mode === 'manual') s.apn.defaultIndex = index!;
      });
      return DONE;
    },
    setWan(input) {
      core.mutate((s) => {
        s.wan.mode = input.mode;
        if (input.ethernetPortSpecified !== undefined) s.wan.ethernetPortSpecified = input.ethernetPortSpecified;
        if (input.pppoe) Object.assign(s.wan.pppoe, input.pppoe);
        if (input.staticIp) s.wan.staticIp = { ...input.staticIp };
      });
    },
    setLan(input) {
      core.mutate((s) => {
        s.wan.lan = { ...s.wan.lan, ...input };
      });
    },
    setQuickPowerOn(on) {
      core.mutate((s) => {
        s.system.quickPowerOn = on;
      });
    },
    setArpProxy(on) {
      core.mutate((s) => {
        s.wan.arpProxy = on;
      });
    },
    setSleepWake(input) {
      core.mutate((s) => {
        s.schedules.sleepWake = { ...input };
      });
    },
    setLed(input) {
      core.mutate((s) => {
        s.schedules.led = { ...input };
      });
    },
    setShare(input) {
      core.mutate((s) => {
        Object.assign(s.share, input);
      });
    },
  };
}
