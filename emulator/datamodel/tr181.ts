import { activeApnProfile, chargeState, isDataConnected, isRegistered, onlineStations, signalBars, wifiRadioOn } from '../state/derive.js';
import type { ApnProfile, WifiSsid } from '../state/device-state.js';
import type { StateView } from '../state/device-api.js';
import { DONE, refuse, type Outcome } from '../state/outcome.js';
import type { DmContext, ParamDef, TableDef } from './param-def.js';

// The TR-181 Device:2 model of a cellular router (device-management.md §2), over the one device state. Types,
// writability and hidden values as the standard says; what TR-181 lacks for a cellular router is under the vendor
// prefix X_ROUTERLAB-DEV_ (routerlab.dev, §2.1 naming), documented in README and docs/reference/tr181.md as ours.

/** The vendor prefix of routerlab's own parameters (X_<domain with - for .>_, §2.1). */
export const VENDOR = 'X_ROUTERLAB-DEV_';

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const wifi = (c: DmContext): boolean => c.device.profile.keyGroups.includes('wifi');
const ssidOf = (s: StateView, i: number): StateView['wifi']['main'] => (i === 1 ? s.wifi.main : s.wifi.guest);

/** ZTE's OUI from the profile's MAC prefix (ManufacturerOUI: 6 upper-case hex, §1.4). */
export function ouiOf(c: DmContext): string {
  return c.device.profile.macOui.replace(/:/g, '').toUpperCase();
}

function accessTechnology(s: StateView): string {
  switch (s.radio.technology) {
    case 'SA':
    case 'ENDC':
      return 'NR';
    case 'LTE':
      return 'LTE';
    case 'WCDMA':
      return 'UMTS';
    case 'GSM':
      return 'EDGE';
  }
}

function preferredTechnology(s: StateView): string {
  const p = s.network.bearerPreference;
  if (p === 'Only_LTE') return 'LTE';
  if (p === 'Only_5G') return 'NR';
  if (p === 'Only_WCDMA') return 'UMTS';
  return 'Auto';
}

function setSsid(c: DmContext, i: number, change: Partial<WifiSsid>): Outcome {
  c.device.wifi.setSsid(i === 1 ? 0 : 1, { ...ssidOf(c.state, i), ...change });
  return DONE;
}

const MODES: Record<string, { authMode: string; encrypType: string }> = {
  None: { authMode: 'OPEN', encrypType: 'NONE' },
  'WPA2-Personal': { authMode: 'WPA2PSK', encrypType: 'CCMP' },
  'WPA-WPA2-Personal': { authMode: 'WPAPSKWPA2PSK', encrypType: 'TKIPCCMP' },
  'WPA3-Personal': { authMode: 'WPA3PSK', encrypType: 'CCMP' },
  'WPA3-Personal-Transition': { authMode: 'WPA2PSKWPA3PSK', encrypType: 'CCMP' },
};

function modeName(ssid: { authMode: string }): string {
  return Object.entries(MODES).find(([, m]) => m.authMode === ssid.authMode)?.[0] ?? 'WPA2-Personal';
}

/** APN slots as Cellular.AccessPoint instances: slot n is instance n + 1. */
function apnSlots(s: StateView): number[] {
  return s.apn.profiles.flatMap((p, i) => (p ? [i + 1] : []));
}

function apn(c: DmContext, idx: readonly number[]): ApnProfile {
  return c.state.apn.profiles[idx[0]! - 1] as ApnProfile;
}

function saveApn(c: DmContext, idx: readonly number[], change: Partial<ApnProfile>): Outcome {
  return c.device.settings.saveApn(idx[0]! - 1, { ...apn(c, idx), ...change });
}

const stations = (s: StateView, ap: number): StateView['stations'] => onlineStations(s).filter((x) => x.medium === 'wifi' && x.ssidIndex === ap - 1);

export const TABLES: TableDef[] = [
  { path: 'Device.Cellular.Interface.{i}.', instances: () => [1] },
  {
    path: 'Device.Cellular.AccessPoint.{i}.',
    instances: (c) => apnSlots(c.state),
    add(c) {
      const slot = c.state.apn.profiles.findIndex((p, i) => i > 0 && p === null);
      if (slot < 0) return refuse('invalid', 'every APN slot is in use');
      const base = activeApnProfile(c.state);
      const done = c.device.settings.saveApn(slot, { ...base, profileName: `AccessPoint${slot + 1}`, apn: '', username: '', password: '' });
      return done.refused ? done : { instance: slot + 1 };
    },
    remove: (c, idx) => c.device.settings.deleteApn(idx[0]! - 1),
  },
  { path: 'Device.WiFi.Radio.{i}.', instances: (c) => (wifi(c) ? [1, 2] : []) },
  { path: 'Device.WiFi.SSID.{i}.', instances: (c) => (wifi(c) ? [1, 2] : []) },
  { path: 'Device.WiFi.AccessPoint.{i}.', instances: (c) => (wifi(c) ? [1, 2] : []) },
  {
    path: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
    instances: (c, idx) => stations(c.state, idx[0]!).map((_, n) => n + 1),
  },
  { path: 'Device.Hosts.Host.{i}.', instances: (c) => onlineStations(c.state).map((_, n) => n + 1) },
  { path: 'Device.IP.Interface.{i}.', instances: () => [1, 2] },
  { path: 'Device.IP.Interface.{i}.IPv4Address.{i}.', instances: () => [1] },
];

const station = (c: DmContext, idx: readonly number[]): StateView['stations'][number] | undefined => stations(c.state, idx[0]!)[idx[1]! - 1];
const host = (c: DmContext, idx: readonly number[]): StateView['stations'][number] | undefined => onlineStations(c.state)[idx[0]! - 1];

export const PARAMS: ParamDef[] = [
  { path: 'Device.RootDataModelVersion', type: 'string', forced: true, get: () => '2.14' },
  // --- DeviceInfo (§2.2) ---
  { path: 'Device.DeviceInfo.Manufacturer', type: 'string', get: () => 'ZTE' },
  { path: 'Device.DeviceInfo.ManufacturerOUI', type: 'string', get: (c) => ouiOf(c) },
  { path: 'Device.DeviceInfo.ProductClass', type: 'string', get: (c) => c.device.profile.model },
  { path: 'Device.DeviceInfo.SerialNumber', type: 'string', get: (c) => c.state.identity.serialNumber },
  { path: 'Device.DeviceInfo.ModelName', type: 'string', get: (c) => c.device.profile.model },
  { path: 'Device.DeviceInfo.Description', type: 'string', get: (c) => str(c.device.profile._meta.class) },
  { path: 'Device.DeviceInfo.HardwareVersion', type: 'string', forced: true, get: (c) => c.device.profile.firmware.hardware_version },
  { path: 'Device.DeviceInfo.SoftwareVersion', type: 'string', forced: true, notify: 'forceEnabled', get: (c) => c.state.fota.currentVersion },
  {
    path: 'Device.DeviceInfo.ProvisioningCode', type: 'string', writable: true, forced: true, notify: 'forceEnabled', maxLength: 64,
    get: (c) => c.state.management.provisioningCode,
    set: (c, v) => c.device.management.configure({ provisioningCode: String(v) }),
  },
  { path: 'Device.DeviceInfo.UpTime', type: 'unsignedInt', notify: 'canDeny', get: (c) => (c.state.system.poweredOn ? Math.max(0, Math.floor((c.nowMs - c.state.system.bootedAtMs) / 1000)) : 0) },
  { path: 'Device.DeviceInfo.MemoryStatus.Total', type: 'unsignedInt', get: () => 524_288 },
  { path: 'Device.DeviceInfo.MemoryStatus.Free', type: 'unsignedInt', notify: 'canDeny', get: (c) => 262_144 - onlineStations(c.state).length * 512 },
  { path: 'Device.DeviceInfo.ProcessStatus.CPUUsage', type: 'unsignedInt', notify: 'canDeny', get: (c) => Math.min(100, 5 + Math.round((c.state.traffic.rxBytesPerSecond + c.state.traffic.txBytesPerSecond) / 1_000_000)) },
  // --- ManagementServer (§2.3) ---
  ...managementParams(),
  // --- Cellular (§2.4) ---
  { path: 'Device.Cellular.RoamingEnabled', type: 'boolean', writable: true, get: (c) => c.state.network.dataRoaming, set: (c, v) => (c.device.data.setPreferences({ dataRoaming: v === true }), DONE) },
  { path: 'Device.Cellular.RoamingStatus', type: 'string', get: (c) => (c.state.radio.registration === 'roaming' ? 'Roaming' : 'Home') },
  { path: 'Device.Cellular.InterfaceNumberOfEntries', type: 'unsignedInt', get: () => 1 },
  { path: 'Device.Cellular.AccessPointNumberOfEntries', type: 'unsignedInt', get: (c) => apnSlots(c.state).length },
  { path: 'Device.Cellular.Interface.{i}.Enable', type: 'boolean', writable: true, get: (c) => c.state.radio.registration !== 'none' || !c.state.system.poweredOn, set: (c, v) => (c.device.network.setRadioEnabled(v === true), DONE) },
  { path: 'Device.Cellular.Interface.{i}.Status', type: 'string', notify: 'canDeny', get: (c) => (c.state.sim.status === 'absent' ? 'NotPresent' : isRegistered(c.state) ? 'Up' : 'Down') },
  { path: 'Device.Cellular.Interface.{i}.Name', type: 'string', get: () => 'wwan0' },
  { path: 'Device.Cellular.Interface.{i}.Upstream', type: 'boolean', get: () => true },
  { path: 'Device.Cellular.Interface.{i}.IMEI', type: 'string', get: (c) => c.state.identity.imei },
  { path: 'Device.Cellular.Interface.{i}.SupportedAccessTechnologies', type: 'string', get: (c) => (c.device.profile.keyGroups.includes('nr5g') ? 'UMTS,LTE,NR' : 'UMTS,LTE') },
  {
    path: 'Device.Cellular.Interface.{i}.PreferredAccessTechnology', type: 'string', writable: true, values: ['Auto', 'UMTS', 'LTE', 'NR'],
    get: (c) => preferredTechnology(c.state),
    set(c, v) {
      const fiveG = c.device.profile.keyGroups.includes('nr5g');
      const pref = { Auto: fiveG ? '4G_AND_5G' : 'NETWORK_auto', UMTS: 'Only_WCDMA', LTE: 'Only_LTE', NR: 'Only_5G' }[String(v) as 'Auto'];
      return c.device.network.setBearerPreference(pref as never);
    },
  },
  { path: 'Device.Cellular.Interface.{i}.CurrentAccessTechnology', type: 'string', get: (c) => accessTechnology(c.state) },
  { path: 'Device.Cellular.Interface.{i}.AvailableNetworks', type: 'string', notify: 'canDeny', get: (c) => c.state.radio.scanResults.map((r) => r.operator.longName).join(',') },
  {
    path: 'Device.Cellular.Interface.{i}.NetworkRequested', type: 'string', writable: true, maxLength: 64,
    get: (c) => (c.state.network.selectionMode === 'manual_select' ? (c.state.network.manualNetwork?.numeric ?? '') : ''),
    set(c, v) {
      if (v === '') {
        c.device.network.selectAutomatic();
        return DONE;
      }
      return c.device.network.selectManual(String(v));
    },
  },
  { path: 'Device.Cellular.Interface.{i}.NetworkInUse', type: 'string', get: (c) => (isRegistered(c.state) ? c.state.radio.operator.longName : '') },
  // §2.4: LTE/NR RSSI -117..-25 dBm; undetectable = the lower limit.
  { path: 'Device.Cellular.Interface.{i}.RSSI', type: 'int', notify: 'canDeny', get: (c) => (isRegistered(c.state) ? Math.max(-117, c.state.radio.rssiDbm) : -117) },
  { path: 'Device.Cellular.Interface.{i}.RSRP', type: 'int', notify: 'canDeny', get: (c) => (isRegistered(c.state) ? Math.round(c.state.radio.rsrpDbm) : -44) },
  { path: 'Device.Cellular.Interface.{i}.RSRQ', type: 'int', notify: 'canDeny', get: (c) => (isRegistered(c.state) ? Math.round(c.state.radio.rsrqDb) : -3) },
  { path: 'Device.Cellular.Interface.{i}.UpstreamMaxBitRate', type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? (c.state.radio.nr ? 200_000 : 75_000) : 0) },
  { path: 'Device.Cellular.Interface.{i}.DownstreamMaxBitRate', type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? (c.state.radio.nr ? 2_000_000 : 300_000) : 0) },
  { path: 'Device.Cellular.Interface.{i}.Stats.BytesSent', type: 'unsignedLong', notify: 'canDeny', get: (c) => c.state.traffic.monthlyTxBytes },
  { path: 'Device.Cellular.Interface.{i}.Stats.BytesReceived', type: 'unsignedLong', notify: 'canDeny', get: (c) => c.state.traffic.monthlyRxBytes },
  { path: 'Device.Cellular.Interface.{i}.USIM.Status', type: 'string', get: (c) => ({ ready: 'Valid', absent: 'None', pin: 'Available', puk: 'Blocked', 'network-locked': 'Error' })[c.state.sim.status] },
  { path: 'Device.Cellular.Interface.{i}.USIM.IMSI', type: 'string', get: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.imsi) },
  { path: 'Device.Cellular.Interface.{i}.USIM.ICCID', type: 'string', get: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.iccid) },
  { path: 'Device.Cellular.Interface.{i}.USIM.MSISDN', type: 'string', get: (c) => (c.state.sim.status === 'absent' ? '' : c.state.identity.msisdn) },
  { path: 'Device.Cellular.Interface.{i}.USIM.PINCheck', type: 'string', get: (c) => (c.state.sim.pinEnabled ? 'OnNetworkAccess' : 'Off') },
  { path: 'Device.Cellular.Interface.{i}.USIM.PIN', type: 'string', hidden: true, get: () => '' },
  // What TR-181 lacks for a cellular router (§2.7): routerlab's own names.
  { path: `Device.Cellular.Interface.{i}.${VENDOR}SINR`, type: 'int', notify: 'canDeny', get: (c) => (isRegistered(c.state) ? Math.round(c.state.radio.sinrDb) : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}Band`, type: 'string', get: (c) => (isRegistered(c.state) ? `B${c.state.radio.band}` : '') },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}EARFCN`, type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? c.state.radio.earfcn : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}PCI`, type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? c.state.radio.pci : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}CellID`, type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? c.state.radio.cellId : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}TAC`, type: 'unsignedInt', get: (c) => (isRegistered(c.state) ? c.state.radio.tac : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}SignalBars`, type: 'unsignedInt', get: (c) => signalBars(c.state) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}NRBand`, type: 'string', get: (c) => (isRegistered(c.state) && c.state.radio.nr ? c.state.radio.nr.band : '') },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}NRRSRP`, type: 'int', get: (c) => (isRegistered(c.state) && c.state.radio.nr ? Math.round(c.state.radio.nr.rsrpDbm) : 0) },
  { path: `Device.Cellular.Interface.{i}.${VENDOR}NRSINR`, type: 'int', get: (c) => (isRegistered(c.state) && c.state.radio.nr ? Math.round(c.state.radio.nr.sinrDb) : 0) },
  { path: 'Device.Cellular.AccessPoint.{i}.Enable', type: 'boolean', writable: true, get: (c, idx) => c.state.apn.mode === 'manual' && c.state.apn.defaultIndex === idx[0]! - 1, set: (c, v, idx) => c.device.settings.setApnMode(v === true ? 'manual' : 'auto', idx[0]! - 1) },
  { path: 'Device.Cellular.AccessPoint.{i}.APN', type: 'string', writable: true, maxLength: 63, get: (c, idx) => apn(c, idx).apn, set: (c, v, idx) => saveApn(c, idx, { apn: String(v) }) },
  { path: 'Device.Cellular.AccessPoint.{i}.Username', type: 'string', writable: true, maxLength: 256, get: (c, idx) => apn(c, idx).username, set: (c, v, idx) => saveApn(c, idx, { username: String(v) }) },
  { path: 'Device.Cellular.AccessPoint.{i}.Password', type: 'string', writable: true, hidden: true, maxLength: 256, get: () => '', set: (c, v, idx) => saveApn(c, idx, { password: String(v) }) },
  { path: 'Device.Cellular.AccessPoint.{i}.Interface', type: 'string', get: () => 'Device.Cellular.Interface.1' },
  // --- WiFi (§2.5): Radio 1 = 2.4 GHz, Radio 2 = 5 GHz; SSID/AccessPoint 1 = main, 2 = guest ---
  { path: 'Device.WiFi.RadioNumberOfEntries', type: 'unsignedInt', get: (c) => (wifi(c) ? 2 : 0) },
  { path: 'Device.WiFi.SSIDNumberOfEntries', type: 'unsignedInt', get: (c) => (wifi(c) ? 2 : 0) },
  { path: 'Device.WiFi.Radio.{i}.Enable', type: 'boolean', writable: true, get: (c) => c.state.wifi.enabled, set: (c, v) => (c.device.wifi.configure({ enabled: v === true }), DONE) },
  { path: 'Device.WiFi.Radio.{i}.Status', type: 'string', get: (c) => (wifiRadioOn(c.state, c.nowMs) ? 'Up' : 'Down') },
  { path: 'Device.WiFi.Radio.{i}.OperatingFrequencyBand', type: 'string', get: (_c, idx) => (idx[0] === 1 ? '2.4GHz' : '5GHz') },
  { path: 'Device.WiFi.Radio.{i}.SupportedFrequencyBands', type: 'string', get: (_c, idx) => (idx[0] === 1 ? '2.4GHz' : '5GHz') },
  { path: 'Device.WiFi.Radio.{i}.Channel', type: 'unsignedInt', writable: true, min: 1, max: 165, get: (c, idx) => (idx[0] === 1 ? c.state.wifi.channel || 6 : 36), set: (c, v, idx) => (idx[0] === 1 ? (c.device.wifi.configure({ channel: Number(v) }), DONE) : refuse('invalid', 'the 5 GHz radio picks its channel itself')) },
  { path: 'Device.WiFi.Radio.{i}.AutoChannelEnable', type: 'boolean', get: (c, idx) => idx[0] !== 1 || c.state.wifi.channel === 0 },
  { path: 'Device.WiFi.Radio.{i}.RegulatoryDomain', type: 'string', get: (c) => `${c.state.wifi.countryCode} ` },
  { path: 'Device.WiFi.SSID.{i}.Enable', type: 'boolean', writable: true, get: (c, idx) => (idx[0] === 1 ? c.state.wifi.enabled : c.state.wifi.guestEnabled), set: (c, v, idx) => (c.device.wifi.configure(idx[0] === 1 ? { enabled: v === true } : { guestEnabled: v === true }), DONE) },
  { path: 'Device.WiFi.SSID.{i}.Status', type: 'string', get: (c, idx) => (wifiRadioOn(c.state, c.nowMs) && (idx[0] === 1 || c.state.wifi.guestEnabled) ? 'Up' : 'Down') },
  { path: 'Device.WiFi.SSID.{i}.Name', type: 'string', get: (_c, idx) => (idx[0] === 1 ? 'wlan0' : 'wlan0-1') },
  { path: 'Device.WiFi.SSID.{i}.SSID', type: 'string', writable: true, min: 1, maxLength: 32, get: (c, idx) => ssidOf(c.state, idx[0]!).ssid, set: (c, v, idx) => setSsid(c, idx[0]!, { ssid: String(v) }) },
  { path: 'Device.WiFi.SSID.{i}.BSSID', type: 'string', get: (c) => c.state.identity.bssid },
  { path: 'Device.WiFi.SSID.{i}.MACAddress', type: 'string', get: (c) => c.state.identity.bssid },
  { path: 'Device.WiFi.SSID.{i}.LowerLayers', type: 'string', get: () => 'Device.WiFi.Radio.1' },
  { path: 'Device.WiFi.AccessPoint.{i}.Enable', type: 'boolean', get: (c, idx) => (idx[0] === 1 ? c.state.wifi.enabled : c.state.wifi.guestEnabled) },
  { path: 'Device.WiFi.AccessPoint.{i}.Status', type: 'string', get: (c, idx) => (wifiRadioOn(c.state, c.nowMs) && (idx[0] === 1 || c.state.wifi.guestEnabled) ? 'Enabled' : 'Disabled') },
  { path: 'Device.WiFi.AccessPoint.{i}.SSIDReference', type: 'string', get: (_c, idx) => `Device.WiFi.SSID.${idx[0]}` },
  { path: 'Device.WiFi.AccessPoint.{i}.SSIDAdvertisementEnabled', type: 'boolean', writable: true, get: (c, idx) => !ssidOf(c.state, idx[0]!).hidden, set: (c, v, idx) => setSsid(c, idx[0]!, { hidden: v !== true }) },
  { path: 'Device.WiFi.AccessPoint.{i}.IsolationEnable', type: 'boolean', writable: true, get: (c, idx) => ssidOf(c.state, idx[0]!).isolation, set: (c, v, idx) => setSsid(c, idx[0]!, { isolation: v === true }) },
  { path: 'Device.WiFi.AccessPoint.{i}.MaxAllowedAssociations', type: 'unsignedInt', writable: true, min: 1, max: 32, get: (c, idx) => ssidOf(c.state, idx[0]!).maxAccess, set: (c, v, idx) => setSsid(c, idx[0]!, { maxAccess: Number(v) }) },
  { path: 'Device.WiFi.AccessPoint.{i}.AssociatedDeviceNumberOfEntries', type: 'unsignedInt', get: (c, idx) => stations(c.state, idx[0]!).length },
  { path: 'Device.WiFi.AccessPoint.{i}.Security.ModesSupported', type: 'string', get: () => Object.keys(MODES).join(',') },
  {
    path: 'Device.WiFi.AccessPoint.{i}.Security.ModeEnabled', type: 'string', writable: true, values: Object.keys(MODES),
    get: (c, idx) => modeName(ssidOf(c.state, idx[0]!)),
    set(c, v, idx) {
      const mode = MODES[String(v)]!;
      if (mode.authMode !== 'OPEN' && ssidOf(c.state, idx[0]!).password.length < 8) return refuse('invalid', 'a WPA mode needs a KeyPassphrase of 8-63 characters first');
      return setSsid(c, idx[0]!, mode);
    },
  },
  {
    path: 'Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase', type: 'string', writable: true, hidden: true, maxLength: 63,
    get: () => '',
    set: (c, v, idx) => (String(v).length < 8 ? refuse('invalid', 'a KeyPassphrase has 8-63 characters') : setSsid(c, idx[0]!, { password: String(v) })),
  },
  { path: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.MACAddress', type: 'string', notify: 'canDeny', get: (c, idx) => station(c, idx)?.mac ?? '' },
  { path: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.AuthenticationState', type: 'boolean', get: (c, idx) => station(c, idx) !== undefined },
  { path: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Active', type: 'boolean', get: (c, idx) => station(c, idx)?.online ?? false },
  { path: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.SignalStrength', type: 'int', get: (c, idx) => -40 - ((station(c, idx)?.mac.charCodeAt(16) ?? 0) % 30) },
  // --- Hosts, IP, Time (§2.6) ---
  { path: 'Device.Hosts.HostNumberOfEntries', type: 'unsignedInt', get: (c) => onlineStations(c.state).length },
  { path: 'Device.Hosts.Host.{i}.PhysAddress', type: 'string', get: (c, idx) => host(c, idx)?.mac ?? '' },
  { path: 'Device.Hosts.Host.{i}.IPAddress', type: 'string', get: (c, idx) => host(c, idx)?.ip ?? '' },
  { path: 'Device.Hosts.Host.{i}.HostName', type: 'string', get: (c, idx) => host(c, idx)?.hostname ?? '' },
  { path: 'Device.Hosts.Host.{i}.Active', type: 'boolean', get: (c, idx) => host(c, idx)?.online ?? false },
  { path: 'Device.Hosts.Host.{i}.InterfaceType', type: 'string', get: (c, idx) => (host(c, idx)?.medium === 'lan' ? 'Ethernet' : 'Wi-Fi') },
  { path: 'Device.IP.Interface.{i}.Enable', type: 'boolean', get: () => true },
  { path: 'Device.IP.Interface.{i}.Status', type: 'string', notify: 'canDeny', get: (c, idx) => (idx[0] === 2 || isDataConnected(c.state) ? 'Up' : 'Down') },
  { path: 'Device.IP.Interface.{i}.Name', type: 'string', get: (_c, idx) => (idx[0] === 1 ? 'wwan0' : 'br-lan') },
  { path: 'Device.IP.Interface.{i}.Type', type: 'string', get: () => 'Normal' },
  { path: 'Device.IP.Interface.{i}.LowerLayers', type: 'string', get: (_c, idx) => (idx[0] === 1 ? 'Device.Cellular.Interface.1' : 'Device.WiFi.SSID.1') },
  { path: 'Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress', type: 'string', get: (c, idx) => (idx[0] === 1 ? (isDataConnected(c.state) ? c.state.connection.wanIpv4 : '') : c.state.wan.lan.ip) },
  { path: 'Device.IP.Interface.{i}.IPv4Address.{i}.SubnetMask', type: 'string', get: (c, idx) => (idx[0] === 1 ? (isDataConnected(c.state) ? '255.255.255.255' : '') : c.state.wan.lan.netmask) },
  { path: 'Device.IP.Interface.{i}.IPv4Address.{i}.AddressingType', type: 'string', get: (_c, idx) => (idx[0] === 1 ? 'IPCP' : 'Static') },
  { path: 'Device.IP.Interface.{i}.Stats.BytesSent', type: 'unsignedLong', notify: 'canDeny', get: (c, idx) => (idx[0] === 1 ? c.state.traffic.monthlyTxBytes : c.state.traffic.monthlyRxBytes) },
  { path: 'Device.IP.Interface.{i}.Stats.BytesReceived', type: 'unsignedLong', notify: 'canDeny', get: (c, idx) => (idx[0] === 1 ? c.state.traffic.monthlyRxBytes : c.state.traffic.monthlyTxBytes) },
  { path: 'Device.Time.Enable', type: 'boolean', get: () => true },
  { path: 'Device.Time.Status', type: 'string', get: (c) => (isRegistered(c.state) ? 'Synchronized' : 'Unsynchronized') },
  { path: 'Device.Time.CurrentLocalTime', type: 'dateTime', notify: 'canDeny', get: (c) => localTime(c.nowMs, c.state.system.tzHours) },
  { path: 'Device.Time.LocalTimeZone', type: 'string', get: (c) => posixZone(c.state.system.tzHours) },
  // What TR-181 lacks for a battery MiFi: routerlab's own names.
  { path: `Device.${VENDOR}Battery.Present`, type: 'boolean', get: (c) => c.state.battery.present },
  { path: `Device.${VENDOR}Battery.Percent`, type: 'unsignedInt', notify: 'canDeny', get: (c) => (c.state.battery.present ? c.state.battery.percent : 0) },
  { path: `Device.${VENDOR}Battery.Charging`, type: 'boolean', get: (c) => chargeState(c.state) === 'charging' },
];

function managementParams(): ParamDef[] {
  type M = StateView['management'];
  const p = (name: string, key: keyof M, type: ParamDef['type'], extra: Partial<ParamDef> = {}): ParamDef => ({
    path: `Device.ManagementServer.${name}`,
    type,
    writable: true,
    get: (c) => (extra.hidden ? '' : (c.state.management[key])),
    set: (c, v) => c.device.management.configure({ [key]: v }),
    ...extra,
  });
  return [
    p('EnableCWMP', 'enableCwmp', 'boolean'),
    p('URL', 'url', 'string', { maxLength: 256 }),
    p('Username', 'username', 'string', { maxLength: 256 }),
    p('Password', 'password', 'string', { maxLength: 256, hidden: true }),
    p('PeriodicInformEnable', 'periodicInformEnable', 'boolean'),
    p('PeriodicInformInterval', 'periodicInformIntervalS', 'unsignedInt', { min: 1 }),
    p('PeriodicInformTime', 'periodicInformTime', 'dateTime'),
    { path: 'Device.ManagementServer.ParameterKey', type: 'string', forced: true, notify: 'canDeny', get: (c) => c.state.management.parameterKey },
    { path: 'Device.ManagementServer.ConnectionRequestURL', type: 'string', forced: true, notify: 'forceDefaultEnabled', get: (c) => c.connectionRequestUrl },
    p('ConnectionRequestUsername', 'connectionRequestUsername', 'string', { maxLength: 256 }),
    p('ConnectionRequestPassword', 'connectionRequestPassword', 'string', { maxLength: 256, hidden: true }),
    p('CWMPRetryMinimumWaitInterval', 'retryMinimumWaitIntervalS', 'unsignedInt', { min: 1, max: 65535 }),
    p('CWMPRetryIntervalMultiplier', 'retryIntervalMultiplier', 'unsignedInt', { min: 1000, max: 65535 }),
    p('DefaultActiveNotificationThrottle', 'defaultActiveNotificationThrottleS', 'unsignedInt'),
    { path: 'Device.ManagementServer.AliasBasedAddressing', type: 'boolean', forced: true, get: () => false },
    { path: 'Device.ManagementServer.SupportedConnReqMethods', type: 'string', get: () => 'HTTP' },
  ];
}

function localTime(nowMs: number, tzHours: number): string {
  const d = new Date(nowMs + tzHours * 3_600_000).toISOString().slice(0, 19);
  const sign = tzHours < 0 ? '-' : '+';
  const abs = Math.abs(tzHours);
  return `${d}${sign}${String(Math.floor(abs)).padStart(2, '0')}:${String(Math.round((abs % 1) * 60)).padStart(2, '0')}`;
}

/** A POSIX TZ string for a fixed offset (POSIX writes the offset west-positive). */
function posixZone(tzHours: number): string {
  const west = -tzHours;
  return `UTC${west >= 0 ? '' : '-'}${Math.abs(west)}`.replace('UTC0', 'UTC0');
}
