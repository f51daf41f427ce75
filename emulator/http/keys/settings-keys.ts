import { activeApnProfile, ethernetWanMode, isNightMode, wanOverCable } from '../../state/derive.js';
import type { ApnProfile } from '../../state/device-state.js';
import { formatDateTime } from '../codec.js';
import { defineKeys, str, type ReadContext } from './key-def.js';

// goform-api.md §3.8 FOTA (new and legacy key sets), §3.9 APN, §3.10 WAN/PPPoE, LAN, schedules, SD card.

const dmTime = (c: ReadContext, ms: number | null): string => (ms === null ? '' : formatDateTime(ms, c.state.system.tzHours));

export const fotaKeys = defineKeys(
  'fota',
  {
    new_version_state: (c) => c.state.fota.newVersionState,
    current_upgrade_state: (c) => c.state.fota.upgradeState,
    is_mandatory: (c) => (c.state.fota.available?.mandatory ? '1' : ''),
    upgrade_result: (c) => c.state.fota.upgradeResult,
    dm_new_version: (c) => c.state.fota.available?.version ?? '',
    dm_last_check_time: (c) => dmTime(c, c.state.fota.lastCheckMs),
    dm_update_successful_time: (c) => dmTime(c, c.state.fota.lastUpdateMs),
    dm_update_package_file_exist: (c) => str(isDownloaded(c)),
    upg_roam_switch: (c) => c.state.fota.autoCheck.roamPermission,
    if_has_select: (c) => (c.state.fota.selector === 'none' ? '0' : '1'),
  },
  { public: ['new_version_state', 'current_upgrade_state', 'is_mandatory'] },
);

export const legacyFotaKeys = defineKeys(
  'fota-legacy',
  {
    fota_new_version_state: (c) => legacyNewVersionState(c),
    fota_current_upgrade_state: (c) => c.state.fota.upgradeState,
    fota_upgrade_selector: (c) => c.state.fota.selector,
    fota_package_already_download: (c) => (isDownloaded(c) ? 'yes' : 'no'),
    fota_pkg_total_size: (c) => str(c.state.fota.available?.sizeBytes ?? 0),
    fota_dl_pkg_size: (c) => str(c.state.fota.downloadedBytes),
    fota_updateMode: (c) => c.state.fota.autoCheck.mode,
    fota_updateIntervalDay: (c) => str(c.state.fota.autoCheck.intervalDays),
    fota_allowRoamingUpdate: (c) => c.state.fota.autoCheck.roamPermission,
  },
  { public: ['fota_new_version_state', 'fota_current_upgrade_state', 'fota_upgrade_selector'] },
);

export const apnKeys = defineKeys('apn', {
  apn_mode: (c) => c.state.apn.mode,
  Current_index: (c) => str(c.state.apn.defaultIndex),
  apn_index: (c) => str(c.state.apn.defaultIndex),
  apn_num_preset: () => '0',
  apn_auto_config: (c) => apnConfig(c.state.apn.autoProfile),
  m_profile_name: (c) => activeApnProfile(c.state).profileName,
  profile_name: (c) => activeApnProfile(c.state).profileName,
  wan_dial: (c) => activeApnProfile(c.state).dial,
  ppp_auth_mode: (c) => activeApnProfile(c.state).auth,
  ppp_username: (c) => activeApnProfile(c.state).username,
  ppp_passwd: (c) => activeApnProfile(c.state).password,
  dns_mode: (c) => activeApnProfile(c.state).dnsMode,
  prefer_dns_manual: (c) => activeApnProfile(c.state).dns1,
  standby_dns_manual: (c) => activeApnProfile(c.state).dns2,
  pdp_select: () => 'auto',
  ...Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`APN_config${i}`, (c: ReadContext) => apnConfig(c.state.apn.profiles[i] ?? null)]),
  ),
});

/**
 * The WAN mode every router answers, with or without an Ethernet port (§3.10; the web UIs poll it before login, §3.11):
 * `opms_wan_mode` PPP is the cellular gateway. `ethwan_mode` is the Ethernet WAN's own mode (an empty or PPP one makes
 * WAN pages fall back to their PPPoE form); `rj45_state` says whether the WAN runs over the cable.
 */
export const wanModeKeys = defineKeys(
  'device',
  {
    opms_wan_mode: (c) => c.state.wan.mode,
    opms_wan_auto_mode: (c) => c.state.wan.autoMode,
    blc_wan_mode: (c) => c.state.wan.mode,
    blc_wan_auto_mode: (c) => c.state.wan.autoMode,
    ethwan_mode: (c) => ethernetWanMode(c.state),
    rj45_state: (c) => (wanOverCable(c.state) ? 'working' : 'dead'),
    ethernet_port_specified: (c) => str(c.state.wan.ethernetPortSpecified),
  },
  { public: ['opms_wan_mode', 'opms_wan_auto_mode', 'blc_wan_mode', 'blc_wan_auto_mode'] },
);

export const wanKeys = defineKeys(
  'wan',
  {
    pppoe_username: (c) => c.state.wan.pppoe.username,
    pppoe_dial_mode: (c) => c.state.wan.pppoe.dialMode,
    pppoe_status: (c) => c.state.wan.pppoe.status,
    static_wan_ipaddr: (c) => c.state.wan.staticIp.ip,
    static_wan_netmask: (c) => c.state.wan.staticIp.netmask,
    static_wan_gateway: (c) => c.state.wan.staticIp.gateway,
    static_wan_primary_dns: (c) => c.state.wan.staticIp.dns1,
    static_wan_secondary_dns: (c) => c.state.wan.staticIp.dns2,
    static_wan_status: (c) => (c.state.wan.mode === 'STATIC' && c.state.wan.staticIp.ip ? '1' : '0'),
    dhcp_wan_status: (c) => (c.state.wan.mode === 'DHCP' ? '1' : '0'),
    vpn_conn_status: () => 'disconnected',
  },
);

export const lanKeys = defineKeys('lan', {
  lan_ipaddr: (c) => c.state.wan.lan.ip,
  lan_netmask: (c) => c.state.wan.lan.netmask,
  dhcpEnabled: () => '1',
  dhcpStart: (c) => c.state.wan.lan.dhcpStart,
  dhcpEnd: (c) => c.state.wan.lan.dhcpEnd,
  dhcpLease_hour: (c) => str(c.state.wan.lan.leaseHours),
  LocalDomain: (c) => c.state.wan.lan.domain,
});

export const scheduleKeys = defineKeys('schedules', {
  night_mode_switch: (c) => str(c.state.schedules.led.nightMode),
  night_mode_start_time: (c) => c.state.schedules.led.start,
  night_mode_end_time: (c) => c.state.schedules.led.end,
  night_mode_close_all_led: (c) => str(c.state.schedules.led.closeAllLed),
  is_night_mode: (c) => str(isNightMode(c.state, c.nowMs)),
  web_wake_switch: (c) => str(c.state.schedules.sleepWake.wakeEnabled),
  web_sleep_switch: (c) => str(c.state.schedules.sleepWake.sleepEnabled),
  web_wake_time: (c) => c.state.schedules.sleepWake.wakeTime,
  web_sleep_time: (c) => c.state.schedules.sleepWake.sleepTime,
  reboot_schedule_enable: (c) => str(c.state.schedules.rebootSchedule.enabled),
  reboot_hour1: (c) => str(c.state.schedules.rebootSchedule.hour),
  reboot_min1: (c) => str(c.state.schedules.rebootSchedule.minute),
});

export const shareKeys = defineKeys('httpshare', {
  sdcard_mode_option: (c) => (c.state.share.mode === 'http_share_mode' ? '1' : '0'),
  sd_card_state: () => '1',
  HTTP_SHARE_STATUS: (c) => (c.state.share.enabled ? 'Enabled' : 'Disabled'),
  HTTP_SHARE_WR_AUTH: (c) => c.state.share.access,
  HTTP_SHARE_FILE: (c) => c.state.share.sharedPath,
});

/** `APN_configN` / `apn_auto_config` format: 13 fields joined by `($)` with a trailing `($)` (§3.9). */
export function apnConfig(p: ApnProfile | null): string {
  if (!p) return '';
  const fields = [p.profileName, p.apn, 'manual', p.dial, p.auth, p.username, p.password, p.pdpType, 'auto', '', p.dnsMode, p.dns1, p.dns2];
  return fields.join('($)') + '($)';
}

function isDownloaded(c: ReadContext): boolean {
  const f = c.state.fota;
  return f.available !== null && f.downloadedBytes >= f.available.sizeBytes;
}

function legacyNewVersionState(c: ReadContext): string {
  const f = c.state.fota;
  if (f.newVersionState === 'checking') return 'checking';
  if (isDownloaded(c)) return 'already_has_pkg';
  if (f.newVersionState === 'version_has_new_critical_software') return 'has_critical';
  if (f.newVersionState === 'version_has_new_optional_software') return 'has_optional';
  return f.lastCheckMs === null ? '' : 'no_new_version';
}
