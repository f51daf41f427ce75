import { deviceKey, decryptSessionKey } from '../field-crypto.js';
import { BadArg, ok, str, type UbusContext, type UbusObject } from '../method-def.js';
import { sha256Upper } from '../sessions.js';
import { commonInfo } from './sim-object.js';

// zwrt_web (ubus-api.md §4, §5.1, §6.1): login, logout, key exchange, password change and the UI's flags.

export const webObject: UbusObject = {
  methods: {
    web_login_info: { read: true,
      doc: 'zte_web_sault (salt), login_fail_num (attempts left), login_fail_lock_lefttime (s), §4.2',
      handle: (c) => ok(loginInfo(c)),
    },
    web_login: {
      doc: '{password: UPPER(SHA256(UPPER(SHA256(pw)) + salt))}: result 0 with ubus_rpc_session and timeout, 1 wrong, 2 locked, 3 taken (§4.4)',
      handle(c, a) {
        const password = str(a, 'password');
        const answer = c.sessions.login(password, c.ip);
        switch (answer.result) {
          case 0:
            return ok({ result: c.num(0), ubus_rpc_session: answer.session.sid, timeout: c.num(c.switches.sessionTimeoutS) });
          case 1:
            return ok({ result: c.num(1), login_fail_num: c.num(answer.attemptsLeft), msg: 'password error' });
          case 2:
            return ok({ result: c.num(2), login_fail_num: c.num(0), login_fail_lock_lefttime: c.num(answer.lockSecondsLeft) });
          case 3:
            return ok({ result: c.num(3) });
        }
      },
    },
    web_logout: {
      doc: '{}: the session ends (-32002 afterwards)',
      handle(c) {
        if (c.session) c.sessions.logout(c.session.sid);
        return ok();
      },
    },
    web_crt_get: {
      doc: 'result: the device RSA public key, PEM without line breaks (§5.1)',
      handle: (c) => ok({ result: deviceKey(c.state.seed).publicPem }),
    },
    web_http_enstr_set: {
      doc: '{web_enstr: base64 RSA-PKCS#1 v1.5 of 64 hex chars}: the session AES-256 key (§5.1)',
      handle(c, a) {
        const key = decryptSessionKey(deviceKey(c.state.seed), str(a, 'web_enstr'));
        if (!key) throw new BadArg('web_enstr does not decrypt to a 64-hex-character key');
        c.session!.aesKey = key;
        return ok();
      },
    },
    web_change_password: {
      doc: '{password_new: ENC(plain), password_old: UPPER(SHA256(old))}: result 0 changed, 1 old password wrong; every session ends',
      handle(c, a) {
        const old = str(a, 'password_old').toUpperCase();
        const plain = c.dec(str(a, 'password_new'), 'password_new');
        if (plain.length < 1 || plain.length > 32 || !/^[\x21-\x7e]+$/.test(plain)) throw new BadArg('password_new must be 1-32 printable characters without spaces');
        const stored = c.state.login;
        // §4.8: the stock UI hashes the old password as SHA256(old) or SHA256(base64(old)), by WEB_ATTR_IF_SUPPORT_SHA256.
        const matches = old === stored.passwordSha256 || (stored.password !== null && old === sha256Upper(Buffer.from(stored.password, 'utf8').toString('base64')));
        if (!matches) return ok({ result: c.num(1) });
        c.device.account.setPassword({ plain });
        c.sessions.clear();
        return ok({ result: c.num(0) });
      },
    },
    web_info: {
      doc: 'login_user_ip, developer_option_loginfo, web_local_addr, login_current_user (§4.8)',
      handle: (c) => ok({ login_user_ip: c.session?.ip ?? c.ip, developer_option_loginfo: c.session?.developer ? '1' : '0', web_local_addr: c.state.wan.lan.ip, login_current_user: 'admin' }),
    },
    web_developer_option_login: {
      doc: '{password: the salted hash}: raises the rights of the same session; result "0" or "1"',
      handle(c, a) {
        if (!c.sessions.checkHash(str(a, 'password'))) return ok({ result: '1' });
        c.session!.developer = true;
        return ok({ result: '0' });
      },
    },
    web_developer_login_info: { doc: 'developer_option_loginfo ("1" after the developer login)', handle: (c) => ok({ developer_option_loginfo: c.session?.developer ? '1' : '0' }) },
    web_language_get: { read: true, doc: 'web_language', handle: (c) => ok({ web_language: c.state.system.language }) },
    web_language_set: {
      doc: '{web_language}',
      handle(c, a) {
        const lang = str(a, 'web_language');
        if (!/^[a-z]{2}(-[a-zA-Z]{2,4})?$/.test(lang)) throw new BadArg(`web_language=${lang} is not a language code`);
        c.device.settings.setLanguage(lang);
        return ok();
      },
    },
    web_quick_settings_init_flag_get: { doc: 'quick_settings_init_flag ("1": the first-use wizard is done)', handle: () => ok({ quick_settings_init_flag: '1' }) },
    web_privacy_read_flag_get: { doc: 'privacy_read_flag ("1": the privacy notice was read)', handle: () => ok({ privacy_read_flag: '1' }) },
    device_info: { doc: 'wa_inner_version and the IMEI', handle: (c) => ok({ ...commonInfo(c), imei: c.state.identity.imei }) },
  },
};

export function loginInfo(c: UbusContext): Record<string, unknown> {
  return {
    zte_web_sault: c.sessions.salt,
    login_fail_num: c.num(c.sessions.attemptsLeft()),
    login_fail_lock_lefttime: c.num(c.sessions.lockSecondsLeft()),
  };
}
