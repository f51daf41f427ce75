// The load flows of scenarios/load/flows.ts for k6, one iteration each.
import { check } from 'k6';
import { Trend } from 'k6/metrics';
import { aggregate, get, login, sendSms, set, type Router } from './goform.ts';
import { batch, login as ubusLoginOnly, logout as ubusLogout, ZERO_SID, type Call, type ZwrtRouter } from './ubus.ts';

/** The web UI's one-second status poll (goform-api.md §3.11). */
export const STATUS_POLL_KEYS = [
  'modem_main_state', 'pin_status', 'opms_wan_mode', 'loginfo', 'new_version_state', 'current_upgrade_state', 'signalbar',
  'network_type', 'network_provider', 'ppp_status', 'simcard_roam', 'battery_charging', 'battery_vol_percent', 'battery_pers',
  'realtime_tx_bytes', 'realtime_rx_bytes', 'realtime_time', 'realtime_tx_thrpt', 'realtime_rx_thrpt', 'monthly_rx_bytes',
  'monthly_tx_bytes', 'monthly_time', 'data_volume_limit_switch', 'data_volume_alert_percent', 'sms_received_flag', 'sms_unread_num',
];

const loginDuration = new Trend('login_duration', true);
const smsSendDuration = new Trend('sms_send_duration', true);

function ensureLogin(r: Router, state: { loggedIn: boolean }): void {
  if (state.loggedIn) return;
  state.loggedIn = login(r);
}

export function webStatusPoll(r: Router, state: { loggedIn: boolean }): void {
  ensureLogin(r, state);
  const v = get(r, STATUS_POLL_KEYS, 'get:status-poll');
  if (!check(v, { 'status poll answered': (x) => x.modem_main_state !== undefined && x.modem_main_state !== '' })) state.loggedIn = false;
}

export function appLogin(r: Router, state: { loggedIn: boolean }): void {
  const t0 = Date.now();
  login(r);
  loginDuration.add(Date.now() - t0);
  get(r, ['loginfo', 'modem_main_state']);
  set(r, 'LOGOUT', {});
  state.loggedIn = false;
}

export function smsList(r: Router, state: { loggedIn: boolean }): void {
  ensureLogin(r, state);
  for (let page = 0; page < 3; page++) {
    const answer = aggregate(r, 'sms_data_total', { page: String(page), data_per_page: '20', mem_store: '1', tags: '10', order_by: 'order by id desc' }, 'get:sms_data_total');
    const rows = Array.isArray(answer.messages) ? answer.messages.length : 0;
    if (rows < 20) break;
  }
}

export function smsSend(r: Router, state: { loggedIn: boolean }, vu: number, iteration: number): void {
  ensureLogin(r, state);
  const t0 = Date.now();
  if (sendSms(r, '+4915100000077', `load ${vu}.${iteration}`)) smsSendDuration.add(Date.now() - t0);
}

export function settingsWrite(r: Router, state: { loggedIn: boolean }, iteration: number): void {
  ensureLogin(r, state);
  const minutes = ['10', '20', '30'][iteration % 3] ?? '10';
  set(r, 'SET_WIFI_SLEEP_INFO', { sysIdleTimeToSleep: minutes });
  check(get(r, ['sysIdleTimeToSleep']), { 'setting reads back': (v) => v.sysIdleTimeToSleep === minutes });
}

export function stationRefresh(r: Router, state: { loggedIn: boolean }): void {
  ensureLogin(r, state);
  aggregate(r, 'station_list', {}, 'get:station_list');
  aggregate(r, 'queryDeviceAccessControlList', {}, 'get:queryDeviceAccessControlList');
}

/** The ZWRT stock UI's status batch (ubus-api.md §2.6, §6.2), as hil's ZWRT_STATUS_POLL. */
export const ZWRT_STATUS_POLL: Call[] = [
  ['zwrt_router.api', 'router_get_status', {}],
  ['zte_nwinfo_api', 'nwinfo_get_netinfo', {}],
  ['zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 4 }],
  ['zwrt_router.api', 'router_get_user_list_num', {}],
  ['zwrt_wlan', 'report', {}],
  ['zwrt_bsp.thermal', 'get_cpu_temp', {}],
];

export function ubusStatusPoll(r: ZwrtRouter): void {
  if (r.sid === ZERO_SID && !ubusLoginOnly(r)) return;
  const answers = batch(r, ZWRT_STATUS_POLL, 'ubus:status-poll');
  // -32002: the session expired or another client took it; the next iteration logs in again.
  if (answers.some((a) => a.error && a.error.code === -32002)) r.sid = ZERO_SID;
  check(answers, { 'ubus poll: every call answered [0]': (a) => a.every((x) => x.status === 0) });
}

export function ubusLogin(r: ZwrtRouter): void {
  const t0 = Date.now();
  if (!ubusLoginOnly(r)) return;
  loginDuration.add(Date.now() - t0);
  const [status] = batch(r, [['zwrt_router.api', 'router_get_status']]);
  check(status, { 'ubus login: status read': (s) => s !== undefined && typeof s.data.current_wan_status === 'string' });
  ubusLogout(r);
}
