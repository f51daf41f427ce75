import { BadField, FAILURE, SUCCESS, done, need, oneOf, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.1 session and system, §4.2 SIM PIN/PUK.

export const sessionSets: Record<string, SetDef> = {
  LOGIN: { login: false, ad: false, handle: (ctx) => login(ctx) },
  // §9.2: MC-series scripts post the developer-mode login like LOGIN, with the same password encoding.
  DEVELOPER_OPTION_LOGIN: { login: false, ad: false, handle: (ctx) => login(ctx) },
  // §2.3: multi-user firmware (MF286R, MF266) only; LOGIN there fails and this fails on single-user firmware.
  LOGIN_MULTI_USER: { login: false, ad: false, handle: (ctx) => login(ctx, need(ctx, 'user')) },
  LOGOUT: {
    // §9.2: many clients log out without the session cookie (or AD); it answers success and ends nothing else.
    login: false,
    ad: false,
    handle(ctx) {
      ctx.auth.logout(ctx.req);
      return SUCCESS;
    },
  },
  CHANGE_PASSWORD: {
    handle(ctx) {
      return ctx.auth.changePassword(ctx.fields.oldPassword, ctx.fields.newPassword) ? SUCCESS : FAILURE;
    },
  },
  SET_WEB_LANGUAGE: {
    login: false,
    ad: false,
    handle(ctx) {
      const lang = need(ctx, 'Language');
      if (!/^[a-z]{2}(-[a-z]{2})?$/.test(lang)) throw new BadField(`Language=${lang} is not a language code`);
      ctx.device.settings.setLanguage(lang);
      return SUCCESS;
    },
  },
  REBOOT_DEVICE: {
    handle(ctx) {
      ctx.device.power.reboot();
      return SUCCESS;
    },
  },
  RESTORE_FACTORY_SETTINGS: {
    handle(ctx) {
      ctx.device.power.factoryReset();
      return SUCCESS;
    },
  },
  RESET_DATA_COUNTER: {
    handle(ctx) {
      ctx.device.data.resetCounters();
      return SUCCESS;
    },
  },
  FLOW_CALIBRATION_MANUAL: {
    handle(ctx) {
      const way = oneOf(ctx, 'calibration_way', ['data', 'time']);
      if (way === 'data') {
        const mb = Number(need(ctx, 'data'));
        if (!Number.isFinite(mb) || mb < 0) throw new BadField('data must be a number of MB >= 0');
        ctx.device.data.calibrate({ bytes: mb * 1024 * 1024 });
      } else {
        const hours = Number(need(ctx, 'time'));
        if (!Number.isFinite(hours) || hours < 0) throw new BadField('time must be a number of hours >= 0');
        ctx.device.data.calibrate({ seconds: hours * 3600 });
      }
      return SUCCESS;
    },
  },
};

function login(ctx: SetContext, user?: string): Record<string, unknown> {
  const { result, token } = ctx.auth.login(ctx.req, ctx.fields.password, user);
  const name = ctx.auth.cookieName;
  const value = ctx.device.profile.auth.cookieQuoted ? `"${token}"` : token;
  if (token && name) ctx.setHeader('Set-Cookie', `${name}=${value}; Path=/; HttpOnly`);
  return { result };
}

/** PIN handling: the rules (tries, PUK, digits) are the device's (emulator/state/areas/sim.ts). */
export const simSets: Record<string, SetDef> = {
  ENTER_PIN: {
    handle: (ctx) => done(ctx.device.sim.enterPin(need(ctx, 'PinNumber'))),
  },
  ENTER_PUK: {
    handle: (ctx) => done(ctx.device.sim.enterPuk(need(ctx, 'PUKNumber'), need(ctx, 'PinNumber'))),
  },
  ENABLE_PIN: {
    handle: (ctx) => done(ctx.device.sim.setPinLock({ enabled: true, pin: need(ctx, 'OldPinNumber'), newPin: ctx.fields.NewPinNumber || undefined })),
  },
  DISABLE_PIN: {
    handle: (ctx) => done(ctx.device.sim.setPinLock({ enabled: false, pin: need(ctx, 'OldPinNumber') })),
  },
};
