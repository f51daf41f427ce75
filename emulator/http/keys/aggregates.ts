import { isBlocked, isRegistered, onlineStations } from '../../state/derive.js';
import { REPORT_STATUS_CODE } from '../../state/areas/sms.js';
import type { SmsMessageView as SmsMessage } from '../../state/device-state.js';
import type { KeyGroup } from '../../state/profile.js';
import { encodeUcs2Hex, formatSmsDate } from '../codec.js';
import type { FileShare } from '../file-share.js';
import { smsCapacity } from './sms-keys.js';
import type { ReadContext } from './key-def.js';

// Aggregate commands: asked alone (no multi_data), answered with their own shape (goform-api.md §1.2).

export interface AggregateContext extends ReadContext {
  share: FileShare | null;
}

export interface AggregateDef {
  group: KeyGroup;
  public: boolean;
  read: (ctx: AggregateContext) => unknown;
}

const VALIDITY: Record<string, string> = { twelve_hours: '143', one_day: '167', one_week: '173', largest: '255' };

const agg = (group: KeyGroup, read: AggregateDef['read'], isPublic = false): AggregateDef => ({ group, read, public: isPublic });

export const aggregates: Record<string, AggregateDef> = {
  sms_data_total: agg('sms', (c) => ({ messages: smsPage(c) })),
  sms_page_data: agg('sms', (c) => ({ messages: smsPage(c) })),
  sms_capacity_info: agg('sms', (c) => smsCapacity(c.state)),
  sms_parameter_info: agg('sms', (c) => ({
    sms_para_sca: c.state.sms.smsc,
    sms_para_mem_store: 'native',
    sms_para_status_report: c.state.sms.statusReport ? '1' : '0',
    sms_para_validity_period: VALIDITY[c.state.sms.validityPeriod] ?? '255',
  })),
  sms_cmd_status_info: agg('sms', (c) => {
    const cmd = c.param('sms_cmd') ?? '';
    // §5.4: sms_cmd 1 is the SMS subsystem, ready once the device is up.
    const result = cmd === '1' ? (c.state.system.poweredOn ? '3' : '1') : (c.state.sms.cmdStatus[cmd] ?? '');
    return { sms_cmd: cmd, sms_cmd_status_result: result };
  }),
  sms_status_rpt_data: agg('sms', (c) => ({ messages: reportPage(c) })),
  ConnectionMode: agg('radio', (c) => ({
    connectionMode: c.state.network.connectionMode,
    autoConnectWhenRoaming: c.state.network.dataRoaming ? 'on' : 'off',
  })),
  current_network: agg('radio', (c) => {
    const op = c.state.radio.operator;
    const on = isRegistered(c.state);
    return {
      strFullName: on ? op.longName : '',
      strShortName: on ? op.shortName : '',
      strNumeric: on ? op.mcc + op.mnc : '',
      nRat: on ? String(RAT[c.state.radio.technology]) : '',
      strBearer: c.state.network.bearerPreference,
    };
  }),
  station_list: agg('stations', (c) => ({ station_list: stationList(c, 'wifi') })),
  lan_station_list: agg('stations', (c) => ({ lan_station_list: stationList(c, 'lan') })),
  hostNameList: agg('stations', (c) => ({
    devices: c.state.stations.map((s) => ({ hostname: s.hostname, mac: s.mac })),
  })),
  childGroupList: agg('stations', (c) => ({
    devices: c.state.stations.filter((s) => s.child).map((s) => ({ hostname: s.hostname, mac: s.mac })),
  })),
  queryDeviceAccessControlList: agg('stations', (c) => ({
    AclMode: String(c.state.wifi.aclMode),
    WhiteMacList: c.state.wifi.macWhiteList.join(';'),
    BlackMacList: c.state.wifi.macBlackList.join(';'),
    WhiteNameList: '',
    BlackNameList: c.state.wifi.hostnameBlackList.join(';'),
  })),
  ussd_data_info: agg('ussd', (c) => ({
    // The state keeps the network's text; the web UI reads it as UCS-2 hex (dcs 72, goform-api.md §5).
    ussd_data: encodeUcs2Hex(c.state.sms.ussd.data),
    ussd_action: c.state.sms.ussd.action,
    ussd_dcs: c.state.sms.ussd.dcs,
  })),
  GetUpgAutoSetting: agg('fota', (c) => ({
    UpgMode: c.state.fota.autoCheck.mode,
    UpgIntervalDay: String(c.state.fota.autoCheck.intervalDays),
    UpgRoamPermission: c.state.fota.autoCheck.roamPermission,
  })),
  pack_size_info: agg('fota', (c) => ({
    pack_total_size: String(c.state.fota.available?.sizeBytes ?? 0),
    download_size: String(c.state.fota.downloadedBytes),
  })),
  HTTPSHARE_GETCARD_VALUE: agg('httpshare', (c) => (c.share ? c.share.cardValueOrFailure() : { result: 'no_sdcard' })),
  CheckUploadFileStatus: agg('httpshare', () => ({ result: '6' })),
  LD: agg('device', (c) => ({ LD: c.device.profile.auth.passwordEncoding === 'sha256-ld' ? c.auth.issueLd() : '' }), true),
  // §9.1: the §1.2 shape, {"WiFiModuleSwitch":"1"}, not {"queryWiFiModuleSwitch":""}.
  queryWiFiModuleSwitch: agg('wifi', (c) => ({ WiFiModuleSwitch: c.state.wifi.enabled ? '1' : '0' })),
  RD: agg('device', (c) => ({ RD: c.auth.issueRd(c.req) }), true),
};

const RAT = { GSM: 0, WCDMA: 2, LTE: 7, ENDC: 13, SA: 12 } as const;

function stationList(c: AggregateContext, medium: 'wifi' | 'lan'): Record<string, string>[] {
  return onlineStations(c.state)
    .filter((s) => s.medium === medium && !isBlocked(c.state, s.mac))
    .map((s) => ({ mac_addr: s.mac, hostname: s.hostname, ip_addr: s.ip, ssid_index: String(s.ssidIndex) }));
}

/** One page of `sms_data_total` (goform-api.md §5.1): page, data_per_page, mem_store, tags, order_by. */
function smsPage(c: ReadContext): Record<string, string>[] {
  const page = nonNegativeInt(c.param('page'), 0);
  const perPage = Math.min(nonNegativeInt(c.param('data_per_page'), 500), 5000);
  const store = c.param('mem_store') === '0' ? 'sim' : 'device';
  const tags = c.param('tags') ?? '10';
  const order = (c.param('order_by') ?? 'order by id desc').toLowerCase();
  let list = c.state.sms.messages.filter((m) => m.store === store && (tags === '10' || String(m.tag) === tags));
  const byDate = order.includes('date');
  const desc = !order.includes('asc');
  list = [...list].sort((a, b) => {
    const d = byDate ? a.timeMs - b.timeMs || a.id - b.id : a.id - b.id;
    return desc ? -d : d;
  });
  return list.slice(page * perPage, page * perPage + perPage).map(smsRecord);
}

/** One page of `sms_status_rpt_data` (goform-api.md §5.4): the delivery reports, newest first. */
function reportPage(c: ReadContext): Record<string, string>[] {
  const page = nonNegativeInt(c.param('page'), 0);
  const perPage = Math.min(nonNegativeInt(c.param('data_per_page'), 500), 5000);
  return [...c.state.sms.reports].reverse().slice(page * perPage, page * perPage + perPage).map((r) => ({
    id: String(r.id),
    number: r.number,
    content: encodeUcs2Hex(REPORT_TEXT[r.status]),
    date: formatSmsDate(r.dischargeMs, r.tzHours),
    // The sent message it answers, and the TP-ST code the network gave (23.040 §9.2.3.15).
    msg_id: String(r.messageId),
    status: String(REPORT_STATUS_CODE[r.status]),
    tag: r.read ? '0' : '1',
  }));
}

const REPORT_TEXT = { delivered: 'Delivered', failed: 'Delivery failed', expired: 'Expired' } as const;

export function smsRecord(m: SmsMessage): Record<string, string> {
  return {
    id: String(m.id),
    number: m.number,
    content: encodeUcs2Hex(m.text),
    tag: String(m.tag),
    date: formatSmsDate(m.timeMs, m.tzHours),
    draft_group_id: m.draftGroupId,
    received_all_concat_sms: m.concatReceived >= m.concatTotal ? '1' : '0',
    concat_sms_total: String(m.concatTotal),
    concat_sms_received: String(m.concatReceived),
    sms_class: '4',
  };
}

function nonNegativeInt(text: string | undefined, fallback: number): number {
  if (text === undefined || !/^\d+$/.test(text)) return fallback;
  return Number(text);
}
