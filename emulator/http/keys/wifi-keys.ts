import { onlineStations, wifiRadioOn } from '../../state/derive.js';
import type { StateView } from '../../state/device-state.js';
import { base64 } from '../codec.js';
import { defineKeys, str, type ReadContext } from './key-def.js';

// goform-api.md §3.5 Wi-Fi, §3.6 access control.

const count = (c: ReadContext, ssidIndex?: 0 | 1): string =>
  str(onlineStations(c.state).filter((s) => s.medium === 'wifi' && (ssidIndex === undefined || s.ssidIndex === ssidIndex)).length);

const radioOn = (c: ReadContext): string => str(wifiRadioOn(c.state, c.nowMs));

export const wifiKeys = defineKeys(
  'wifi',
  {
    wifi_cur_state: radioOn,
    wifi_onoff_state: radioOn,
    // §3.5: newer UIs read RadioOff as the *enable* flag despite its name.
    RadioOff: radioOn,
    wifi_enable: (c) => str(c.state.wifi.enabled),
    wifi_5g_enable: () => '0',
    SSID1: (c) => c.state.wifi.main.ssid,
    ssid: (c) => c.state.wifi.main.ssid,
    wifi_chip1_ssid1_ssid: (c) => c.state.wifi.main.ssid,
    wifi_chip2_ssid1_ssid: () => '',
    m_SSID: (c) => c.state.wifi.guest.ssid,
    AuthMode: (c) => c.state.wifi.main.authMode,
    m_AuthMode: (c) => c.state.wifi.guest.authMode,
    EncrypType: (c) => c.state.wifi.main.encrypType,
    m_EncrypType: (c) => c.state.wifi.guest.encrypType,
    WPAPSK1: (c) => c.state.wifi.main.password,
    WPAPSK1_encode: (c) => base64(c.state.wifi.main.password),
    m_WPAPSK1: (c) => c.state.wifi.guest.password,
    m_WPAPSK1_encode: (c) => base64(c.state.wifi.guest.password),
    HideSSID: (c) => str(c.state.wifi.main.hidden),
    m_HideSSID: (c) => str(c.state.wifi.guest.hidden),
    MAX_Access_num: (c) => str(c.state.wifi.main.maxAccess),
    m_MAX_Access_num: (c) => str(c.state.wifi.guest.maxAccess),
    MAX_Station_num: () => '32',
    wifi_attr_max_station_number: () => '32',
    m_ssid_enable: (c) => str(c.state.wifi.guestEnabled),
    NoForwarding: (c) => str(c.state.wifi.main.isolation),
    m_NoForwarding: (c) => str(c.state.wifi.guest.isolation),
    WirelessMode: (c) => c.state.wifi.wirelessMode,
    CountryCode: (c) => c.state.wifi.countryCode,
    Channel: (c) => str(c.state.wifi.channel),
    wifi_band: (c) => c.state.wifi.band,
    wifi_coverage: (c) => c.state.wifi.coverage,
    sysIdleTimeToSleep: (c) => str(c.state.wifi.sleepAfterMinutes),
    BSSID: (c) => c.state.identity.bssid,
    show_qrcode_flag: () => '1',
    wifi_dfs_status: () => '0',
    wifi_onoff_wifi5g_by_n79_mutex: () => '0',
    EX_SSID1: () => '',
    sta_ip_status: () => '',
    EX_wifi_profile: () => '',
    wifi_access_sta_num: (c) => count(c),
    sta_count: (c) => count(c, 0),
    m_sta_count: (c) => count(c, 1),
    wifi_chip1_ssid1_access_sta_num: (c) => count(c, 0),
    wifi_chip1_ssid2_access_sta_num: (c) => count(c, 1),
    wifi_chip2_ssid1_access_sta_num: () => '0',
    wifi_chip2_ssid2_access_sta_num: () => '0',
    station_mac: (c) => stationMacs(c.state),
    WscModeOption: () => '0',
    wps_mode: () => 'PBC',
    WPS_SSID: (c) => c.state.wifi.main.ssid,
    // Dual-chip CPE naming (§3.5): chip 1 carries both SSIDs here.
    wifi_chip1_ssid2_ssid: (c) => c.state.wifi.guest.ssid,
    wifi_chip1_ssid1_auth_mode: (c) => c.state.wifi.main.authMode,
    wifi_chip1_ssid2_auth_mode: (c) => c.state.wifi.guest.authMode,
    wifi_chip1_ssid1_password_encode: (c) => base64(c.state.wifi.main.password),
    wifi_chip1_ssid2_password_encode: (c) => base64(c.state.wifi.guest.password),
    wifi_chip1_ssid1_max_access_num: (c) => str(c.state.wifi.main.maxAccess),
    wifi_chip1_ssid2_max_access_num: (c) => str(c.state.wifi.guest.maxAccess),
    wifi_chip1_ssid1_switch_onoff: radioOn,
    wifi_chip1_ssid2_switch_onoff: (c) => str(wifiRadioOn(c.state, c.nowMs) && c.state.wifi.guestEnabled),
    get_user_mac_addr: (c) => requesterMac(c),
    user_mac_addr: (c) => requesterMac(c),
  },
  { public: ['wifi_dfs_status', 'sta_count', 'm_sta_count'], perRequester: ['get_user_mac_addr', 'user_mac_addr'] },
);

export const stationKeys = defineKeys('stations', {
  ACL_mode: (c) => str(c.state.wifi.aclMode),
  wifi_mac_black_list: (c) => c.state.wifi.macBlackList.join(';'),
  wifi_mac_white_list: (c) => c.state.wifi.macWhiteList.join(';'),
  wifi_hostname_black_list: (c) => c.state.wifi.hostnameBlackList.join(';'),
  time_limited: (c) => timeLimited(c.state),
});

/** The MAC of the station asking, found by its IP among the stations; "" when it is not one. */
function requesterMac(c: ReadContext): string {
  const ip = c.req.ip.replace(/^::ffff:/, '');
  return c.state.stations.find((s) => s.ip === ip)?.mac ?? '';
}

function stationMacs(s: StateView): string {
  return onlineStations(s).filter((x) => x.medium === 'wifi').map((x) => x.mac).join(';');
}

/** §3.10 parental control format: `day+h,h;day+h`. */
function timeLimited(s: StateView): string {
  return Object.entries(s.schedules.timeLimited)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([day, hours]) => `${day}+${hours.join(',')}`)
    .join(';');
}
