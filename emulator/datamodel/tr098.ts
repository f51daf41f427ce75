import type { ParamDef, TableDef } from './param-def.js';
import { PARAMS, TABLES, VENDOR } from './tr181.js';

// The TR-098 InternetGatewayDevice:1 root (device-management.md §2.8), a profile option for ACSs that manage
// routers by it: the same reads and writes as the TR-181 model under TR-098's names. TR-098 has no cellular object,
// so the radio is under routerlab's vendor prefix on the WAN device.

const byPath = new Map(PARAMS.map((p) => [p.path, p]));
const tableByPath = new Map(TABLES.map((t) => [t.path, t]));

/**
 * A TR-181 parameter under a TR-098 name. TR-098's single-instance parents (LANDevice.1, WANDevice.1...) are tables of
 * one instance here, so their instance numbers come first in `idx` and are dropped before the TR-181 getter.
 */
function alias(path: string, from: string, extra: Partial<ParamDef> = {}): ParamDef {
  const def = byPath.get(from);
  if (!def) throw new Error(`[emulator:datamodel] no TR-181 parameter ${from} to alias as ${path}`);
  const drop = (path.match(/\{i\}/g) ?? []).length - (from.match(/\{i\}/g) ?? []).length;
  return { ...def, path, get: (c, idx) => def.get(c, idx.slice(drop)), ...(def.set ? { set: (c, v, idx) => def.set!(c, v, idx.slice(drop)) } : {}), ...extra };
}

function table(path: string, from: string): TableDef {
  const t = tableByPath.get(from);
  if (!t) throw new Error(`[emulator:datamodel] no TR-181 table ${from} to alias as ${path}`);
  const drop = (path.match(/\{i\}/g) ?? []).length - (from.match(/\{i\}/g) ?? []).length;
  return { path, instances: (c, idx) => t.instances(c, idx.slice(drop)) };
}

/** A TR-098 parent that has exactly one instance on this router. */
const one = (path: string): TableDef => ({ path, instances: () => [1] });

const IGD = 'InternetGatewayDevice';
const LAN = `${IGD}.LANDevice.{i}`;
const WLAN = `${LAN}.WLANConfiguration.{i}`;
const WAN_IP = `${IGD}.WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}`;
const CELL = `${IGD}.WANDevice.{i}.${VENDOR}Cellular`;

export const TR098_TABLES: TableDef[] = [
  one(`${LAN}.`),
  one(`${IGD}.WANDevice.{i}.`),
  one(`${IGD}.WANDevice.{i}.WANConnectionDevice.{i}.`),
  one(`${WAN_IP}.`),
  table(`${WLAN}.`, 'Device.WiFi.SSID.{i}.'),
  table(`${LAN}.Hosts.Host.{i}.`, 'Device.Hosts.Host.{i}.'),
];

export const TR098_PARAMS: ParamDef[] = [
  { path: `${IGD}.DeviceSummary`, type: 'string', forced: true, get: () => 'InternetGatewayDevice:1.4[](Baseline:1, WiFiLAN:1, Time:1)' },
  { path: `${IGD}.DeviceInfo.SpecVersion`, type: 'string', forced: true, get: () => '1.0' },
  ...['Manufacturer', 'ManufacturerOUI', 'ProductClass', 'SerialNumber', 'ModelName', 'Description', 'HardwareVersion', 'SoftwareVersion', 'ProvisioningCode', 'UpTime'].map((n) => alias(`${IGD}.DeviceInfo.${n}`, `Device.DeviceInfo.${n}`)),
  ...PARAMS.filter((p) => p.path.startsWith('Device.ManagementServer.')).map((p) => alias(p.path.replace(/^Device\./, `${IGD}.`), p.path)),
  alias(`${WLAN}.Enable`, 'Device.WiFi.SSID.{i}.Enable'),
  alias(`${WLAN}.Status`, 'Device.WiFi.SSID.{i}.Status'),
  alias(`${WLAN}.SSID`, 'Device.WiFi.SSID.{i}.SSID'),
  alias(`${WLAN}.BSSID`, 'Device.WiFi.SSID.{i}.BSSID'),
  alias(`${WLAN}.Channel`, 'Device.WiFi.Radio.{i}.Channel'),
  alias(`${WLAN}.SSIDAdvertisementEnabled`, 'Device.WiFi.AccessPoint.{i}.SSIDAdvertisementEnabled'),
  alias(`${WLAN}.KeyPassphrase`, 'Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase'),
  alias(`${WLAN}.TotalAssociations`, 'Device.WiFi.AccessPoint.{i}.AssociatedDeviceNumberOfEntries'),
  alias(`${LAN}.Hosts.HostNumberOfEntries`, 'Device.Hosts.HostNumberOfEntries'),
  alias(`${LAN}.Hosts.Host.{i}.MACAddress`, 'Device.Hosts.Host.{i}.PhysAddress'),
  alias(`${LAN}.Hosts.Host.{i}.IPAddress`, 'Device.Hosts.Host.{i}.IPAddress'),
  alias(`${LAN}.Hosts.Host.{i}.HostName`, 'Device.Hosts.Host.{i}.HostName'),
  alias(`${LAN}.Hosts.Host.{i}.Active`, 'Device.Hosts.Host.{i}.Active'),
  // §1.4: the default WAN connection's ExternalIPAddress is forced in TR-098 Informs.
  { ...alias(`${WAN_IP}.ExternalIPAddress`, 'Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress'), forced: true, get: (c, _idx) => byPath.get('Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress')!.get(c, [1, 1]) },
  { ...alias(`${WAN_IP}.ConnectionStatus`, 'Device.IP.Interface.{i}.Status'), get: (c) => (byPath.get('Device.IP.Interface.{i}.Status')!.get(c, [1]) === 'Up' ? 'Connected' : 'Disconnected') },
  ...PARAMS.filter((p) => p.path.startsWith('Device.Cellular.Interface.{i}.')).map((p) => alias(p.path.replace('Device.Cellular.Interface.{i}.', `${CELL}.`), p.path, { get: (c) => p.get(c, [1]), ...(p.set ? { set: (c, v) => p.set!(c, v, [1]) } : {}) })),
  alias(`${CELL}.RoamingEnabled`, 'Device.Cellular.RoamingEnabled'),
  alias(`${CELL}.RoamingStatus`, 'Device.Cellular.RoamingStatus'),
  alias(`${IGD}.Time.CurrentLocalTime`, 'Device.Time.CurrentLocalTime'),
  alias(`${IGD}.Time.LocalTimeZone`, 'Device.Time.LocalTimeZone'),
];
