import type { WifiSsid } from '../../state/device-state.js';
import type { StateView } from '../../state/device-api.js';
import type { WifiSettings } from '../../state/areas/wifi.js';
import { wifiRadioOn } from '../../state/derive.js';
import { BadArg, obj, ok, str, type UbusContext, type UbusObject } from '../method-def.js';

// zwrt_wlan (ubus-api.md §6.12). The device has one main SSID served on both bands with band steering on
// (lbd_enable "1"), and one guest SSID: main_2g/main_5g are the main SSID, guest_2g/guest_5g the guest SSID, and
// zte_mbb/radio2/radio5/wifi0/wifi1 the radio. A set naming main_5g changes the one main SSID.

const MAIN = ['main_2g', 'main_5g'] as const;
const GUEST = ['guest_2g', 'guest_5g'] as const;
const RADIOS = ['zte_mbb', 'radio2', 'radio5', 'wifi0', 'wifi1'] as const;

/** OpenWrt encryption names (§6.12) of the device's auth modes, both ways. */
const ENCRYPTION: Record<string, { authMode: string; encrypType: string }> = {
  none: { authMode: 'OPEN', encrypType: 'NONE' },
  'psk2+ccmp': { authMode: 'WPA2PSK', encrypType: 'CCMP' },
  psk2: { authMode: 'WPA2PSK', encrypType: 'CCMP' },
  'psk-mixed+tkip+ccmp': { authMode: 'WPAPSKWPA2PSK', encrypType: 'TKIPCCMP' },
  'psk-mixed+ccmp': { authMode: 'WPAPSKWPA2PSK', encrypType: 'CCMP' },
  sae: { authMode: 'WPA3PSK', encrypType: 'CCMP' },
  'sae-mixed': { authMode: 'WPA2PSKWPA3PSK', encrypType: 'CCMP' },
};

export function encryptionName(ssid: { authMode: string; encrypType: string }): string {
  switch (ssid.authMode) {
    case 'OPEN':
    case 'SHARED':
      return 'none';
    case 'WPAPSKWPA2PSK':
      return ssid.encrypType === 'TKIPCCMP' ? 'psk-mixed+tkip+ccmp' : 'psk-mixed+ccmp';
    case 'WPA3PSK':
      return 'sae';
    case 'WPA2PSKWPA3PSK':
      return 'sae-mixed';
    default:
      return 'psk2+ccmp';
  }
}

export const wlanObject: UbusObject = {
  group: 'wifi',
  methods: {
    report: { read: true, doc: 'Wi-Fi summary: main2g_ssid, main5g_ssid, wifi_onoff, radio2/radio5, lbd_enable (§6.12)', handle: (c) => ok(report(c)) },
    iface_report: {
      doc: 'ifaces[]: section_name, ssid, key_encode (ENC of base64 key), maxassoc, disabled, hidden, encryption',
      handle: (c) => ok({ ifaces: [...MAIN, ...GUEST].map((name) => iface(c, name)) }),
    },
    wlan_get_key: {
      doc: 'wlan_keys[]: section_name, key_encode',
      handle: (c) => ok({ wlan_keys: [...MAIN, ...GUEST].map((name) => ({ section_name: name, key_encode: keyEncode(c, ssidOf(c.state, name)) })) }),
    },
    wlan_uci_get_section: {
      doc: '{section}: the UCI options of zte_mbb, an AP section (main_2g...) or a radio (wifi0, wifi1)',
      handle(c, a) {
        const section = str(a, 'section');
        const values = section === '' ? null : uciSection(c, section);
        if (!values) throw new BadArg(`section=${section} is not a Wi-Fi section`);
        return ok(values);
      },
    },
    set: {
      doc: '{"<section>":{option:value,...}}: SSID, key (ENC of base64), encryption, hidden, disabled, maxassoc, wifi_onoff, channel',
      handle(c, a) {
        const { settings, main, guest } = parseSet(c, a);
        // Validated as a whole above; now applied (one operation per thing changed).
        if (main) c.device.wifi.setSsid(0, main);
        if (guest) c.device.wifi.setSsid(1, guest);
        if (Object.keys(settings).length > 0) c.device.wifi.configure(settings);
        return ok();
      },
    },
    wlan_get_dfs_status: { read: true, doc: 'dfs_status ("" when no DFS wait runs)', handle: () => ok({ dfs_status: '' }) },
    get_wps_status: { read: true, doc: 'wifi_wps_status_info', handle: () => ok({ wifi_wps_status_info: '0' }) },
    wlan_get_guest_access_left_time: {
      doc: 'wlan_guest_left_time_info[]: section_name, guest_left_time (0 = no limit)',
      handle: () => ok({ wlan_guest_left_time_info: GUEST.map((g) => ({ section_name: g, guest_left_time: '0' })) }),
    },
  },
};

export function report(c: UbusContext): Record<string, unknown> {
  const w = c.state.wifi;
  const on = wifiRadioOn(c.state, c.nowMs);
  return {
    load_status: '1',
    dfs_status: '',
    mesh_deployed: '0',
    mesh_deploying_status: '',
    wifi_start_mode: 'normal',
    radio2: on ? '1' : '0',
    radio5: on ? '1' : '0',
    radio6: '0',
    main2g_ssid: w.main.ssid,
    main5g_ssid: w.main.ssid,
    lbd_enable: '1',
    wifi_onoff: w.enabled ? '1' : '0',
  };
}

// --- internal ---

function ssidOf(s: StateView, section: string): StateView['wifi']['main'] {
  return (GUEST as readonly string[]).includes(section) ? s.wifi.guest : s.wifi.main;
}

function keyEncode(c: UbusContext, ssid: StateView['wifi']['main']): string {
  return c.enc(Buffer.from(ssid.password, 'utf8').toString('base64'));
}

function iface(c: UbusContext, name: string): Record<string, unknown> {
  const s = c.state;
  const ssid = ssidOf(s, name);
  const guest = (GUEST as readonly string[]).includes(name);
  return {
    section_name: name,
    ssid: ssid.ssid,
    key_encode: keyEncode(c, ssid),
    maxassoc: String(ssid.maxAccess),
    disabled: (guest ? s.wifi.guestEnabled : s.wifi.enabled) ? '0' : '1',
    hidden: ssid.hidden ? '1' : '0',
    encryption: encryptionName(ssid),
    isolate: ssid.isolation ? '1' : '0',
  };
}

function uciSection(c: UbusContext, section: string): Record<string, unknown> | null {
  const w = c.state.wifi;
  if (section === 'zte_mbb') return { wifi_onoff: w.enabled ? '1' : '0', lbd: '1', eacs: '0', mesh_onoff: '0', beamforming: '1', wifi6_switch: '1' };
  if ((MAIN as readonly string[]).includes(section) || (GUEST as readonly string[]).includes(section)) {
    const { section_name: _name, key_encode: _key, ...rest } = iface(c, section);
    return { ...rest, pmf: '1', guest_active_time: '0', qrImageShow: '1', wifiSyncparasFlag: '1', macfilter: ['disable', 'allow', 'deny'][w.aclMode]!, acl_list: w.aclMode === 1 ? [...w.macWhiteList] : [...w.macBlackList] };
  }
  if (section === 'wifi0' || section === 'wifi1' || section === 'radio2' || section === 'radio5') {
    const five = section === 'wifi1' || section === 'radio5';
    return { band: five ? '5g' : '2g', channel: five ? 'auto' : w.channel === 0 ? 'auto' : String(w.channel), htmode: five ? 'HE80' : 'HE20', hwmode: five ? '11a' : '11g', country: w.countryCode, maxassoc: String(w.main.maxAccess), txpowerpercent: '100', last_acs_time: '' };
  }
  return null;
}

/** Reads a whole `set` request; throws BadArg before anything changes. */
function parseSet(c: UbusContext, a: Record<string, unknown>): { settings: WifiSettings; main: WifiSsid | null; guest: WifiSsid | null } {
  const settings: WifiSettings = {};
  let main: WifiSsid | null = null;
  let guest: WifiSsid | null = null;
  let sections = 0;
  for (const [name, value] of Object.entries(a)) {
    if (name === 'source_module') continue;
    const opts = obj(a, name);
    sections++;
    if ((RADIOS as readonly string[]).includes(name)) {
      if (opts.wifi_onoff !== undefined) settings.enabled = onOff(opts, 'wifi_onoff');
      if (opts.channel !== undefined) {
        const ch = str(opts, 'channel');
        if (ch !== 'auto' && !/^\d{1,3}$/.test(ch)) throw new BadArg(`${name}.channel=${ch} is not a channel`);
        settings.channel = ch === 'auto' ? 0 : Number(ch);
      }
      if (opts.txpowerpercent !== undefined && !['100', '80', '40'].includes(str(opts, 'txpowerpercent'))) throw new BadArg(`${name}.txpowerpercent must be 100, 80 or 40`);
      continue;
    }
    const isMain = (MAIN as readonly string[]).includes(name);
    const isGuest = (GUEST as readonly string[]).includes(name);
    if (!isMain && !isGuest) throw new BadArg(`${name} is not a Wi-Fi section`);
    if (opts.disabled !== undefined) {
      const enabled = !onOff(opts, 'disabled');
      if (isMain) settings.enabled = enabled;
      else settings.guestEnabled = enabled;
    }
    const base = isMain ? (main ?? c.state.wifi.main) : (guest ?? c.state.wifi.guest);
    const next = ssidSettings(c, name, opts, base);
    if (next && isMain) main = next;
    if (next && isGuest) guest = next;
    void value;
  }
  if (sections === 0) throw new BadArg('set names no Wi-Fi section');
  return { settings, main, guest };
}

function ssidSettings(c: UbusContext, section: string, opts: Record<string, unknown>, base: StateView['wifi']['main']): WifiSsid | null {
  const keys = ['ssid', 'key', 'encryption', 'hidden', 'maxassoc', 'isolate'];
  if (!keys.some((k) => opts[k] !== undefined)) return null;
  const next: WifiSsid = { ...base };
  if (opts.ssid !== undefined) {
    const ssid = str(opts, 'ssid');
    if (ssid.length < 1 || ssid.length > 32) throw new BadArg(`${section}.ssid must be 1-32 characters`);
    next.ssid = ssid;
  }
  if (opts.encryption !== undefined) {
    const e = ENCRYPTION[str(opts, 'encryption')];
    if (!e) throw new BadArg(`${section}.encryption=${str(opts, 'encryption')} is not one of ${Object.keys(ENCRYPTION).join(', ')}`);
    next.authMode = e.authMode;
    next.encrypType = e.encrypType;
  }
  if (opts.key !== undefined) {
    // §5.3: the stock UI sends ENC(base64(passphrase)); on plaintext firmware the base64 alone.
    const b64 = c.dec(str(opts, 'key'), `${section}.key`);
    const psk = Buffer.from(b64, 'base64').toString('utf8');
    if (Buffer.from(psk, 'utf8').toString('base64') !== b64) throw new BadArg(`${section}.key is not the base64 of a passphrase`);
    if (psk.length < 8 || psk.length > 63 || !/^[\x20-\x7e]+$/.test(psk)) throw new BadArg(`${section}.key must be 8-63 printable characters`);
    next.password = psk;
  }
  if (next.authMode !== 'OPEN' && next.password.length < 8) throw new BadArg(`${section}: a WPA network needs a key`);
  if (opts.hidden !== undefined) next.hidden = onOff(opts, 'hidden');
  if (opts.isolate !== undefined) next.isolation = onOff(opts, 'isolate');
  if (opts.maxassoc !== undefined) {
    const m = str(opts, 'maxassoc');
    if (!/^\d{1,2}$/.test(m) || Number(m) < 1 || Number(m) > 32) throw new BadArg(`${section}.maxassoc=${m} is outside 1..32`);
    next.maxAccess = Number(m);
  }
  return next;
}

function onOff(opts: Record<string, unknown>, name: string): boolean {
  const v = str(opts, name);
  if (v !== '0' && v !== '1') throw new BadArg(`${name}=${v} is not "0" or "1"`);
  return v === '1';
}
