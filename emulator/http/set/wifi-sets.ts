import type { WifiSsid } from '../../state/device-state.js';
import type { StateView } from '../../state/device-api.js';
import { fromBase64 } from '../codec.js';
import { BadField, MAC_RE, SUCCESS, done, flag, intIn, macList, need, oneOf, optional, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.6 Wi-Fi, access control and parental control (§4.8 ADD_DEVICE/SAVE_TIME_LIMITED).

const AUTH_MODES = ['OPEN', 'SHARED', 'WPAPSK', 'WPA2PSK', 'WPAPSKWPA2PSK', 'WPA3PSK', 'WPA2PSKWPA3PSK'] as const;
const SLEEP_MINUTES = ['-1', '5', '10', '20', '30', '60', '120'] as const;

/** Reads one SSID's settings; `prefix` is "" for SSID1 and "m_" for SSID2 (field names per §4.6). */
function ssidSettings(ctx: SetContext, current: StateView['wifi']['main'], names: { ssid: string; hide: string; max: string; auth: string; psk: string; iso: string }): WifiSsid {
  const ssid = need(ctx, names.ssid);
  if (ssid.length < 1 || ssid.length > 32) throw new BadField(`${names.ssid} must be 1-32 characters`);
  const authMode = oneOf(ctx, names.auth, AUTH_MODES);
  let password = current.password;
  let encrypType: string;
  if (authMode === 'OPEN' || authMode === 'SHARED') {
    encrypType = 'NONE';
  } else {
    // §7.21: Wi-Fi passwords travel Base64-encoded.
    let psk: string;
    try {
      psk = fromBase64(need(ctx, names.psk));
    } catch (e) {
      if (e instanceof BadField) throw e;
      throw new BadField(`${names.psk} is not base64`);
    }
    if (psk.length < 8 || psk.length > 63) throw new BadField(`${names.psk} must decode to 8-63 characters`);
    password = psk;
    const cipher = optional(ctx, 'cipher');
    encrypType = cipher === '2' ? 'TKIPCCMP' : 'CCMP';
  }
  return {
    ssid,
    password,
    authMode,
    encrypType,
    hidden: ctx.fields[names.hide] === undefined ? current.hidden : flag(ctx, names.hide),
    maxAccess: ctx.fields[names.max] === undefined ? current.maxAccess : intIn(ctx, names.max, 1, 32),
    isolation: ctx.fields[names.iso] === undefined ? current.isolation : flag(ctx, names.iso),
  };
}

const SSID1 = { ssid: 'ssid', hide: 'broadcastSsidEnabled', max: 'MAX_Access_num', auth: 'security_mode', psk: 'passphrase', iso: 'NoForwarding' };
const SSID2 = { ssid: 'm_SSID', hide: 'm_HideSSID', max: 'm_MAX_Access_num', auth: 'm_AuthMode', psk: 'm_WPAPSK1', iso: 'm_NoForwarding' };

export const wifiSets: Record<string, SetDef> = {
  SET_WIFI_SSID1_SETTINGS: {
    handle(ctx) {
      ctx.device.wifi.setSsid(0, ssidSettings(ctx, ctx.state.wifi.main, SSID1));
      return SUCCESS;
    },
  },
  SET_WIFI_SSID2_SETTINGS: {
    handle(ctx) {
      ctx.device.wifi.setSsid(1, ssidSettings(ctx, ctx.state.wifi.guest, SSID2));
      return SUCCESS;
    },
  },
  SET_WIFI_INFO: {
    handle(ctx) {
      const enabled = flag(ctx, 'wifiEnabled');
      const guest = ctx.fields.m_ssid_enable === undefined ? undefined : flag(ctx, 'm_ssid_enable');
      const max = ctx.fields.MAX_Access_num === undefined ? undefined : intIn(ctx, 'MAX_Access_num', 1, 32);
      const channel = ctx.fields.selectedChannel === undefined ? undefined : intIn(ctx, 'selectedChannel', 0, 13);
      const band = ctx.fields.wifi_band === undefined ? undefined : oneOf(ctx, 'wifi_band', ['a', 'b']);
      ctx.device.wifi.configure({ enabled, guestEnabled: guest, maxAccess: max, channel, band, countryCode: ctx.fields.countryCode, wirelessMode: ctx.fields.wifiMode });
      return SUCCESS;
    },
  },
  switchWiFiModule: {
    // Dual-chip CPEs (§4.6): the whole Wi-Fi module on or off, like SET_WIFI_INFO's wifiEnabled.
    handle(ctx) {
      ctx.device.wifi.configure({ enabled: flag(ctx, 'SwitchOption') });
      return SUCCESS;
    },
  },
  SET_WIFI_SLEEP_INFO: {
    handle(ctx) {
      ctx.device.wifi.configure({ sleepAfterMinutes: Number(oneOf(ctx, 'sysIdleTimeToSleep', SLEEP_MINUTES)) });
      return SUCCESS;
    },
  },
  SET_WIFI_COVERAGE: {
    handle(ctx) {
      ctx.device.wifi.configure({ coverage: oneOf(ctx, 'wifi_coverage', ['short_mode', 'medium_mode', 'long_mode']) });
      return SUCCESS;
    },
  },
  WIFI_MAC_FILTER: {
    handle(ctx) {
      const mode = Number(oneOf(ctx, 'ACL_mode', ['0', '1', '2'])) as 0 | 1 | 2;
      const black = macList(ctx, 'wifi_mac_black_list');
      const white = macList(ctx, 'wifi_mac_white_list');
      const names = (ctx.fields.wifi_hostname_black_list ?? '').split(';').filter((n) => n !== '');
      ctx.device.wifi.setAccessList({ mode, black, white, hostnames: names });
      return SUCCESS;
    },
  },
  setDeviceAccessControlList: {
    handle(ctx) {
      const mode = Number(oneOf(ctx, 'AclMode', ['0', '1', '2'])) as 0 | 1 | 2;
      const black = macList(ctx, 'BlackMacList');
      const white = macList(ctx, 'WhiteMacList');
      ctx.device.wifi.setAccessList({ mode, black, white });
      return SUCCESS;
    },
  },
  EDIT_HOSTNAME: {
    handle(ctx) {
      const mac = macField(ctx, 'mac');
      const hostname = need(ctx, 'hostname');
      if (hostname.length > 64) throw new BadField('hostname is longer than 64 characters');
      return done(ctx.device.wifi.rename(mac, hostname));
    },
  },
  ADD_DEVICE: {
    handle(ctx) {
      return done(ctx.device.wifi.setChild(macField(ctx, 'mac'), true));
    },
  },
  DEL_DEVICE: {
    handle(ctx) {
      return done(ctx.device.wifi.setChild(macField(ctx, 'mac'), false));
    },
  },
  SAVE_TIME_LIMITED: {
    handle(ctx) {
      ctx.device.wifi.setTimeLimited(parseTimeLimited(ctx.fields.time_limited ?? ''));
      return SUCCESS;
    },
  },
};

/** A MAC field; BadField when malformed (an unknown station is the device's refusal). */
function macField(ctx: SetContext, name: string): string {
  const mac = need(ctx, name);
  if (!MAC_RE.test(mac)) throw new BadField(`${name}=${mac} is not a MAC address`);
  return mac;
}

/** `0+0,8,20;1+9,13` -> { "0": [0, 8, 20], "1": [9, 13] } (goform-api.md §3.10). */
export function parseTimeLimited(text: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const part of text.split(';').filter((p) => p !== '')) {
    const m = /^([0-6])\+(\d{1,2}(,\d{1,2})*)$/.exec(part);
    if (!m) throw new BadField(`time_limited entry "${part}" is not day+h,h`);
    const hours = m[2]!.split(',').map(Number);
    if (hours.some((h) => h > 23)) throw new BadField(`time_limited entry "${part}" has an hour past 23`);
    out[m[1]!] = [...new Set(hours)].sort((a, b) => a - b);
  }
  return out;
}
