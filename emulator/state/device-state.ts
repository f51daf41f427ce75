// The one device model every surface (goform HTTP, AT modem, cloud, control API) reads and changes.
// Plain JSON-serialisable data, so a state can be snapshotted and restored. Imports nothing.

export type Technology = 'LTE' | 'ENDC' | 'SA' | 'WCDMA' | 'GSM';
export type Registration = 'home' | 'roaming' | 'searching' | 'denied' | 'none';
export type SimStatus = 'ready' | 'absent' | 'pin' | 'puk' | 'network-locked';
export type PppStatus = 'ppp_disconnected' | 'ppp_connecting' | 'ppp_connected' | 'ppp_disconnecting';
export type SmsTag = 0 | 1 | 2 | 3 | 4; // 0 read, 1 unread, 2 sent, 3 send failed, 4 draft (goform-api.md §5.1)
export type SmsStore = 'device' | 'sim';

export interface Identity {
  imei: string;
  imsi: string;
  iccid: string;
  msisdn: string;
  serialNumber: string;
  macAddress: string;
  bssid: string;
  deviceName: string;
}

export interface SimState {
  status: SimStatus;
  pin: string;
  puk: string;
  pinEnabled: boolean;
  pinAttemptsLeft: number;
  pukAttemptsLeft: number;
}

export interface Operator {
  mcc: string;
  mnc: string;
  longName: string;
  shortName: string;
}

export interface RadioState {
  technology: Technology;
  registration: Registration;
  /** The network the device is registered on (home carrier, or the roaming partner). */
  operator: Operator;
  rsrpDbm: number;
  rsrqDb: number;
  sinrDb: number;
  rssiDbm: number;
  /** NR leg (ENDC/SA); null when there is none. */
  nr: { rsrpDbm: number; rsrqDb: number; sinrDb: number; band: string; pci: number; cellId: number } | null;
  band: number;
  earfcn: number;
  cellId: number;
  pci: number;
  tac: number;
  caActive: boolean;
  /** Operators a manual scan finds (stat follows 27.007 +COPS: 1 available, 2 current, 3 forbidden). */
  scanResults: { stat: number; operator: Operator; rat: number }[];
}

export interface NetworkPrefs {
  /** BearerPreference / net_select value, e.g. NETWORK_auto, Only_LTE, WL_AND_5G. */
  bearerPreference: string;
  selectionMode: 'auto_select' | 'manual_select';
  manualNetwork: { numeric: string; rat: number } | null;
  connectionMode: 'auto_dial' | 'manual_dial';
  dataRoaming: boolean;
  mobileData: boolean;
  scan: { status: '' | 'manual_selecting'; result: '' | 'manual_success' | 'manual_fail' };
  bandLockMask: string;
}

export interface ConnectionState {
  ppp: PppStatus;
  wanIpv4: string;
  wanIpv6: string;
  dns: [string, string];
  /** Virtual ms when the current data session began (null when disconnected). */
  connectedSinceMs: number | null;
  dialFailures: number;
  pdpRejected: boolean;
}

export interface BatteryState {
  present: boolean;
  percent: number;
  /** Exact level with fractions, so slow drain accumulates deterministically. */
  level: number;
  chargerConnected: boolean;
  /** %/hour drained on battery with the radio idle. */
  drainPerHour: number;
  /** %/hour gained on the charger. */
  chargePerHour: number;
}

export interface TrafficState {
  realtimeTxBytes: number;
  realtimeRxBytes: number;
  realtimeSeconds: number;
  monthlyTxBytes: number;
  monthlyRxBytes: number;
  monthlySeconds: number;
  txBytesPerSecond: number;
  rxBytesPerSecond: number;
  /** Mean rates the speed model wanders around while connected, bytes/s. */
  meanTxBytesPerSecond: number;
  meanRxBytesPerSecond: number;
  /** Month (1-12) the monthly counters belong to. */
  month: number;
  lastMonthTotalBytes: number;
}

export interface DataLimitState {
  enabled: boolean;
  unit: 'data' | 'time';
  /** data: "<n>_<mult>" where MB = n * mult; time: hours. */
  size: string;
  alertPercent: number;
  autoClear: boolean;
  clearDay: number;
}

export interface WifiSsid {
  ssid: string;
  password: string;
  authMode: string;
  encrypType: string;
  hidden: boolean;
  maxAccess: number;
  isolation: boolean;
}

export interface WifiState {
  enabled: boolean;
  main: WifiSsid;
  guestEnabled: boolean;
  guest: WifiSsid;
  channel: number;
  band: 'b' | 'a';
  wirelessMode: string;
  countryCode: string;
  coverage: string;
  /** Minutes without clients before Wi-Fi sleeps; -1 never. */
  sleepAfterMinutes: number;
  aclMode: 0 | 1 | 2;
  macWhiteList: string[];
  macBlackList: string[];
  hostnameBlackList: string[];
  /** Virtual ms when the last client left (drives sleepAfterMinutes). */
  idleSinceMs: number | null;
}

export interface Station {
  mac: string;
  hostname: string;
  ip: string;
  ssidIndex: 0 | 1;
  medium: 'wifi' | 'lan';
  online: boolean;
  connectedAtMs: number;
  /** Total ms online before the current connection (for offline devices, the whole last session). */
  lastDurationMs: number;
  /** In the parental-control (child) group: its access follows `accessSchedule`. */
  child: boolean;
  /** Allowed hours per weekday ("0" = Sunday); a missing day = no limit. Empty object = always allowed. */
  accessSchedule: Record<string, number[]>;
}

export interface SmsMessage {
  id: number;
  number: string;
  /** Text as a JS string (UTF-16). */
  text: string;
  tag: SmsTag;
  store: SmsStore;
  /** Virtual ms of arrival or sending. */
  timeMs: number;
  /** Timezone offset in hours written in the date field, e.g. 8 or -5 or 5.5. */
  tzHours: number;
  draftGroupId: string;
  concatTotal: number;
  concatReceived: number;
}

export interface SmsState {
  messages: SmsMessage[];
  nextId: number;
  deviceCapacity: number;
  simCapacity: number;
  smsc: string;
  validityPeriod: string;
  statusReport: boolean;
  receivedFlag: boolean;
  statusReportFlag: boolean;
  /** sms_cmd -> result ("1" processing, "2" failed, "3" success), goform-api.md §5.4. */
  cmdStatus: Record<string, '1' | '2' | '3'>;
  /** When true, SEND_SMS ends in result 2 and the sent copy gets tag 3. */
  sendFailure: boolean;
  ussd: { flag: string; data: string; action: string; dcs: string };
}

export interface FotaState {
  currentVersion: string;
  /** A version published by the (emulated) update server, or null when none. */
  available: { version: string; sizeBytes: number; description: string; mandatory: boolean } | null;
  newVersionState: string;
  upgradeState: string;
  downloadedBytes: number;
  downloadBytesPerSecond: number;
  upgradeResult: string;
  lastCheckMs: number | null;
  lastUpdateMs: number | null;
  autoCheck: { mode: string; intervalDays: number; roamPermission: string };
  selector: string;
}

export interface ApnProfile {
  profileName: string;
  apn: string;
  dial: string;
  auth: 'none' | 'pap' | 'chap';
  username: string;
  password: string;
  pdpType: 'IP' | 'IPv6' | 'IPv4v6';
  dnsMode: 'auto' | 'manual';
  dns1: string;
  dns2: string;
}

export interface ApnState {
  mode: 'auto' | 'manual';
  /** 20 slots (APN_config0..19), null = empty. */
  profiles: (ApnProfile | null)[];
  defaultIndex: number;
  autoProfile: ApnProfile;
}

export interface WanState {
  mode: string;
  autoMode: string;
  pppoe: { username: string; password: string; dialMode: string; status: PppStatus };
  staticIp: { ip: string; netmask: string; gateway: string; dns1: string; dns2: string };
  lan: { ip: string; netmask: string; dhcpStart: string; dhcpEnd: string; leaseHours: number; domain: string };
}

export interface ScheduleState {
  led: { nightMode: boolean; start: string; end: string; closeAllLed: boolean };
  sleepWake: { wakeEnabled: boolean; sleepEnabled: boolean; wakeTime: string; sleepTime: string };
  rebootSchedule: { enabled: boolean; hour: number; minute: number };
  /** The parental-control schedule (`time_limited`) applied to child-group stations. */
  timeLimited: Record<string, number[]>;
}

export interface LoginState {
  /** Plain text when known (needed for base64-generation checks); null after a SHA256-only change. */
  password: string | null;
  /** Upper-case hex SHA256 of the password (what the SHA256+LD generation checks against). */
  passwordSha256: string;
  failuresLeft: number;
  /** Virtual ms until which login is locked; null when not locked. */
  lockedUntilMs: number | null;
}

export interface ShareState {
  enabled: boolean;
  mode: 'http_share_mode' | 'usb_mode';
  access: 'readWrite' | 'readOnly';
  sharedPath: string;
  quotaBytes: number;
}

export interface SystemState {
  language: string;
  bootedAtMs: number;
  rebootCount: number;
  restoreFlag: boolean;
  poweredOn: boolean;
  /** Why the device is off: rebooting (back by itself) or an empty battery (back on the charger). */
  offReason: '' | 'reboot' | 'battery-empty';
  tzHours: number;
}

export interface DeviceState {
  id: string;
  profile: string;
  seed: number;
  identity: Identity;
  sim: SimState;
  homeOperator: Operator;
  roamingOperator: Operator;
  radio: RadioState;
  network: NetworkPrefs;
  connection: ConnectionState;
  battery: BatteryState;
  traffic: TrafficState;
  dataLimit: DataLimitState;
  wifi: WifiState;
  stations: Station[];
  sms: SmsState;
  fota: FotaState;
  apn: ApnState;
  wan: WanState;
  schedules: ScheduleState;
  login: LoginState;
  share: ShareState;
  system: SystemState;
}
