import { loadProfile, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { partsOf, type SmsMessage, type Technology } from '../../emulator/state/device-state.js';
import { decodeUcs2Hex } from '../../emulator/http/codec.js';
import { luhnCheckDigit } from '../../emulator/state/identity.js';
import { BenchError } from '../errors.js';
import { incomingDuring, smsView, ubusCalls, type Recording } from '../record/recording.js';
import { createEmulatorTarget, type EmulatorTarget } from './emulator-target.js';

// An emulator that follows a recording (`routerlab serve --from`): the profile from the recorded model, and the
// identity, radio, battery, Wi-Fi and SMS values the device answered.

const PROFILE_BY_MODEL: [RegExp, string][] = [
  [/MC88[89]/i, 'mc888'], [/MF286D/i, 'mf286d'], [/MF823/i, 'mf823'], [/MF79|MF971/i, 'mf79u'],
  // ZWRT (ubus) models, by model_name or wa_inner_version (ubus-api.md §1).
  [/G5TS|GT5S/i, 'g5ts'], [/G5 ?Ultra|G5TC|G5 ?Max|G5U/i, 'g5ultra'], [/MU525|U60/i, 'u60pro'], [/MC75\d\d/i, 'mc7510'],
];
/** goform network_type -> the emulator's technology (shared with `routerlab import`). */
export const TECHNOLOGY_BY_NETWORK_TYPE: Record<string, Technology> = { LTE: 'LTE', LTE_A: 'LTE', ENDC: 'ENDC', 'EN-DC': 'ENDC', SA: 'SA', 'HSPA+': 'WCDMA', HSPA: 'WCDMA', UMTS: 'WCDMA', WCDMA: 'WCDMA', EDGE: 'GSM', GSM: 'GSM' };

export function emulatorOptionsFromRecording(recording: Recording): Pick<EmulatorOptions, 'profile'> {
  const model = `${recording._meta.model} ${recording._meta.firmware}`;
  return { profile: PROFILE_BY_MODEL.find(([re]) => re.test(model))?.[1] ?? 'mf79u' };
}

/**
 * The emulator a recording is replayed against by default (`routerlab fidelity DIR`): the recorded model's profile,
 * the device as the recording found it, and a paused clock that the replay moves at the recorded pacing.
 */
export async function emulatorFromRecording(recording: Recording): Promise<EmulatorTarget> {
  const target = await createEmulatorTarget({ clockMode: 'paused', ...emulatorOptionsFromRecording(recording) });
  try {
    applyRecording(target.emulator!, recording);
  } catch (e) {
    await target.close();
    throw e;
  }
  return target;
}

/**
 * Writes the recorded values into the emulator's state (validated as a whole: CONFIG_INVALID names a value it cannot hold): the device
 * as the recording found it. Each key takes the first value the device answered (a proxy recording's later reads show
 * what the client itself changed, which a replay changes again), and the SMS list leaves out the messages the
 * client's own SEND_SMS put there (a replay sends them again).
 */
export function applyRecording(emulator: Emulator, recording: Recording): void {
  const v = observed(recording);
  const num = (k: string): number | undefined => (v[k] !== undefined && Number.isFinite(Number(v[k])) ? Number(v[k]) : undefined);
  const next = emulator.device.snapshot();
  const s = next;
  if (v.imei) s.identity.imei = v.imei;
  if (v.imsi) s.identity.imsi = v.imsi;
  if (v.sim_iccid) s.identity.iccid = v.sim_iccid;
  if (v.msisdn) s.identity.msisdn = v.msisdn;
  if (v.mac_address) s.identity.macAddress = v.mac_address.toUpperCase();
  if (v.BSSID) s.identity.bssid = v.BSSID.toUpperCase();
  if (v.device_alias_name) s.identity.deviceName = v.device_alias_name;
  if (v.modem_msn && /^[0-9A-Za-z]{1,32}$/.test(v.modem_msn)) s.identity.serialNumber = v.modem_msn;
  if (v.wa_version) s.fota.currentVersion = v.wa_version;
  const tech = v.network_type ? TECHNOLOGY_BY_NETWORK_TYPE[v.network_type] : undefined;
  if (tech) s.radio.technology = tech;
  if (v.simcard_roam) s.radio.registration = v.simcard_roam === 'Home' ? 'home' : 'roaming';
  if (v.rmcc && v.rmnc) s.radio.operator = { ...s.radio.operator, mcc: v.rmcc, mnc: v.rmnc, shortName: v.network_provider ?? s.radio.operator.shortName };
  if (num('lte_rsrp') !== undefined) s.radio.rsrpDbm = num('lte_rsrp')!;
  if (num('lte_rsrq') !== undefined) s.radio.rsrqDb = num('lte_rsrq')!;
  if (num('lte_snr') !== undefined) s.radio.sinrDb = num('lte_snr')!;
  if (num('rssi') !== undefined) s.radio.rssiDbm = num('rssi')!;
  if (v.cell_id && /^[0-9a-f]+$/i.test(v.cell_id)) s.radio.cellId = parseInt(v.cell_id, 16);
  if (v.lte_pci && /^[0-9a-f]+$/i.test(v.lte_pci)) s.radio.pci = parseInt(v.lte_pci, 16);
  if (v.lac_code && /^[0-9a-f]+$/i.test(v.lac_code)) s.radio.tac = parseInt(v.lac_code, 16);
  if (v.sms_received_flag) s.sms.receivedFlag = v.sms_received_flag === '1';
  const smsc = recording.goform.find((e) => e.cmd === 'sms_parameter_info')?.response.sms_para_sca;
  if (typeof smsc === 'string' && smsc) s.sms.smsc = smsc;
  if (num('lte_band') !== undefined) s.radio.band = num('lte_band')!;
  if (s.radio.nr) {
    if (num('Z5g_rsrp') !== undefined) s.radio.nr.rsrpDbm = num('Z5g_rsrp')!;
    if (num('Z5g_SINR') !== undefined) s.radio.nr.sinrDb = num('Z5g_SINR')!;
    if (v.nr5g_action_band) s.radio.nr.band = v.nr5g_action_band;
  }
  if (num('battery_vol_percent') !== undefined && s.battery.present) s.battery.level = s.battery.percent = num('battery_vol_percent')!;
  if (v.battery_charging) s.battery.chargerConnected = v.battery_charging !== '0';
  if (v.SSID1) s.wifi.main.ssid = v.SSID1;
  if (v.AuthMode) s.wifi.main.authMode = v.AuthMode;
  if (v.EncrypType) s.wifi.main.encrypType = v.EncrypType;
  if (v.HideSSID === '0' || v.HideSSID === '1') s.wifi.main.hidden = v.HideSSID === '1';
  if (num('MAX_Access_num') !== undefined) s.wifi.main.maxAccess = num('MAX_Access_num')!;
  if (v.NoForwarding === '0' || v.NoForwarding === '1') s.wifi.main.isolation = v.NoForwarding === '1';
  if (v.Language) s.system.language = v.Language;
  if (v.dial_mode === 'auto_dial' || v.dial_mode === 'manual_dial') s.network.connectionMode = v.dial_mode;
  if (v.net_select) s.network.bearerPreference = v.net_select;
  if (v.roam_setting_option) s.network.dataRoaming = v.roam_setting_option === 'on';
  if (v.data_volume_limit_switch) s.dataLimit.enabled = v.data_volume_limit_switch === '1';
  if (v.data_volume_limit_size) s.dataLimit.size = v.data_volume_limit_size;
  const before = initialInbox(recording);
  if (before !== null) {
    s.sms.messages = before.map((m, i): SmsMessage => ({
      id: Number(m.id) || i + 1,
      number: m.number ?? '',
      text: decodeUcs2Hex(m.content ?? ''),
      tag: (Number(m.tag) as SmsMessage['tag']) || 0,
      store: 'device',
      timeMs: smsTime(m.date ?? '', emulator.clock.now()),
      tzHours: Number((m.date ?? '').split(',')[6] ?? '0') || 0,
      draftGroupId: m.draft_group_id ?? '',
      concatTotal: Number(m.concat_sms_total) || 0,
      concatReceived: Number(m.concat_sms_received) || 0,
      record: 'memory',
      parts: partsOf(decodeUcs2Hex(m.content ?? '')),
    }));
    s.sms.nextId = Math.max(0, ...s.sms.messages.map((m) => m.id)) + 1;
  }
  const outcome = emulator.device.replaceState(next);
  if (outcome.refused) throw new BenchError('CONFIG_INVALID', `[hil:record] the recording gives values the emulator cannot hold: ${outcome.message}`);
}

const MAC = /^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/;
const hex = (v: string): string => Number(v).toString(16).toUpperCase();
/**
 * ubus answer fields (ubus-api.md §6, uci values too) under the goform key that holds the same value, in goform's form
 * (cell ids hex); identities only as digits, so encrypted fields (Base64) are left out.
 */
const UBUS_FIELDS: Record<string, [string, RegExp, ((v: string) => string)?]> = {
  imei: ['imei', /^\d{15}$/], imei_sv: ['imei', /^\d{16}$/, (v) => v.slice(0, 14) + String(luhnCheckDigit(v.slice(0, 14)))],
  sim_imsi: ['imsi', /^\d{14,15}$/], sim_iccid: ['sim_iccid', /^\d{18,20}$/], msisdn: ['msisdn', /^\+?\d{6,15}$/],
  macaddr: ['mac_address', MAC], sn: ['modem_msn', /^[0-9A-Za-z]{6,32}$/], wlan_mac_address: ['BSSID', MAC], device_alias_name: ['device_alias_name', /^.{1,64}$/],
  main2g_ssid: ['SSID1', /^.{1,32}$/], battery_capacity: ['battery_vol_percent', /^\d{1,3}$/], sms_received_flag: ['sms_received_flag', /^[01]$/],
  lte_rsrp: ['lte_rsrp', /^-\d+$/], lte_rsrq: ['lte_rsrq', /^-?\d+$/], lte_snr: ['lte_snr', /^-?\d+$/],
  cell_id: ['cell_id', /^[1-9]\d*$/, hex], lac_code: ['lac_code', /^[1-9]\d*$/, hex], lte_pci: ['lte_pci', /^[1-9]\d*$/, hex],
};

/**
 * What the device answered first for each key: goform multi-key reads, and the same values in a ZWRT client's ubus
 * answers (encrypted fields, which are not digits, are left out).
 */
function observed(recording: Recording): Record<string, string> {
  const v: Record<string, string> = {};
  const take = (k: string, val: unknown): void => {
    const text = typeof val === 'string' ? val : typeof val === 'number' ? String(val) : '';
    if (text !== '' && !(k in v)) v[k] = text;
  };
  for (const e of recording.goform) if (e.multi) for (const [k, val] of Object.entries(e.response)) take(k, val);
  for (const x of recording.exchanges) {
    if (x.status !== 200) continue;
    for (const { data } of ubusCalls(x)) {
      if (!data || typeof data !== 'object') continue;
      // A uci get answers its section under `values`.
      for (const fields of [data, (data.values ?? {}) as Record<string, unknown>]) {
        for (const [field, [key, shape, convert]] of Object.entries(UBUS_FIELDS)) {
          const val = fields[field];
          if ((typeof val === 'string' || typeof val === 'number') && shape.test(String(val))) take(key, convert ? convert(String(val)) : val);
        }
      }
    }
  }
  return v;
}

/**
 * The device's inbox as the recording found it, as goform lists it (tag 0 read, 1 unread, 2 sent, 3 failed, 4 draft):
 * the first listing, goform's or a ZWRT client's (its unread tag per the profile, ubus-api.md §6.14; encrypted
 * entries left out), without the SMS the client sent itself (a replay sends them) or that arrived while it worked (a
 * replay delivers them). Null when the recording never listed the inbox.
 */
export function initialInbox(recording: Recording): Record<string, string>[] | null {
  let list: unknown = recording.goform.find((e) => e.cmd === 'sms_data_total')?.response.messages;
  if (!Array.isArray(list)) {
    const ubus = recording.exchanges.map((x) => smsView(x).list).find((l) => l !== undefined);
    const swap = loadProfile(emulatorOptionsFromRecording(recording).profile ?? 'mf79u').ubus.smsUnreadTag === 0;
    list = ubus?.filter((m) => /^[0-9A-Fa-f]*$/.test(m.content ?? '')).map((m) => (swap && (m.tag === '0' || m.tag === '1') ? { ...m, tag: m.tag === '0' ? '1' : '0' } : m));
  }
  if (!Array.isArray(list)) return null;
  const sentByClient = clientSends(recording);
  const arrived = incomingDuring(recording.exchanges).ids;
  return (list as Record<string, string>[]).filter((m) => {
    if (m.id && arrived.has(m.id)) return false;
    if (m.tag !== '2' && m.tag !== '3') return true;
    const key = `${m.number ?? ''}\n${decodeUcs2Hex(m.content ?? '')}`;
    const n = sentByClient.get(key) ?? 0;
    if (n === 0) return true;
    sentByClient.set(key, n - 1);
    return false;
  });
}

/** The SMS a proxied client sent itself (number and text), as many times as it sent each. */
function clientSends(recording: Recording): Map<string, number> {
  const sends = new Map<string, number>();
  const add = (number: string, body: string): void => {
    const key = `${number}\n${decodeUcs2Hex(body)}`;
    sends.set(key, (sends.get(key) ?? 0) + 1);
  };
  for (const x of recording.exchanges) {
    if (x.blocked || x.status !== 200) continue;
    const f = x.request.fields;
    if (x.kind === 'goform-write' && x.name === 'SEND_SMS' && f && (x.response.json as { result?: unknown } | undefined)?.result === 'success') add(f.Number ?? '', f.MessageBody ?? '');
    // A ZWRT client's zte_libwms_send_sms answered [0] (ubus-api.md §6.14); one send per number of its list.
    for (const { name, args, status } of ubusCalls(x)) {
      if (name !== 'zwrt_wms.zte_libwms_send_sms' || status !== 0 || typeof args.number !== 'string' || typeof args.message_body !== 'string') continue;
      for (const n of args.number.split(/[;,]/).filter((n) => n !== '')) add(n, args.message_body);
    }
  }
  return sends;
}

function smsTime(date: string, fallback: number): number {
  const p = date.split(',').map(Number);
  if (p.length < 6 || p.slice(0, 6).some((n) => !Number.isFinite(n))) return fallback;
  return Date.UTC(2000 + p[0]!, p[1]! - 1, p[2], p[3], p[4], p[5]) - (p[6] ?? 0) * 3_600_000;
}
