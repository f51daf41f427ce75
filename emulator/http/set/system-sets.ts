import { BadField, SUCCESS, done, flag, hhmm, intIn, ipv4, need, oneOf, type SetDef } from './set-def.js';

// goform-api.md §4.8: data limit, firmware update, schedules, LEDs, LAN/DHCP.

export const systemSets: Record<string, SetDef> = {
  DATA_LIMIT_SETTING: {
    handle(ctx) {
      const enabled = flag(ctx, 'data_volume_limit_switch');
      if (!enabled) {
        ctx.device.data.setDataLimit({ enabled: false });
        return SUCCESS;
      }
      const unit = oneOf(ctx, 'data_volume_limit_unit', ['data', 'time']);
      const size = need(ctx, 'data_volume_limit_size');
      // §3.4: data sizes are "<n>_<mult>" (MB = n * mult), time sizes are hours.
      if (unit === 'data' ? !/^\d{1,7}_(1|1024)$/.test(size) : !/^\d{1,5}$/.test(size)) {
        throw new BadField(`data_volume_limit_size=${size} does not fit unit ${unit}`);
      }
      const alert = intIn(ctx, 'data_volume_alert_percent', 1, 100);
      const autoClear = ctx.fields.wan_auto_clear_flow_data_switch === undefined ? undefined : oneOf(ctx, 'wan_auto_clear_flow_data_switch', ['on', 'off', '0', '1']);
      const clearDay = ctx.fields.traffic_clear_date === undefined ? undefined : intIn(ctx, 'traffic_clear_date', 1, 31);
      ctx.device.data.setDataLimit({
        enabled: true,
        unit,
        size,
        alertPercent: alert,
        ...(autoClear === undefined ? {} : { autoClear: autoClear === 'on' || autoClear === '1' }),
        ...(clearDay === undefined ? {} : { clearDay }),
      });
      return SUCCESS;
    },
  },
  IF_UPGRADE: {
    handle(ctx) {
      const op = oneOf(ctx, 'select_op', ['check', '1', '0', '2']);
      if (op === 'check') ctx.device.fota.check();
      else if (op === '1') return done(ctx.device.fota.accept());
      else ctx.device.fota.cancel();
      return SUCCESS;
    },
  },
  SetUpgAutoSetting: {
    handle(ctx) {
      const mode = oneOf(ctx, 'UpgMode', ['0', '1', '2']);
      const days = intIn(ctx, 'UpgIntervalDay', 1, 365);
      const roam = oneOf(ctx, 'UpgRoamPermission', ['0', '1']);
      ctx.device.fota.setAutoCheck({ mode, intervalDays: days, roamPermission: roam });
      return SUCCESS;
    },
  },
  RESULT_RESTORE: {
    handle(ctx) {
      ctx.device.fota.clearResult();
      return SUCCESS;
    },
  },
  SAVE_TSW: {
    handle(ctx) {
      const wake = flag(ctx, 'web_wake_switch');
      const sleep = flag(ctx, 'web_sleep_switch');
      const wakeTime = wake ? hhmm(ctx, 'web_wake_time') : ctx.state.schedules.sleepWake.wakeTime;
      const sleepTime = sleep ? hhmm(ctx, 'web_sleep_time') : ctx.state.schedules.sleepWake.sleepTime;
      ctx.device.settings.setSleepWake({ wakeEnabled: wake, sleepEnabled: sleep, wakeTime, sleepTime });
      return SUCCESS;
    },
  },
  SET_DEVICE_LED: {
    handle(ctx) {
      const on = flag(ctx, 'night_mode_switch');
      const led = on
        ? {
            nightMode: true,
            start: hhmm(ctx, 'night_mode_start_time'),
            end: hhmm(ctx, 'night_mode_end_time'),
            closeAllLed: ctx.fields.night_mode_close_all_led === undefined ? false : flag(ctx, 'night_mode_close_all_led'),
          }
        : { ...ctx.state.schedules.led, nightMode: false };
      ctx.device.settings.setLed(led);
      return SUCCESS;
    },
  },
  DHCP_SETTING: {
    handle(ctx) {
      const ip = ipv4(ctx, 'lanIp');
      const netmask = ipv4(ctx, 'lanNetmask');
      const start = ipv4(ctx, 'dhcpStart');
      const end = ipv4(ctx, 'dhcpEnd');
      const lease = intIn(ctx, 'dhcpLease', 1, 8760);
      const net = (a: string): string => a.split('.').slice(0, 3).join('.');
      if (net(start) !== net(ip) || net(end) !== net(ip)) throw new BadField('DHCP range must lie in the LAN subnet');
      if (Number(start.split('.')[3]) > Number(end.split('.')[3])) throw new BadField('dhcpStart is after dhcpEnd');
      ctx.device.settings.setLan({ ip, netmask, dhcpStart: start, dhcpEnd: end, leaseHours: lease });
      return SUCCESS;
    },
  },
};
