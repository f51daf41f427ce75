import { formatDateTime } from '../../http/codec.js';
import { chargeState, dataLimitUsed, isNightMode, onlineStations, wifiRadioOn } from '../../state/derive.js';
import type { DeepReadonly, Station } from '../../state/device-state.js';
import type { StateView } from '../../state/device-api.js';
import { BadArg, MAC_RE, done, int, oneOf, ok, optStr, str, type UbusContext, type UbusObject } from '../method-def.js';
import { connectStatus } from './data-object.js';
import { simMainState } from './sim-object.js';

// zwrt_router.api (status and clients, ubus-api.md §6.2, §6.13), zwrt_mc.device.manager (§6.3, §6.16),
// zwrt_zte_dm / zwrt_fota_res.api / zwrt_upd.api (§6.17), zwrt_bsp.* (§6.19), zwrt_led (§6.20), zwrt_sntp (§6.21).

/** How many entries one access-list page holds at most (§6.13: the stock UI pages by 64). */
const PAGE_MAX = 64;

export const routerObject: UbusObject = {
  methods: {
    router_get_status_no_auth: { read: true,
      doc: 'opms_wan_mode, opms_wan_auto_mode and the WAN status, readable before login (§6.2)',
      handle: (c) => ok({ opms_wan_mode: wanMode(c.state), opms_wan_auto_mode: 'AUTO_LTE_GATEWAY', current_wan_status: connectStatus(c.state) }),
    },
    router_get_status: { read: true, doc: 'WAN status, cable WAN port, LAN address and the stock poll keys (§6.2)', handle: (c) => ok(routerStatus(c)) },
    router_get_user_list_num: { read: true,
      doc: 'access_total_num, lan_num, wireless_num, offline_num, guest_num_24g, guest_num_5g (numbers; D needs an integer)',
      handle(c) {
        const online = onlineStations(c.state);
        const wireless = online.filter((s) => s.medium === 'wifi');
        const guests = wireless.filter((s) => s.ssidIndex === 1).length;
        return ok({
          access_total_num: c.num(online.length),
          lan_num: c.num(online.length - wireless.length),
          wireless_num: c.num(wireless.length),
          offline_num: c.num(c.state.stations.length - online.length),
          guest_num_24g: c.num(guests),
          guest_num_5g: c.num(0),
        });
      },
    },
    router_wireless_access_list: {
      doc: '{start_id, end_id} (1-based, inclusive, at most 64): wireless_access_list_info[]',
      handle(c, a) {
        const list = onlineStations(c.state).filter((s) => s.medium === 'wifi');
        return ok({ wireless_access_list_info: page(a, list).map((s) => ({ ...client(c, s), interface_type: String(s.ssidIndex) })) });
      },
    },
    router_lan_access_list: { read: true,
      doc: 'lan_access_list_info[]: the clients on the Ethernet ports, no paging',
      handle: (c) => ok({ lan_access_list_info: onlineStations(c.state).filter((s) => s.medium === 'lan').map((s) => client(c, s)) }),
    },
    router_offline_list: {
      doc: '{start_id, end_id}: offline_list_info[] with addr_type and offline_time',
      handle(c, a) {
        const list = c.state.stations.filter((s) => !s.online);
        return ok({ offline_list_info: page(a, list).map((s) => ({ ...client(c, s), addr_type: '3', offline_time: String(Math.round((s.connectedAtMs + s.lastDurationMs) / 1000)) })) });
      },
    },
    router_modify_lan_hostname: {
      doc: '{mac, hostname}: rename a client',
      handle(c, a) {
        const mac = str(a, 'mac');
        if (!MAC_RE.test(mac)) throw new BadArg(`mac=${mac} is not a MAC address`);
        const hostname = str(a, 'hostname');
        if (hostname.length > 64) throw new BadArg('hostname is longer than 64 characters');
        return done(c.device.wifi.rename(mac, hostname));
      },
    },
    router_get_modified_lan_hostname: {
      doc: 'devices[]: mac and hostname of every known client',
      handle: (c) => ok({ devices: c.state.stations.map((s) => ({ mac: s.mac, hostname: s.hostname })) }),
    },
    router_set_wan_mode: {
      doc: '{opms_wan_mode}: AUTO, PPP (router), LTE_BRIDGE (bridge), PPPOE, DHCP, STATIC or MULTIWAN; read back by router_get_status (§6.2)',
      handle(c, a) {
        // The stock UI's SetOperationMode (service_rpc.js, as field clients quote it) posts PPP or LTE_BRIDGE.
        c.device.settings.setWan({ mode: oneOf(a, 'opms_wan_mode', ZWRT_WAN_MODES) });
        return ok();
      },
    },
    router_set_arp_proxy: {
      developer: true,
      doc: '{arp_proxy_enable: 1|0} (a number): ARP proxy on or off, in a developer session only; uci zwrt_router/network shows it',
      handle(c, a) {
        // Field clients (MC7530, U60 Pro): a number, not text; the stock UI never calls it.
        const v = a.arp_proxy_enable;
        if (v !== 0 && v !== 1) throw new BadArg(`arp_proxy_enable=${JSON.stringify(v)} is not the number 0 or 1`);
        c.device.settings.setArpProxy(v === 1);
        return ok();
      },
    },
    router_get_arptable: { read: true,
      doc: 'arptable[]: ip, mac of the clients online',
      handle: (c) => ok({ arptable: onlineStations(c.state).map((s) => ({ ip: s.ip, mac: s.mac })) }),
    },
  },
};

export const deviceManagerObject: UbusObject = {
  methods: {
    get_device_info: { read: true,
      doc: 'device_uptime (s), hightemp_datalimit_status, quicken_power_on (§6.3); args {} or {deviceInfoList:[...]}',
      handle: (c) => ok({ device_uptime: c.num(Math.max(0, Math.floor((c.nowMs - c.state.system.bootedAtMs) / 1000))), hightemp_datalimit_status: '0', quicken_power_on: c.state.system.quickPowerOn ? '1' : '0' }),
    },
    set_device_info: {
      doc: '{deviceInfoList:{quicken_power_on:"0"|"1"}}: fast power-on, read back by get_device_info (§6.3)',
      handle(c, a) {
        const list = a.deviceInfoList;
        if (typeof list !== 'object' || list === null || Array.isArray(list)) throw new BadArg('deviceInfoList is not an object');
        const fields = list as Record<string, unknown>;
        const unknown = Object.keys(fields).filter((k) => k !== 'quicken_power_on');
        if (unknown.length > 0 || fields.quicken_power_on === undefined) throw new BadArg(`deviceInfoList takes quicken_power_on only${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`);
        c.device.settings.setQuickPowerOn(oneOf(fields, 'quicken_power_on', ['0', '1']) === '1');
        return ok();
      },
    },
    device_reboot: {
      doc: '{moduleName}: reboot; answers [0], then the device goes away (§6.16)',
      handle(c, a) {
        module(c, a);
        c.device.power.reboot();
        return ok();
      },
    },
    device_reset: {
      doc: '{moduleName, resetFlag}: factory reset, then a reboot (§6.16)',
      handle(c, a) {
        module(c, a);
        c.device.power.factoryReset();
        return ok();
      },
    },
  },
};

export const dmObject: UbusObject = {
  group: 'fota',
  methods: {
    check_new_version: { doc: '{}: ask the update server; new_version_state follows', handle: (c) => (c.device.fota.check(), ok()) },
    confirm_download: { doc: '{}: download and install the offered version', handle: (c) => done(c.device.fota.accept()) },
    cancel_download: { doc: '{}: stop the download', handle: (c) => (c.device.fota.cancel(), ok()) },
    set_update_mode: {
      doc: '{dm_update_mode[, dm_update_roam_permission]}: automatic check on (1) or off (0)',
      handle(c, a) {
        const mode = oneOf(a, 'dm_update_mode', ['0', '1']);
        const roam = optStr(a, 'dm_update_roam_permission');
        if (roam !== undefined && roam !== '0' && roam !== '1') throw new BadArg(`dm_update_roam_permission=${roam} is not 0 or 1`);
        const auto = c.state.fota.autoCheck;
        c.device.fota.setAutoCheck({ mode, intervalDays: auto.intervalDays, roamPermission: roam ?? auto.roamPermission });
        return ok();
      },
    },
    get_update_info: { read: true, doc: 'new_version_state, current_upgrade_state, dm_* progress keys (§6.17)', handle: (c) => ok(fotaKeys(c.state)) },
  },
};

export const fotaResultObject: UbusObject = {
  group: 'fota',
  methods: {
    get_update_result: { doc: '{moduleName}: result "0" ok, "1" failed', handle: (c) => ok({ result: c.state.fota.upgradeResult === 'fail' ? '1' : '0' }) },
  },
};

export const updObject: UbusObject = {
  group: 'fota',
  methods: {
    clear_update_result: { doc: '{moduleName}: the UI saw the result', handle: (c) => (c.device.fota.clearResult(), ok()) },
  },
};

export const thermalObject: UbusObject = {
  methods: {
    get_cpu_temp: { read: true,
      doc: 'cpuss_temp (°C), pm_sensor_mdm, pm_modem_5g, therm_pa_level, therm_tj_level (§6.19)',
      handle(c) {
        // A temperature that follows the load: idle 42 °C, up to 8 °C more at the mean download rate.
        const t = c.state.traffic;
        const load = t.meanRxBytesPerSecond > 0 ? Math.min(1, t.rxBytesPerSecond / (t.meanRxBytesPerSecond * 2)) : 0;
        const temp = Math.round(42 + 8 * load);
        return ok({ cpuss_temp: c.num(temp), pm_sensor_mdm: c.num(temp + 3), pm_modem_5g: c.num(temp + 6), therm_pa_level: c.num(0), therm_tj_level: c.num(0) });
      },
    },
    get_policy: { read: true, doc: 'current_policy', handle: () => ok({ current_policy: '1' }) },
  },
};

export const batteryObject: UbusObject = {
  group: 'battery',
  methods: {
    list: {
      doc: 'battery_capacity (%), battery_temperature, battery_voltage, battery_time_to_full/empty (min, -1 n/a), charge_status',
      handle(c) {
        const b = c.state.battery;
        const charging = chargeState(c.state) === 'charging';
        const toFull = charging && b.chargePerHour > 0 ? Math.ceil(((100 - b.level) / b.chargePerHour) * 60) : -1;
        const toEmpty = !b.chargerConnected && b.drainPerHour > 0 ? Math.floor((b.level / b.drainPerHour) * 60) : -1;
        return ok({
          battery_capacity: c.num(b.percent),
          battery_temperature: c.num(30),
          battery_voltage: c.num(Math.round(3400 + b.level * 8)),
          battery_mode: 'normal',
          battery_time_to_full: c.num(toFull),
          battery_time_to_empty: c.num(toEmpty),
          battery_online: c.num(b.present ? 1 : 0),
          charge_status: c.num(charging ? 1 : 0),
          charge_type: b.chargerConnected ? 'usb' : '',
        });
      },
    },
  },
};

export const chargerObject: UbusObject = {
  group: 'battery',
  methods: {
    list: {
      doc: 'charger_connect, charge_status (1 charging), direct_power_supply_mode',
      handle(c) {
        const b = c.state.battery;
        return ok({ charger_connect: c.num(b.chargerConnected ? 1 : 0), charge_status: c.num(chargeState(c.state) === 'charging' ? 1 : 0), direct_power_supply_mode: 'disable' });
      },
    },
  },
};

export const ledObject: UbusObject = {
  methods: {
    get_nightmode_state: { read: true,
      doc: 'switch, starttime, endtime, is_nightmode (§6.20)',
      handle(c) {
        const led = c.state.schedules.led;
        return ok({ switch: led.nightMode ? '1' : '0', starttime: led.start, endtime: led.end, is_nightmode: isNightMode(c.state, c.nowMs) ? '1' : '0' });
      },
    },
    set_nightmode_state: {
      doc: '{switch[, starttime, endtime]}',
      handle(c, a) {
        const led = c.state.schedules.led;
        const on = oneOf(a, 'switch', ['0', '1']) === '1';
        const start = hhmm(a, 'starttime') ?? led.start;
        const end = hhmm(a, 'endtime') ?? led.end;
        c.device.settings.setLed({ ...led, nightMode: on, start, end });
        return ok();
      },
    },
    get_ODU_switch_state: { read: true, doc: 'switch: the indicator lights on ("1") or off', handle: (c) => ok({ switch: c.state.schedules.led.closeAllLed ? '0' : '1' }) },
    set_ODU_switch_state: {
      doc: '{switch: "1"|"0", offtime}: indicator lights on or off',
      handle(c, a) {
        const on = oneOf(a, 'switch', ['0', '1']) === '1';
        c.device.settings.setLed({ ...c.state.schedules.led, closeAllLed: !on });
        return ok();
      },
    },
  },
};

export const sntpObject: UbusObject = {
  methods: {
    get_systime: { read: true, doc: 'localtime "YYYY-MM-DD HH:MM:SS" in the device zone', handle: (c) => ok({ localtime: formatDateTime(c.nowMs, c.state.system.tzHours) }) },
  },
};

/** The progress keys the stock UI reads (§6.17). */
export function fotaKeys(s: StateView): Record<string, unknown> {
  const f = s.fota;
  return {
    new_version_state: f.newVersionState,
    current_upgrade_state: f.upgradeState,
    dm_pkg_total_size: String(f.available?.sizeBytes ?? 0),
    dm_download_pkg_size: String(f.downloadedBytes),
    dm_new_version: f.available?.version ?? '',
    dm_description: f.available?.description ?? '',
    is_mandatory: f.available?.mandatory ? '1' : '0',
  };
}

/** The WAN operation mode as ZWRT names it (§6.2). */
export function wanMode(s: StateView): string {
  // A ZWRT device starts in AUTO (create-state); PPP is the router mode the stock UI sets (router_set_wan_mode).
  // AUTO_BACKUP is a goform generation's mode the ZWRT list lacks (§6.2).
  return s.wan.mode === 'AUTO_BACKUP' ? 'AUTO' : s.wan.mode;
}

/** opms_wan_mode values of the ZWRT generation (ubus-api.md §6.2). */
const ZWRT_WAN_MODES = ['AUTO', 'LTE_BRIDGE', 'PPP', 'PPPOE', 'DHCP', 'STATIC', 'MULTIWAN'] as const;

// --- internal ---

function routerStatus(c: UbusContext): Record<string, unknown> {
  const s = c.state;
  const status = connectStatus(s);
  const unread = s.sms.messages.filter((m) => m.tag === 1);
  const used = dataLimitUsed(s);
  const dl = s.dataLimit;
  return {
    current_wan_status: status,
    lte_connect_status: status,
    current_wan_interface: 'wwan',
    opms_wan_mode: wanMode(s),
    opms_wan_auto_mode: 'AUTO_LTE_GATEWAY',
    mwan_wanlan1_status: 'disconnected',
    mwan_wanlan1_link_state: 'port_out',
    mwan_wanlan1_link_mode: 'DHCP',
    mwan_wanlan1_wan_ipaddr: '',
    mwan_wanlan1_wan_netmask: '',
    mwan_wanlan1_wan_gateway: '',
    mwan_wanlan1_wan_ifname: 'eth0',
    mwan_wanlan1_ipv6_wan_ipaddr: '',
    mwan_wanlan1_ipv6_wan_gateway: '',
    mwan_wanlan1_prefer_dns_auto: '',
    mwan_wanlan1_standby_dns_auto: '',
    mwan_wanlan1_ipv6_prefer_dns_auto: '',
    mwan_wanlan1_ipv6_standby_dns_auto: '',
    mwan_wanlan1_linkup_speed: '',
    mwan_wanlan1_linkdown_speed: '',
    lan_ipaddr: s.wan.lan.ip,
    integrate_version: c.device.profile.firmware.wa_inner_version,
    tcpdump_running: '0',
    modem_log_running: '0',
    tar_keylog_result: '',
    tar_keylog_name: '',
    // Stock poll keys whose call is not known (§6.2: loop_manager.js is missing), answered here.
    modem_main_state: simMainState(s),
    wifi_onoff_state: wifiRadioOn(s, c.nowMs) ? '1' : '0',
    sms_received_flag: s.sms.receivedFlag ? '1' : '0',
    sts_received_flag: s.sms.statusReportFlag ? '1' : '0',
    sms_unread_num: String(unread.length),
    sms_dev_unread_num: String(unread.filter((m) => m.store === 'device').length),
    sms_sim_unread_num: String(unread.filter((m) => m.store === 'sim').length),
    data_volume_limit_switch: dl.enabled ? '1' : '0',
    data_volume_limit_unit: dl.unit,
    data_volume_limit_size: dl.size,
    data_volume_alert_percent: String(dl.alertPercent),
    overflow: used !== null && used * 100 >= dl.alertPercent ? '1' : '0',
    is_night_mode: isNightMode(s, c.nowMs) ? '1' : '0',
    ...fotaKeys(s),
  };
}

function client(c: UbusContext, s: DeepReadonly<Station>): Record<string, unknown> {
  return {
    mac_address: s.mac,
    address_source: 'DHCP',
    hostname: s.hostname,
    ip_address: s.ip,
    ipv6_address: '',
    access_time: s.online ? String(Math.max(0, Math.floor((c.nowMs - s.connectedAtMs) / 1000))) : String(Math.floor(s.lastDurationMs / 1000)),
  };
}

function page<T>(a: Record<string, unknown>, list: readonly T[]): readonly T[] {
  const start = int(a, 'start_id', 1, 1_000_000);
  const end = int(a, 'end_id', start, 1_000_000);
  return list.slice(start - 1, Math.min(end, start - 1 + PAGE_MAX));
}

function module(c: UbusContext, a: Record<string, unknown>): void {
  const name = str(a, 'moduleName');
  if (!c.switches.rebootModules.includes(name)) throw new BadArg(`moduleName=${name} is not one of ${c.switches.rebootModules.join(', ')}`);
}

function hhmm(a: Record<string, unknown>, name: string): string | undefined {
  const v = optStr(a, name);
  if (v === undefined) return undefined;
  const m = /^(\d{1,2}):(\d{2})$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new BadArg(`${name}=${v} is not HH:MM`);
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}
