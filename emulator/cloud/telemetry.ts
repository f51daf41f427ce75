// The remote-view fields of telemetry, mapped from the state by one function each, so telemetry, events and
// command answers agree.
import { batteryBars, dataLimitAmount, dataLimitUsed, isDataConnected, onlineStations, signalBars } from '../state/derive.js';
import type { StateView } from '../state/device-state.js';
import type { Telemetry } from './messages.js';

/** Battery percent at or below which the router warns (MiFi UIs turn the icon red at 20%). */
export const LOW_BATTERY_PERCENT = 20;

const PPP: Record<string, Telemetry['data']['connection']> = {
  ppp_connected: 'connected',
  ppp_connecting: 'connecting',
  ppp_disconnecting: 'disconnecting',
};

export function usedPercent(state: StateView): number | null {
  const used = dataLimitUsed(state);
  return used === null ? null : Math.round(used * 1000) / 10;
}

export function dataWarning(state: StateView): boolean {
  const used = usedPercent(state);
  return used !== null && used >= state.dataLimit.alertPercent;
}

export function batteryLow(state: StateView): boolean {
  return state.battery.present && !state.battery.chargerConnected && state.battery.percent <= LOW_BATTERY_PERCENT;
}

export function fotaPercent(state: StateView): number {
  const f = state.fota;
  if (!f.available || f.available.sizeBytes === 0) return 0;
  return Math.min(100, Math.floor((f.downloadedBytes / f.available.sizeBytes) * 100));
}

export function telemetryData(state: StateView, model: string, nowMs: number, dropped: number): Telemetry['data'] {
  const s = state;
  const r = s.radio;
  return {
    identity: { imei: s.identity.imei, imsi: s.identity.imsi, iccid: s.identity.iccid, msisdn: s.identity.msisdn, mac: s.identity.macAddress, serialNumber: s.identity.serialNumber, model, profile: s.profile },
    firmware: { version: s.fota.currentVersion, fotaState: s.fota.upgradeState, downloadPercent: fotaPercent(s), newVersion: s.fota.available?.version ?? null },
    carrier: r.registration === 'home' || r.registration === 'roaming' ? r.operator.longName : '',
    networkMode: r.technology,
    connection: isDataConnected(s) ? 'connected' : (PPP[s.connection.ppp] ?? 'disconnected'),
    roaming: r.registration === 'roaming',
    signal: { bars: signalBars(s), rsrpDbm: r.rsrpDbm, rsrqDb: r.rsrqDb, sinrDb: r.sinrDb, rssiDbm: r.rssiDbm },
    battery: { present: s.battery.present, percent: s.battery.percent, bars: batteryBars(s.battery.percent), charging: s.battery.chargerConnected && s.battery.percent < 100, low: batteryLow(s) },
    usage: {
      monthlyRxBytes: s.traffic.monthlyRxBytes,
      monthlyTxBytes: s.traffic.monthlyTxBytes,
      monthlySeconds: s.traffic.monthlySeconds,
      limit: dataLimitAmount(s),
      unit: s.dataLimit.unit,
      usedPercent: usedPercent(s),
      alertPercent: s.dataLimit.alertPercent,
      warning: dataWarning(s),
    },
    speed: { rxBytesPerSecond: s.traffic.rxBytesPerSecond, txBytesPerSecond: s.traffic.txBytesPerSecond },
    stations: onlineStations(s).length,
    bound: s.cloud.account !== null,
    uptimeSeconds: s.system.poweredOn ? Math.max(0, Math.floor((nowMs - s.system.bootedAtMs) / 1000)) : 0,
    dropped,
  };
}
