import type { DeviceCore } from '../core.js';
import { isBlocked } from '../derive.js';
import type { DeviceState, Station, WifiSsid } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

export interface WifiSettings {
  enabled?: boolean | undefined;
  guestEnabled?: boolean | undefined;
  /** SSID1's name, key and client limit. */
  ssid?: string | undefined;
  password?: string | undefined;
  maxAccess?: number | undefined;
  channel?: number | undefined;
  band?: 'a' | 'b' | undefined;
  countryCode?: string | undefined;
  wirelessMode?: string | undefined;
  sleepAfterMinutes?: number | undefined;
  coverage?: string | undefined;
}

export interface AccessList {
  /** 0 off, 1 white list (only these), 2 black list (not these). */
  mode: 0 | 1 | 2;
  black: string[];
  white: string[];
  /** Host names refused (wifi_hostname_black_list); unchanged when not given. */
  hostnames?: string[] | undefined;
}

/** Wi-Fi settings, access lists and the stations (clients) on Wi-Fi and LAN. */
export interface WifiApi {
  /**
   * Change Wi-Fi settings (partial). Switching the radio off takes every Wi-Fi client offline (their connection
   * time recorded, `station-changed` each); a lower client limit is enforced at the next join.
   */
  configure(settings: WifiSettings): void;
  /** Replace one SSID's settings (0 main, 1 guest). */
  setSsid(index: 0 | 1, settings: WifiSsid): void;
  /** Replace the access lists; a station online that the new lists refuse is taken offline at once. */
  setAccessList(list: AccessList): void;
  /** Add one MAC to the black list (switching the list to black-list mode); kicks it when online. */
  block(mac: string): { kicked: boolean };
  unblock(mac: string): void;
  /**
   * A client joins (or rejoins). A MAC refused by the access list, or one more than the SSID's MAX_Access_num, is
   * not let on: its `blockedAttempts` counts up and it stays offline.
   */
  join(input: { mac: string; hostname?: string | undefined; ssidIndex?: 0 | 1 | undefined; medium?: 'wifi' | 'lan' | undefined }): Station;
  /** A client leaves. Refuses `station-offline` when it is unknown or already offline. */
  leave(mac: string): Outcome;
  /** Refuses `unknown-station`. */
  rename(mac: string, hostname: string): Outcome;
  /** Put a station in (or out of) the parental-control group; its schedule follows `time_limited`. Refuses `unknown-station`. */
  setChild(mac: string, child: boolean): Outcome;
  /** The parental-control schedule, applied to every child station. */
  setTimeLimited(schedule: Record<string, number[]>): void;
}

export function createWifiArea(core: DeviceCore): WifiApi {
  const find = (mac: string): Station | undefined => core.state.stations.find((x) => x.mac === mac.toUpperCase());
  const dropWhere = (which: (st: Station) => boolean): Station[] => {
    let dropped: Station[] = [];
    core.mutate((s) => {
      dropped = takeOffline(s, core.now(), which);
    });
    for (const st of dropped) core.emit('station-changed', st);
    return dropped;
  };
  const enforceAccess = (): Station[] => dropWhere((st) => isBlocked(core.state, st.mac));
  const newStation = (mac: string, input: { hostname?: string | undefined; ssidIndex?: 0 | 1 | undefined; medium?: 'wifi' | 'lan' | undefined }): Station => {
    const used = new Set(core.state.stations.map((st) => st.ip));
    const prefix = core.state.wan.lan.ip.split('.').slice(0, 3).join('.');
    let host = Number(core.state.wan.lan.dhcpStart.split('.')[3] ?? 100);
    while (used.has(`${prefix}.${host}`)) host++;
    return {
      mac,
      hostname: input.hostname ?? '',
      ip: `${prefix}.${host}`,
      ssidIndex: input.ssidIndex ?? 0,
      medium: input.medium ?? 'wifi',
      online: true,
      connectedAtMs: core.now(),
      lastDurationMs: 0,
      child: false,
      accessSchedule: {},
      blockedAttempts: 0,
    };
  };

  const api: WifiApi = {
    configure(w) {
      core.mutate((s) => {
        if (w.enabled !== undefined) s.wifi.enabled = w.enabled;
        if (w.guestEnabled !== undefined) s.wifi.guestEnabled = w.guestEnabled;
        if (w.ssid !== undefined) s.wifi.main.ssid = w.ssid;
        if (w.password !== undefined) s.wifi.main.password = w.password;
        if (w.maxAccess !== undefined) s.wifi.main.maxAccess = w.maxAccess;
        if (w.channel !== undefined) s.wifi.channel = w.channel;
        if (w.band !== undefined) s.wifi.band = w.band;
        if (w.countryCode) s.wifi.countryCode = w.countryCode;
        if (w.wirelessMode) s.wifi.wirelessMode = w.wirelessMode;
        if (w.coverage !== undefined) s.wifi.coverage = w.coverage;
        if (w.sleepAfterMinutes !== undefined) {
          s.wifi.sleepAfterMinutes = w.sleepAfterMinutes;
          s.wifi.idleSinceMs = s.stations.some((x) => x.online && x.medium === 'wifi') ? null : core.now();
        }
      });
      // Turning the radio off drops every Wi-Fi client; their connection time ends now.
      if (w.enabled === false) dropWhere((st) => st.medium === 'wifi');
    },
    setSsid(index, settings) {
      core.mutate((s) => {
        if (index === 0) s.wifi.main = settings;
        else s.wifi.guest = settings;
      });
    },
    setAccessList(list) {
      core.mutate((s) => {
        s.wifi.aclMode = list.mode;
        s.wifi.macBlackList = list.black.map((m) => m.toUpperCase());
        s.wifi.macWhiteList = list.white.map((m) => m.toUpperCase());
        if (list.hostnames !== undefined) s.wifi.hostnameBlackList = list.hostnames;
      });
      enforceAccess();
    },
    block(mac) {
      const m = mac.toUpperCase();
      core.mutate((s) => {
        s.wifi.aclMode = 2;
        if (!s.wifi.macBlackList.includes(m)) s.wifi.macBlackList.push(m);
      });
      return { kicked: enforceAccess().some((st) => st.mac === m) };
    },
    unblock(mac) {
      const m = mac.toUpperCase();
      core.mutate((s) => {
        s.wifi.macBlackList = s.wifi.macBlackList.filter((x) => x !== m);
      });
    },
    join(input) {
      const mac = input.mac.toUpperCase();
      const s = core.state;
      const existing = find(mac);
      const ssidIndex = input.ssidIndex ?? 0;
      const medium = input.medium ?? 'wifi';
      const ssid = ssidIndex === 1 ? s.wifi.guest : s.wifi.main;
      const onThisSsid = s.stations.filter((st) => st.online && st.medium === 'wifi' && st.ssidIndex === ssidIndex && st.mac !== mac).length;
      const full = medium === 'wifi' && onThisSsid >= ssid.maxAccess;
      if (isBlocked(s, mac) || full) {
        const known = existing ?? newStation(mac, input);
        core.mutate((st) => {
          if (!existing) st.stations.push(known);
          known.online = false;
          known.blockedAttempts++;
        });
        return known;
      }
      if (existing) {
        const wasOnline = existing.online;
        core.mutate((st) => {
          if (!existing.online) existing.connectedAtMs = core.now();
          existing.online = true;
          if (input.hostname !== undefined) existing.hostname = input.hostname;
          if (medium === 'wifi') st.wifi.idleSinceMs = null;
        });
        if (!wasOnline) core.emit('station-changed', existing);
        return existing;
      }
      const station = newStation(mac, input);
      core.mutate((st) => {
        st.stations.push(station);
        if (medium === 'wifi') st.wifi.idleSinceMs = null;
      });
      core.emit('station-changed', station);
      return station;
    },
    leave(mac) {
      const st = find(mac);
      if (!st || !st.online) return refuse('station-offline', `station ${mac} is not online`);
      dropWhere((x) => x === st);
      return DONE;
    },
    rename(mac, hostname) {
      const st = find(mac);
      if (!st) return refuse('unknown-station', `no station ${mac}`);
      core.mutate(() => {
        st.hostname = hostname;
      });
      return DONE;
    },
    setChild(mac, child) {
      const st = find(mac);
      if (!st) return refuse('unknown-station', `no station ${mac}`);
      core.mutate((s) => {
        st.child = child;
        st.accessSchedule = child ? structuredClone(s.schedules.timeLimited) : {};
      });
      return DONE;
    },
    setTimeLimited(schedule) {
      core.mutate((s) => {
        s.schedules.timeLimited = schedule;
        for (const st of s.stations) if (st.child) st.accessSchedule = structuredClone(schedule);
      });
    },
  };
  return api;
}

/**
 * Take online stations offline inside a mutate (Wi-Fi off, an access list, a reboot): their connection time ends
 * now, and Wi-Fi's idle time starts once no Wi-Fi client is left. Returns those that were online.
 */
export function takeOffline(s: DeviceState, nowMs: number, which: (st: Station) => boolean = () => true): Station[] {
  const dropped: Station[] = [];
  for (const st of s.stations) {
    if (!st.online || !which(st)) continue;
    st.online = false;
    st.lastDurationMs = nowMs - st.connectedAtMs;
    dropped.push(st);
  }
  if (dropped.length > 0 && !s.stations.some((x) => x.online && x.medium === 'wifi')) s.wifi.idleSinceMs = nowMs;
  return dropped;
}
