import type { ApnProfile, DeepReadonly, StateView, Station } from './device-state.js';

// Values every surface derives from the same state. One function per value, so goform, AT and cloud agree.

/** 0-5 bars from RSRP (LTE/NR) or RSSI (WCDMA/GSM); 0 when not registered. */
export function signalBars(state: StateView): number {
  const r = state.radio;
  if (!isRegistered(state)) return 0;
  if (r.technology === 'WCDMA' || r.technology === 'GSM') {
    return thresholds(r.rssiDbm, [-105, -97, -89, -81, -73]);
  }
  const rsrp = r.technology === 'SA' && r.nr ? r.nr.rsrpDbm : r.rsrpDbm;
  return thresholds(rsrp, [-120, -111, -103, -95, -85]);
}

export function isRegistered(state: StateView): boolean {
  return state.system.poweredOn && state.sim.status === 'ready' &&
    (state.radio.registration === 'home' || state.radio.registration === 'roaming');
}

export function isDataConnected(state: StateView): boolean {
  return state.connection.ppp === 'ppp_connected';
}

/** 0-4 battery bars as `battery_pers` (goform-api.md §3.3). */
export function batteryBars(percent: number): number {
  if (percent <= 5) return 0;
  return Math.min(4, Math.ceil(percent / 25));
}

/**
 * Where the power comes from: `battery` (no charger, or no battery at all: a USB stick or a CPE on mains has nothing
 * to charge), `charging`, or `full` (on the charger at 100 %). goform's battery_charging "0"/"1"/"2" (§3.3), ubus
 * charge_status and TR-181's Charging all read it.
 */
export function chargeState(state: StateView): 'battery' | 'charging' | 'full' {
  const b = state.battery;
  if (!b.present || !b.chargerConnected) return 'battery';
  return b.percent < 100 ? 'charging' : 'full';
}

/** Ethernet WAN modes (goform-api.md §3.10): ways to use the cable. PPP (cellular) and the bridges are not. */
const ETHERNET_WAN_MODES: ReadonlySet<string> = new Set(['AUTO', 'PPPOE', 'DHCP', 'STATIC']);

/** The Ethernet WAN's own mode (`ethwan_mode`): the WAN mode when it is a cable mode, else the cable's AUTO (§9.1). */
export function ethernetWanMode(state: StateView): string {
  return ETHERNET_WAN_MODES.has(state.wan.mode) ? state.wan.mode : 'AUTO';
}

/** The WAN runs over the cable: a cable mode, or AUTO that picked one (auto mode AUTO_PPPOE/DHCP/STATIC, §3.10). */
export function wanOverCable(state: StateView): boolean {
  const { mode, autoMode } = state.wan;
  if (mode === 'AUTO' || mode === 'AUTO_BACKUP') return /^AUTO_(PPPOE|DHCP|STATIC)$/.test(autoMode);
  return ETHERNET_WAN_MODES.has(mode);
}

/** Data limit in bytes (data unit) or seconds (time unit); null when the limit is off. */
export function dataLimitAmount(state: StateView): number | null {
  const dl = state.dataLimit;
  if (!dl.enabled) return null;
  if (dl.unit === 'time') return Number(dl.size) * 3600;
  const [n, mult] = dl.size.split('_').map(Number);
  return (n ?? 0) * (mult ?? 1) * 1024 * 1024;
}

/** Fraction of the limit used (0..), or null when the limit is off. */
export function dataLimitUsed(state: StateView): number | null {
  const limit = dataLimitAmount(state);
  if (limit === null || limit === 0) return null;
  const t = state.traffic;
  const used = state.dataLimit.unit === 'time' ? t.monthlySeconds : t.monthlyRxBytes + t.monthlyTxBytes;
  return used / limit;
}

/** Local wall time of the device, in minutes since midnight, from virtual ms and its timezone. */
export function localMinutes(state: StateView, nowMs: number): number {
  const local = new Date(nowMs + state.system.tzHours * 3_600_000);
  return local.getUTCHours() * 60 + local.getUTCMinutes();
}

/** True when `HH:MM` local time lies in [start, end), windows crossing midnight included. */
export function inWindow(minutes: number, start: string, end: string): boolean {
  const s = hhmm(start);
  const e = hhmm(end);
  if (s === e) return false;
  return s < e ? minutes >= s && minutes < e : minutes >= s || minutes < e;
}

export function isNightMode(state: StateView, nowMs: number): boolean {
  const led = state.schedules.led;
  return led.nightMode && inWindow(localMinutes(state, nowMs), led.start, led.end);
}

/** Wi-Fi radio actually on: enabled, not in the sleep window of the sleep/wake schedule, not idle-slept. */
export function wifiRadioOn(state: StateView, nowMs: number): boolean {
  const w = state.wifi;
  if (!w.enabled || !state.system.poweredOn) return false;
  const sw = state.schedules.sleepWake;
  if (sw.sleepEnabled && sw.wakeEnabled && inWindow(localMinutes(state, nowMs), sw.sleepTime, sw.wakeTime)) return false;
  if (w.sleepAfterMinutes > 0 && w.idleSinceMs !== null && onlineStations(state).length === 0) {
    return nowMs - w.idleSinceMs < w.sleepAfterMinutes * 60_000;
  }
  return true;
}

export function onlineStations(state: StateView): readonly DeepReadonly<Station>[] {
  return state.stations.filter((s) => s.online);
}

export function isBlocked(state: StateView, mac: string): boolean {
  const m = mac.toUpperCase();
  if (state.wifi.aclMode === 2) return state.wifi.macBlackList.includes(m);
  if (state.wifi.aclMode === 1) return !state.wifi.macWhiteList.includes(m);
  return false;
}

// --- internal ---

function thresholds(value: number, steps: number[]): number {
  let bars = 0;
  for (const s of steps) if (value >= s) bars++;
  return bars;
}

function hhmm(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The APN profile in use: the default manual slot, or the carrier's automatic profile. */
export function activeApnProfile(state: StateView): ApnProfile {
  const a = state.apn;
  return a.mode === 'manual' ? (a.profiles[a.defaultIndex] ?? a.autoProfile) : a.autoProfile;
}
