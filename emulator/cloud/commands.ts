// What the router does with a cloud command. Every handler validates first (the zod schema did the shape;
// here the state-dependent rules), then changes the device through its methods, so the goform and AT
// surfaces see the effect at once.
import type { DeviceApi } from '../state/device-api.js';
import { isRefused, type Outcome, type RefusalCode, type Refused } from '../state/outcome.js';
import type { CloudCommand } from './messages.js';
import { telemetryData } from './telemetry.js';

/** A refused command: `code` is stable and machine-readable, `message` says what to change. */
export class CommandError extends Error {
  constructor(
    readonly code: 'ALREADY_BOUND' | 'NOT_BOUND' | 'FORBIDDEN' | 'NO_UPDATE' | 'LOW_BATTERY' | 'DEVICE_DOWN' | 'INVALID_COMMAND' | 'BUSY',
    message: string,
  ) {
    super(message);
  }
}

/** The one mapping of a device refusal on the cloud surface. */
function refusedCommand(r: Refused): CommandError {
  const codes: Partial<Record<RefusalCode, CommandError['code']>> = {
    'already-bound': 'ALREADY_BOUND',
    'not-bound': 'NOT_BOUND',
    'wrong-token': 'FORBIDDEN',
    'no-update': 'NO_UPDATE',
    'update-busy': 'BUSY',
    'low-battery': 'LOW_BATTERY',
    'device-down': 'DEVICE_DOWN',
  };
  return new CommandError(codes[r.refused] ?? 'INVALID_COMMAND', r.message);
}

/** The value of a done operation; throws the refusal as a CommandError. */
function must<T extends object>(outcome: Outcome<T>): T {
  if (isRefused(outcome)) throw refusedCommand(outcome);
  return outcome;
}

/** Carries out one command; returns its result or throws CommandError. */
export function runCommand(device: DeviceApi, command: CloudCommand, dropped: number): unknown {
  if (!device.power.isUp()) throw new CommandError('DEVICE_DOWN', 'the router is rebooting or off; retry after it reports a reboot event');
  const s = device.state;
  switch (command.command) {
    case 'bind':
      return must(device.account.bind(command.args.account, command.args.token));
    case 'unbind':
      return must(device.account.unbind(command.args.token));
    case 'info':
      return telemetryData(s, device.profile.model, device.now(), dropped);
    case 'set-wifi': {
      const a = command.args;
      device.wifi.configure({ ssid: a.ssid, password: a.password, maxAccess: a.maxAccess, sleepAfterMinutes: a.sleepAfterMinutes, enabled: a.enabled });
      const w = device.state.wifi;
      return { ssid: w.main.ssid, maxAccess: w.main.maxAccess, enabled: w.enabled, sleepAfterMinutes: w.sleepAfterMinutes };
    }
    case 'set-preferences': {
      const a = command.args;
      if (a.ledNightMode) device.settings.setLed({ ...s.schedules.led, nightMode: a.ledNightMode.enabled, start: a.ledNightMode.start, end: a.ledNightMode.end });
      if (a.sleepWake) {
        device.settings.setSleepWake({ sleepEnabled: a.sleepWake.enabled, wakeEnabled: a.sleepWake.enabled, sleepTime: a.sleepWake.sleep, wakeTime: a.sleepWake.wake });
      }
      if (a.dataLimit) {
        device.data.setDataLimit({
          enabled: a.dataLimit.enabled,
          ...(a.dataLimit.megabytes === undefined ? {} : { unit: 'data' as const, size: `${a.dataLimit.megabytes}_1` }),
          ...(a.dataLimit.alertPercent === undefined ? {} : { alertPercent: a.dataLimit.alertPercent }),
        });
      }
      device.data.setPreferences({ mobileData: a.mobileData, dataRoaming: a.dataRoaming });
      const st = device.state;
      return { mobileData: st.network.mobileData, dataRoaming: st.network.dataRoaming, connection: st.connection.ppp, dataLimit: st.dataLimit, led: st.schedules.led, sleepWake: st.schedules.sleepWake };
    }
    case 'block-station': {
      const m = command.args.mac.toUpperCase();
      const { kicked } = device.wifi.block(m);
      return { mac: m, kicked, blackList: device.state.wifi.macBlackList };
    }
    case 'unblock-station': {
      const m = command.args.mac.toUpperCase();
      device.wifi.unblock(m);
      return { mac: m, blackList: device.state.wifi.macBlackList };
    }
    case 'start-fota':
      return must(device.fota.accept());
    case 'reboot':
      device.power.reboot();
      return { rebooting: true };
  }
}
