// The goform read-key table: every plain key by name, and the aggregate commands. Data only.
import { aggregates } from './aggregates.js';
import { deviceKeys, multiUserKeys } from './device-keys.js';
import type { KeyDef } from './key-def.js';
import { apnKeys, fotaKeys, lanKeys, legacyFotaKeys, scheduleKeys, shareKeys, wanKeys, wanModeKeys } from './settings-keys.js';
import { batteryKeys, chargingKeys, trafficKeys } from './power-traffic-keys.js';
import { nrKeys, radioKeys } from './radio-keys.js';
import { smsKeys, ussdKeys } from './sms-keys.js';
import { stationKeys, wifiKeys } from './wifi-keys.js';

export const PLAIN_KEYS: ReadonlyMap<string, KeyDef> = new Map(
  Object.entries({
    ...deviceKeys, ...multiUserKeys, ...radioKeys, ...nrKeys, ...batteryKeys, ...chargingKeys, ...trafficKeys, ...wifiKeys, ...stationKeys,
    ...smsKeys, ...ussdKeys, ...fotaKeys, ...legacyFotaKeys, ...apnKeys, ...wanKeys, ...wanModeKeys, ...lanKeys, ...scheduleKeys, ...shareKeys,
  }),
);

export { aggregates };
export type { AggregateContext, AggregateDef } from './aggregates.js';
export type { KeyDef, ReadContext } from './key-def.js';
