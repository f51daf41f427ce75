// What the router does with a cloud command. Every handler validates first (the zod schema did the shape;
// here the state-dependent rules), then changes the device through its methods, so the goform and AT
// surfaces see the effect at once.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Device } from '../state/device.js';
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

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameToken(given: string, storedSha256: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(storedSha256, 'hex'));
}

/** Carries out one command; returns its result or throws CommandError. */
export function runCommand(device: Device, command: CloudCommand, dropped: number): unknown {
  if (!device.isUp()) throw new CommandError('DEVICE_DOWN', 'the router is rebooting or off; retry after it reports a reboot event');
  const s = device.state;
  switch (command.command) {
    case 'bind': {
      const { account, token } = command.args;
      if (s.cloud.account !== null && s.cloud.account !== account) throw new CommandError('ALREADY_BOUND', `the router is bound to another account; unbind it first`);
      device.update((st) => {
        st.cloud = { account, tokenSha256: sha256(token), boundAtMs: device.now() };
      });
      return { account, boundAtMs: device.state.cloud.boundAtMs };
    }
    case 'unbind': {
      const stored = s.cloud.tokenSha256;
      if (s.cloud.account === null || stored === null) throw new CommandError('NOT_BOUND', 'the router is not bound to an account');
      if (!sameToken(command.args.token, stored)) throw new CommandError('FORBIDDEN', 'the token is not the one the router was bound with');
      const account = s.cloud.account;
      device.update((st) => {
        st.cloud = { account: null, tokenSha256: null, boundAtMs: null };
      });
      return { account };
    }
    case 'info':
      return telemetryData(s, device.profile.model, device.now(), dropped);
    case 'set-wifi': {
      const a = command.args;
      device.update((st) => {
        if (a.ssid !== undefined) st.wifi.main.ssid = a.ssid;
        if (a.password !== undefined) st.wifi.main.password = a.password;
        if (a.maxAccess !== undefined) st.wifi.main.maxAccess = a.maxAccess;
        if (a.sleepAfterMinutes !== undefined) st.wifi.sleepAfterMinutes = a.sleepAfterMinutes;
        if (a.enabled !== undefined) {
          st.wifi.enabled = a.enabled;
          // Turning the radio off drops every Wi-Fi client (as SET_WIFI_INFO does).
          if (!a.enabled) for (const x of st.stations) if (x.medium === 'wifi') x.online = false;
        }
      });
      const w = device.state.wifi;
      return { ssid: w.main.ssid, maxAccess: w.main.maxAccess, enabled: w.enabled, sleepAfterMinutes: w.sleepAfterMinutes };
    }
    case 'set-preferences': {
      const a = command.args;
      device.update((st) => {
        if (a.dataRoaming !== undefined) st.network.dataRoaming = a.dataRoaming;
        if (a.mobileData !== undefined) st.network.mobileData = a.mobileData;
        if (a.ledNightMode) st.schedules.led = { ...st.schedules.led, nightMode: a.ledNightMode.enabled, start: a.ledNightMode.start, end: a.ledNightMode.end };
        if (a.sleepWake) {
          st.schedules.sleepWake = { ...st.schedules.sleepWake, sleepEnabled: a.sleepWake.enabled, wakeEnabled: a.sleepWake.enabled, sleepTime: a.sleepWake.sleep, wakeTime: a.sleepWake.wake };
        }
        if (a.dataLimit) {
          st.dataLimit.enabled = a.dataLimit.enabled;
          if (a.dataLimit.megabytes !== undefined) {
            st.dataLimit.unit = 'data';
            st.dataLimit.size = `${a.dataLimit.megabytes}_1`;
          }
          if (a.dataLimit.alertPercent !== undefined) st.dataLimit.alertPercent = a.dataLimit.alertPercent;
        }
      });
      if (a.mobileData === true) device.connectData();
      else if (a.mobileData === false) device.disconnectData(true);
      device.reconsiderData();
      const st = device.state;
      return { mobileData: st.network.mobileData, dataRoaming: st.network.dataRoaming, connection: st.connection.ppp, dataLimit: st.dataLimit, led: st.schedules.led, sleepWake: st.schedules.sleepWake };
    }
    case 'block-station': {
      const m = command.args.mac.toUpperCase();
      device.update((st) => {
        st.wifi.aclMode = 2;
        if (!st.wifi.macBlackList.includes(m)) st.wifi.macBlackList.push(m);
      });
      const kicked = device.leaveStation(m);
      return { mac: m, kicked, blackList: device.state.wifi.macBlackList };
    }
    case 'unblock-station': {
      const m = command.args.mac.toUpperCase();
      device.update((st) => {
        st.wifi.macBlackList = st.wifi.macBlackList.filter((x) => x !== m);
      });
      return { mac: m, blackList: device.state.wifi.macBlackList };
    }
    case 'start-fota': {
      const available = s.fota.available;
      if (!available) throw new CommandError('NO_UPDATE', 'no new firmware is published for this router');
      if (s.fota.upgradeState === 'downloading' || s.fota.upgradeState === 'upgrading') throw new CommandError('BUSY', `an update is already ${s.fota.upgradeState}`);
      if (!device.acceptFirmware()) throw new CommandError('LOW_BATTERY', 'the battery is below 30% and no charger is connected');
      return { version: available.version, sizeBytes: available.sizeBytes };
    }
    case 'reboot':
      device.reboot();
      return { rebooting: true };
  }
}
