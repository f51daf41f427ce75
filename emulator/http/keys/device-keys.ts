import { sha256Upper } from '../../state/create-state.js';
import { formatTz } from '../codec.js';
import { defineKeys, str, type ReadContext } from './key-def.js';

// goform-api.md §3.1 identity and versions, §2 login-page keys, §3.10 system flags.

/** Multi-user firmware (§2.3): who is logged in, and the accounts the device has. */
export const multiUserKeys = defineKeys(
  'multi-user',
  {
    user: (c) => (c.loggedIn ? (c.auth.currentUser(c.req) ?? '') : ''),
    web_current_account: (c) => (c.loggedIn ? (c.auth.currentUser(c.req) ?? '') : ''),
    web_username1: (c) => c.device.profile.auth.users[0] ?? '',
    web_username2: (c) => c.device.profile.auth.users[1] ?? '',
  },
  { public: ['user'], perRequester: ['user', 'web_current_account'] },
);

export const deviceKeys = defineKeys(
  'device',
  {
    imei: (c) => c.state.identity.imei,
    imsi: (c) => (c.state.sim.status === 'ready' ? c.state.identity.imsi : ''),
    sim_imsi: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.imsi),
    sim_iccid: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.iccid),
    ziccid: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.iccid),
    msisdn: (c) => (c.state.sim.status === 'ready' ? c.state.identity.msisdn : ''),
    modem_msn: (c) => c.state.identity.serialNumber,
    hardware_version: (c) => c.device.profile.firmware.hardware_version,
    hw_version: (c) => c.device.profile.firmware.hardware_version,
    // §9.1: "1" once the login password is no longer the profile's default (ZXIC UIs nag until then).
    psw_changed: (c) => (c.state.login.passwordSha256 === defaultPasswordSha256(c.device.profile) ? '0' : '1'),
    // §9.1: LD and RD inside a multi-key read are the values a lone read gives (a fresh RD is minted). LD exists only
    // where the login uses it (SHA256 + LD); elsewhere it answers "" like any unknown key.
    LD: (c) => (c.device.profile.auth.passwordEncoding === 'sha256-ld' ? c.auth.issueLd() : ''),
    RD: (c) => c.auth.issueRd(c.req),
    wa_inner_version: (c) => c.device.profile.firmware.wa_inner_version,
    cr_version: (c) => c.device.profile.firmware.cr_version,
    wa_version: (c) => c.state.fota.currentVersion,
    web_version: (c) => c.device.profile.firmware.web_version,
    Language: (c) => c.state.system.language,
    mac_address: (c) => c.state.identity.macAddress,
    loginfo: (c) => {
      if (c.loggedIn) return 'ok';
      // §7.17: without multi_data some firmware answers "ok" while another client holds the session.
      if (!c.multi && c.device.profile.quirks.loginfoOkWithoutMultiData && c.auth.anySession()) return 'ok';
      return 'no';
    },
    psw_fail_num_str: (c) => str(c.state.login.failuresLeft),
    login_lock_time: (c) => str(c.device.account.loginLockSecondsLeft()),
    modem_main_state: (c) => MODEM_MAIN_STATE[c.state.sim.status],
    pin_status: (c) => str(c.state.sim.pinEnabled),
    pinnumber: (c) => str(c.state.sim.pinAttemptsLeft),
    puknumber: (c) => str(c.state.sim.pukAttemptsLeft),
    restore_flag: (c) => str(c.state.system.restoreFlag),
    privacy_read_flag: () => '1',
    check_web_conflict: () => '0',
    user_ip_addr: (c) => c.req.ip,
    // §3.10 SNTP: the device's local time, split into fields.
    sntp_year: (c) => localPart(c, 0, 4),
    sntp_month_temp: (c) => localPart(c, 5, 7),
    sntp_day: (c) => localPart(c, 8, 10),
    sntp_hour: (c) => localPart(c, 11, 13),
    sntp_minute: (c) => localPart(c, 14, 16),
    sntp_second: (c) => localPart(c, 17, 19),
    sntp_timezone: (c) => formatTz(c.state.system.tzHours),
    syn_done: () => '1',
    nitz_sync_flag: () => '1',
  },
  {
    public: ['loginfo', 'psw_fail_num_str', 'login_lock_time', 'modem_main_state', 'pin_status', 'pinnumber', 'puknumber',
      'Language', 'cr_version', 'wa_inner_version', 'restore_flag', 'check_web_conflict', 'LD', 'RD', 'psw_changed'],
    perRequester: ['user_ip_addr', 'LD', 'RD'],
  },
);

const defaultHashes = new WeakMap<object, string>();

/** The profile's default password as its SHA256, hashed once per profile (not on every read). */
function defaultPasswordSha256(profile: ReadContext['device']['profile']): string {
  let h = defaultHashes.get(profile);
  if (h === undefined) defaultHashes.set(profile, (h = sha256Upper(profile.auth.defaultPassword)));
  return h;
}

const MODEM_MAIN_STATE = {
  ready: 'modem_init_complete',
  absent: 'modem_sim_undetected',
  pin: 'modem_waitpin',
  puk: 'modem_waitpuk',
  'network-locked': 'modem_imsi_waitnck',
} as const;

function localPart(c: ReadContext, from: number, to: number): string {
  return new Date(c.nowMs + c.state.system.tzHours * 3_600_000).toISOString().slice(from, to);
}
