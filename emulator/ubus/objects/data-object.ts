import { activeApnProfile, dataLimitAmount, dataLimitUsed, isDataConnected } from '../../state/derive.js';
import type { ApnProfile } from '../../state/device-state.js';
import type { StateView } from '../../state/device-api.js';
import { refuse } from '../../state/outcome.js';
import { BadArg, done, flag, int, ok, optInt, str, type UbusContext, type UbusMethod, type UbusObject } from '../method-def.js';

// zwrt_data (ubus-api.md §6.10, §6.11): traffic counters and speeds, the monthly limit, mobile data, connection mode
// and roaming. Every call carries {source_module, cid}; neither changes the answer.

export const dataObject: UbusObject = {
  group: 'traffic',
  methods: {
    get_wwandst: { read: true, doc: '{src,cid,type}: real_*, month_*, total_* counters and speeds (§6.10; type does not change the answer)', handle: (c) => ok(counters(c)) },
    get_wwandst_monthlimit: { read: true,
      doc: 'enable, type (1 time, 2 data), value (s or MB), ratio (alert %), flux_limited_disconnect, overflow (§6.10)',
      handle(c) {
        const dl = c.state.dataLimit;
        const amount = dataLimitAmount(c.state);
        const used = dataLimitUsed(c.state);
        const value = dl.unit === 'time' ? Number(dl.size) * 3600 : megabytes(dl.size);
        return ok({
          enable: c.num(dl.enabled ? 1 : 0),
          type: c.num(dl.unit === 'time' ? 1 : 2),
          value: String(value),
          ratio: c.num(dl.alertPercent),
          flux_limited_disconnect: c.num(amount !== null && used !== null && used >= 1 ? 1 : 0),
          overflow: c.num(used !== null && used * 100 >= dl.alertPercent ? 1 : 0),
        });
      },
    },
    set_wwandst_monthlimit: {
      doc: '{src,cid,enable[,type,value,ratio]}: the monthly limit; value in seconds (type 1) or MB (type 2)',
      handle(c, a) {
        const enabled = flag(a, 'enable');
        const type = optInt(a, 'type', 1, 2);
        const ratio = optInt(a, 'ratio', 1, 100);
        let size: string | undefined;
        if (a.value !== undefined) {
          const value = int(a, 'value', 0, 1e12);
          // §6.10: S divides a time value by 3600; the data unit is unverified (§8.7) and taken as MB.
          size = (type ?? (c.state.dataLimit.unit === 'time' ? 1 : 2)) === 1 ? String(Math.max(1, Math.round(value / 3600))) : `${value}_1`;
        }
        c.device.data.setDataLimit({
          enabled,
          ...(type === undefined ? {} : { unit: type === 1 ? 'time' : 'data' }),
          ...(size === undefined ? {} : { size }),
          ...(ratio === undefined ? {} : { alertPercent: ratio }),
        });
        return ok();
      },
    },
    get_wwandst_clearday: { read: true,
      doc: 'enable, clearday: the day the monthly counters restart',
      handle: (c) => ok({ enable: c.num(c.state.dataLimit.autoClear ? 1 : 0), clearday: c.num(c.state.dataLimit.clearDay) }),
    },
    set_wwandst_clearday: {
      doc: '{src,cid,enable,clearday}',
      handle(c, a) {
        const autoClear = flag(a, 'enable');
        const clearDay = optInt(a, 'clearday', 1, 31);
        c.device.data.setDataLimit({ autoClear, ...(clearDay === undefined ? {} : { clearDay }) });
        return ok();
      },
    },
    set_wwandst_calibmonth: {
      doc: '{src,cid,type,value}: the month used so far; type 1 seconds, type 2 MB',
      handle(c, a) {
        const type = int(a, 'type', 1, 2);
        const value = int(a, 'value', 0, 1e12);
        c.device.data.calibrate(type === 1 ? { seconds: value } : { bytes: value * 1024 * 1024 });
        return ok();
      },
    },
    get_wwaniface: { read: true, doc: 'connect_status, enable, connect_mode, roam_enable, addresses, DNS, pdp_type (§6.11)', handle: (c) => ok(wwaniface(c)) },
    set_wwaniface: {
      doc: '{src,cid,enable} dials or hangs up; {src,cid,connect_mode,roam_enable} sets the mode (§6.11)',
      handle(c, a) {
        const enable = a.enable === undefined ? undefined : flag(a, 'enable');
        const mode = optInt(a, 'connect_mode', 0, 1);
        const roam = a.roam_enable === undefined ? undefined : flag(a, 'roam_enable');
        if (enable === undefined && mode === undefined && roam === undefined) throw new BadArg('set_wwaniface needs enable, connect_mode or roam_enable');
        if (mode !== undefined || roam !== undefined) {
          const current = c.state.network.connectionMode;
          c.device.data.setConnectionMode(mode === undefined ? current : mode === 0 ? 'auto_dial' : 'manual_dial', roam);
        }
        // The firmware accepts the switch and dials; a refused dial shows in connect_status (GAP: "set commited").
        if (enable === true) c.device.data.connect();
        if (enable === false) c.device.data.disconnect(true);
        // §6.11: D accepts the answer only when it carries the key it set; GAP quotes "set commited" (inf.).
        const st = c.state;
        return ok({ result: 'set commited', enable: c.num(st.network.mobileData ? 1 : 0), connect_mode: c.num(st.network.connectionMode === 'auto_dial' ? 0 : 1), roam_enable: c.num(st.network.dataRoaming ? 1 : 0) });
      },
    },
  },
};

/** get_wwaniface: the data connection as §6.11 lists it. */
export function wwaniface(c: UbusContext): Record<string, unknown> {
  const s = c.state;
  const up = isDataConnected(s);
  const pdp = activeApnProfile(s).pdpType;
  return {
    connect_status: connectStatus(s),
    enable: c.num(s.network.mobileData ? 1 : 0),
    connect_mode: c.num(s.network.connectionMode === 'auto_dial' ? 0 : 1),
    roam_enable: c.num(s.network.dataRoaming ? 1 : 0),
    ipv4_address: up && pdp !== 'IPv6' ? s.connection.wanIpv4 : '0',
    ipv4_gateway: up && pdp !== 'IPv6' ? gatewayOf(s.connection.wanIpv4) : '',
    ipv6_address: up && pdp !== 'IP' ? s.connection.wanIpv6 : '',
    ipv4_dns_prefer: up ? s.connection.dns[0] : '',
    ipv4_dns_standby: up ? s.connection.dns[1] : '',
    ipv6_dns_prefer: up && pdp !== 'IP' ? '2a01:598::53' : '',
    ipv6_dns_standby: up && pdp !== 'IP' ? '2a01:598::54' : '',
    ipv4_dev_name: 'rmnet_data0',
    ipv6_dev_name: 'rmnet_data0',
    pdp_type: pdp === 'IP' ? 'IPV4' : pdp === 'IPv6' ? 'IPV6' : 'IPV4V6',
    profile_id: c.num(s.apn.mode === 'manual' ? s.apn.defaultIndex : 0),
  };
}

/** disconnected / ipv4_connected / ipv6_connected / ipv4_ipv6_connected (§6.11) by the PDP type in use. */
export function connectStatus(s: StateView): string {
  if (!isDataConnected(s)) return 'disconnected';
  const pdp = activeApnProfile(s).pdpType;
  return pdp === 'IP' ? 'ipv4_connected' : pdp === 'IPv6' ? 'ipv6_connected' : 'ipv4_ipv6_connected';
}

/** get_wwandst: counters as numbers (byte counters pass 2^31, §2.3). */
function counters(c: UbusContext): Record<string, unknown> {
  const t = c.state.traffic;
  const n = (v: number): number | string => c.num(v);
  const set = (prefix: string, rx: number, tx: number, seconds: number): Record<string, unknown> => ({
    [`${prefix}_tx_bytes`]: n(tx),
    [`${prefix}_rx_bytes`]: n(rx),
    [`${prefix}_tx_packets`]: n(Math.floor(tx / 1200)),
    [`${prefix}_rx_packets`]: n(Math.floor(rx / 1400)),
    [`${prefix}_tx_drop_packets`]: n(0),
    [`${prefix}_rx_drop_packets`]: n(0),
    [`${prefix}_tx_error_packets`]: n(0),
    [`${prefix}_rx_error_packets`]: n(0),
    [`${prefix}_time`]: n(seconds),
  });
  return {
    ...set('real', t.realtimeRxBytes, t.realtimeTxBytes, t.realtimeSeconds),
    real_tx_speed: n(t.txBytesPerSecond),
    real_rx_speed: n(t.rxBytesPerSecond),
    real_max_tx_speed: n(Math.max(t.txBytesPerSecond, Math.round(t.meanTxBytesPerSecond * 2))),
    real_max_rx_speed: n(Math.max(t.rxBytesPerSecond, Math.round(t.meanRxBytesPerSecond * 2))),
    ...set('month', t.monthlyRxBytes, t.monthlyTxBytes, t.monthlySeconds),
    ...set('total', t.monthlyRxBytes + Math.floor(t.lastMonthTotalBytes * 0.85), t.monthlyTxBytes + Math.ceil(t.lastMonthTotalBytes * 0.15), t.monthlySeconds),
  };
}

function megabytes(size: string): number {
  const [n, mult] = size.split('_').map(Number);
  return (n ?? 0) * (mult ?? 1);
}

function gatewayOf(ip: string): string {
  const parts = ip.split('.');
  return parts.length === 4 ? `${parts.slice(0, 3).join('.')}.1` : '';
}

// --- APN (zwrt_apn_object, §6.15) ---

const PDP_NAMES: Record<ApnProfile['pdpType'], [string, number]> = { IP: ['IPv4', 0], IPv6: ['IPv6', 1], IPv4v6: ['IPv4v6', 2] };
const AUTH_NAMES: Record<ApnProfile['auth'], number> = { none: 0, pap: 1, chap: 2 };

/**
 * An APN entry. camelCase methods answer strings (G5TS: E drops entries whose pdpType is not a string),
 * snake_case methods numbers (MU5250, F writes numbers), §6.15.
 */
function apnEntry(c: UbusContext, id: number, p: ApnProfile, strings: boolean): Record<string, unknown> {
  return {
    profileId: strings ? String(id) : id,
    profilename: p.profileName,
    wanapn: p.apn,
    pdpType: strings ? PDP_NAMES[p.pdpType][0] : PDP_NAMES[p.pdpType][1],
    pppAuthMode: strings ? String(AUTH_NAMES[p.auth]) : AUTH_NAMES[p.auth],
    username: p.username,
    password: c.enc(p.password),
  };
}

function pdpOf(a: Record<string, unknown>): ApnProfile['pdpType'] {
  const v = str(a, 'pdpType').toUpperCase();
  if (v === '0' || v === 'IP' || v === 'IPV4') return 'IP';
  if (v === '1' || v === 'IPV6') return 'IPv6';
  if (v === '2' || v === 'IPV4V6') return 'IPv4v6';
  throw new BadArg(`pdpType=${v} is not IPv4, IPv6, IPv4v6 (or 0, 1, 2)`);
}

function authOf(a: Record<string, unknown>): ApnProfile['auth'] {
  if (a.pppAuthMode === undefined) return 'none';
  const v = str(a, 'pppAuthMode').toUpperCase();
  if (v === '0' || v === 'NONE') return 'none';
  if (v === '1' || v === 'PAP') return 'pap';
  if (v === '2' || v === '3' || v === 'CHAP' || v === 'PAP_CHAP') return 'chap';
  throw new BadArg(`pppAuthMode=${v} is not 0-3 or NONE, PAP, CHAP, PAP_CHAP`);
}

function profileOf(c: UbusContext, a: Record<string, unknown>): ApnProfile {
  const profileName = str(a, 'profilename');
  const apn = str(a, 'wanapn');
  if (profileName.length < 1 || profileName.length > 32) throw new BadArg('profilename must be 1-32 characters');
  if (apn.length > 63 || !/^[A-Za-z0-9.\-_]*$/.test(apn)) throw new BadArg(`wanapn=${apn} is not an APN name`);
  const password = a.password === undefined ? '' : c.dec(str(a, 'password'), 'password');
  return {
    profileName,
    apn,
    dial: '*99#',
    auth: authOf(a),
    username: a.username === undefined ? '' : str(a, 'username'),
    password,
    pdpType: pdpOf(a),
    dnsMode: 'auto',
    dns1: '',
    dns2: '',
  };
}

function manualList(c: UbusContext, strings: boolean): Record<string, unknown> {
  const list = c.state.apn.profiles.flatMap((p, i) => (p ? [apnEntry(c, i, p as ApnProfile, strings)] : []));
  return { apnListArray: list };
}

/** Slot 0 is the carrier's automatic profile in the goform model; manual profiles take slots 1-19. */
function freeSlot(c: UbusContext): number {
  const i = c.state.apn.profiles.findIndex((p, index) => index > 0 && p === null);
  if (i < 0) throw new BadArg('all 19 manual APN slots are in use');
  return i;
}

function slotOf(a: Record<string, unknown>): number {
  return int(a, 'profileId', 0, 19);
}

const apnMethods = (strings: boolean): Record<string, UbusMethod> => ({
  auto: { doc: 'apnListArray: the automatic (carrier) profile', handle: (c) => ok({ apnListArray: [apnEntry(c, 0, c.state.apn.autoProfile, strings)] }) },
  manu: { doc: 'apnListArray: the manual profiles', handle: (c) => ok(manualList(c, strings)) },
  add: {
    doc: '{profilename, pdpType, wanapn, pppAuthMode, username, password}: a new manual profile',
    handle(c, a) {
      const profile = profileOf(c, a);
      const slot = freeSlot(c);
      return done(c.device.settings.saveApn(slot, profile), { profileId: strings ? String(slot) : slot });
    },
  },
  modify: {
    doc: 'the add fields plus profileId: change a manual profile',
    handle(c, a) {
      const slot = slotOf(a);
      if (!c.state.apn.profiles[slot]) return refuse('apn-slot-empty', `APN slot ${slot} is empty`);
      return done(c.device.settings.saveApn(slot, profileOf(c, a)));
    },
  },
});

export const apnObject: UbusObject = {
  group: 'apn',
  methods: {
    ...renamed(apnMethods(true), { auto: 'getAutoApnList', manu: 'getManuApnList', add: 'addManuApn', modify: 'modifyManuApn' }),
    ...renamed(apnMethods(false), { auto: 'get_auto_apn_list', manu: 'get_manu_apn_list', add: 'add_manu_apn', modify: 'modify_manu_apn' }),
    get_apn_mode: { read: true, doc: 'apn_mode: 0 auto, 1 manual', handle: (c) => ok({ apn_mode: c.num(c.state.apn.mode === 'manual' ? 1 : 0) }) },
    set_apn_mode: {
      doc: '{apn_mode: 0|1}; manual uses the default profile (the stock UI sends enable_manu_apn_id in the same batch)',
      handle(c, a) {
        if (int(a, 'apn_mode', 0, 1) === 0) return done(c.device.settings.setApnMode('auto'));
        const apn = c.state.apn;
        const slot = apn.profiles[apn.defaultIndex] ? apn.defaultIndex : apn.profiles.findIndex((p) => p !== null);
        return done(c.device.settings.setApnMode('manual', slot < 0 ? apn.defaultIndex : slot));
      },
    },
    enable_manu_apn_id: { doc: '{profileId}: use this manual profile', handle: (c, a) => done(c.device.settings.setApnMode('manual', slotOf(a))) },
    delete_manu_apn: { doc: '{profileId}: delete a manual profile', handle: (c, a) => done(c.device.settings.deleteApn(slotOf(a))) },
  },
};

/** The APN methods a profile's naming style has (§6.15: get_apn_mode and friends are snake_case in both). */
export function apnMethodPresent(name: string, naming: 'camel' | 'snake' | 'both'): boolean {
  if (naming === 'both' || !/^(get_auto|get_manu|add_manu|modify_manu|getAuto|getManu|addManu|modifyManu)/.test(name)) return true;
  return naming === 'camel' ? /[A-Z]/.test(name) : !/[A-Z]/.test(name);
}

function renamed(methods: Record<string, UbusMethod>, names: Record<string, string>): Record<string, UbusMethod> {
  return Object.fromEntries(Object.entries(methods).map(([k, m]) => [names[k] ?? k, m]));
}
