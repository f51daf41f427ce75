// The ubus object catalogue (ubus-api.md §6): object name -> methods, as data. The only place objects are
// registered; the app, the docs and the journal's names read it. Imports only the tables beside it.
import type { DeviceProfile } from '../../state/profile.js';
import type { UbusMethod, UbusObject } from '../method-def.js';
import { apnMethodPresent, apnObject, dataObject } from './data-object.js';
import { nwinfoObject } from './nwinfo-object.js';
import { batteryObject, chargerObject, deviceManagerObject, dmObject, fotaResultObject, ledObject, routerObject, sntpObject, thermalObject, updObject } from './router-object.js';
import { mdmObject } from './sim-object.js';
import { ussdObject, wmsObject } from './sms-object.js';
import { uciObject } from './uci-object.js';
import { webObject } from './web-object.js';
import { wlanObject } from './wlan-object.js';

export const UBUS_OBJECTS: Readonly<Record<string, UbusObject>> = {
  zwrt_web: webObject,
  'zwrt_router.api': routerObject,
  zte_nwinfo_api: nwinfoObject,
  zwrt_data: dataObject,
  zwrt_wlan: wlanObject,
  zwrt_wms: wmsObject,
  'zwrt_zte_mdm.api': mdmObject,
  zwrt_apn_object: apnObject,
  'zwrt_mc.device.manager': deviceManagerObject,
  zwrt_zte_dm: dmObject,
  'zwrt_fota_res.api': fotaResultObject,
  'zwrt_upd.api': updObject,
  zwrt_ussd: ussdObject,
  'zwrt_bsp.thermal': thermalObject,
  'zwrt_bsp.battery': batteryObject,
  'zwrt_bsp.charger': chargerObject,
  zwrt_led: ledObject,
  zwrt_sntp: sntpObject,
  uci: uciObject,
};

/** The object as this profile's firmware has it, or undefined (answered -32000 "Object not found"). */
export function objectOf(profile: Readonly<DeviceProfile>, name: string): UbusObject | undefined {
  if (!Object.hasOwn(UBUS_OBJECTS, name)) return undefined;
  const object = UBUS_OBJECTS[name]!;
  if (profile.ubus.absentObjects.includes(name)) return undefined;
  if (object.group && !profile.keyGroups.includes(object.group)) return undefined;
  return object;
}

/** The method of an object as this profile has it (APN naming style, §6.15), or undefined. */
export function methodOf(profile: Readonly<DeviceProfile>, objectName: string, object: UbusObject, method: string): UbusMethod | undefined {
  if (!Object.hasOwn(object.methods, method)) return undefined;
  if (objectName === 'zwrt_apn_object' && !apnMethodPresent(method, profile.ubus.apnNaming)) return undefined;
  return object.methods[method];
}
