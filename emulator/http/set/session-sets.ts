import { BadField, FAILURE, SUCCESS, need, oneOf, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.1 session and system, §4.2 SIM PIN/PUK.

export const sessionSets: Record<string, SetDef> = {
  LOGIN: {
    login: false,
    ad: false,
    handle(ctx) {
      const { result, token } = ctx.auth.login(ctx.req, ctx.fields.password);
      const name = ctx.auth.cookieName;
      if (token && name) ctx.setHeader('Set-Cookie', `${name}="${token}"; Path=/; HttpOnly`);
      return { result };
    },
  },
  LOGOUT: {
    handle(ctx) {
      ctx.auth.logout();
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
      ctx.device.update((s) => {
        s.system.language = lang;
      });
      return SUCCESS;
    },
  },
  REBOOT_DEVICE: {
    handle(ctx) {
      ctx.device.reboot();
      return SUCCESS;
    },
  },
  RESTORE_FACTORY_SETTINGS: {
    handle(ctx) {
      ctx.device.factoryReset();
      return SUCCESS;
    },
  },
  RESET_DATA_COUNTER: {
    handle(ctx) {
      ctx.device.update((s) => {
        const t = s.traffic;
        t.realtimeRxBytes = t.realtimeTxBytes = t.realtimeSeconds = 0;
        t.monthlyRxBytes = t.monthlyTxBytes = t.monthlySeconds = 0;
      });
      ctx.device.reconsiderData();
      return SUCCESS;
    },
  },
  FLOW_CALIBRATION_MANUAL: {
    handle(ctx) {
      const way = oneOf(ctx, 'calibration_way', ['data', 'time']);
      if (way === 'data') {
        const mb = Number(need(ctx, 'data'));
        if (!Number.isFinite(mb) || mb < 0) throw new BadField('data must be a number of MB >= 0');
        ctx.device.update((s) => {
          // Split like the counters do: the device keeps rx and tx apart; calibration sets the total.
          s.traffic.monthlyRxBytes = Math.round(mb * 1024 * 1024);
          s.traffic.monthlyTxBytes = 0;
        });
      } else {
        const hours = Number(need(ctx, 'time'));
        if (!Number.isFinite(hours) || hours < 0) throw new BadField('time must be a number of hours >= 0');
        ctx.device.update((s) => {
          s.traffic.monthlySeconds = Math.round(hours * 3600);
        });
      }
      return SUCCESS;
    },
  },
};

/** PIN handling per 27.007 +CPIN semantics: 3 PIN tries, then PUK with 10 tries. */
export const simSets: Record<string, SetDef> = {
  ENTER_PIN: {
    handle(ctx) {
      const pin = pinField(ctx.fields.PinNumber, 'PinNumber');
      if (ctx.state.sim.status !== 'pin') return FAILURE;
      if (pin === ctx.state.sim.pin) {
        ctx.device.update((s) => {
          s.sim.status = 'ready';
          s.sim.pinAttemptsLeft = 3;
        });
        return SUCCESS;
      }
      ctx.device.update((s) => {
        s.sim.pinAttemptsLeft--;
        if (s.sim.pinAttemptsLeft <= 0) s.sim.status = 'puk';
      });
      return FAILURE;
    },
  },
  ENTER_PUK: {
    handle(ctx) {
      const puk = need(ctx, 'PUKNumber');
      const newPin = pinField(ctx.fields.PinNumber, 'PinNumber');
      if (!/^\d{8}$/.test(puk)) throw new BadField('PUKNumber must be 8 digits');
      if (ctx.state.sim.status !== 'puk') return FAILURE;
      if (puk === ctx.state.sim.puk) {
        ctx.device.update((s) => {
          s.sim.status = 'ready';
          s.sim.pin = newPin;
          s.sim.pinAttemptsLeft = 3;
          s.sim.pukAttemptsLeft = 10;
        });
        return SUCCESS;
      }
      ctx.device.update((s) => {
        s.sim.pukAttemptsLeft = Math.max(0, s.sim.pukAttemptsLeft - 1);
      });
      return FAILURE;
    },
  },
  ENABLE_PIN: {
    handle(ctx) {
      const old = pinField(ctx.fields.OldPinNumber, 'OldPinNumber');
      const next = ctx.fields.NewPinNumber ? pinField(ctx.fields.NewPinNumber, 'NewPinNumber') : undefined;
      return checkPin(ctx, old, (s) => {
        s.sim.pinEnabled = true;
        if (next) s.sim.pin = next;
      });
    },
  },
  DISABLE_PIN: {
    handle(ctx) {
      const old = pinField(ctx.fields.OldPinNumber, 'OldPinNumber');
      return checkPin(ctx, old, (s) => {
        s.sim.pinEnabled = false;
      });
    },
  },
};

function pinField(value: string | undefined, name: string): string {
  if (value === undefined || !/^\d{4,8}$/.test(value)) throw new BadField(`${name} must be 4-8 digits`);
  return value;
}

function checkPin(ctx: SetContext, pin: string, apply: (s: SetContext['state']) => void): Record<string, unknown> {
  if (ctx.state.sim.status !== 'ready') return FAILURE;
  if (pin !== ctx.state.sim.pin) {
    ctx.device.update((s) => {
      s.sim.pinAttemptsLeft--;
      if (s.sim.pinAttemptsLeft <= 0) s.sim.status = 'puk';
    });
    return FAILURE;
  }
  ctx.device.update((s) => {
    s.sim.pinAttemptsLeft = 3;
    apply(s);
  });
  return SUCCESS;
}
