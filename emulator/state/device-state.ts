// The one device model every surface (goform HTTP, AT modem, cloud, control API) reads and changes.
// Plain JSON data; the zod schemas are the source of the types and validate snapshots, restores and patches.
import { z } from 'zod';
import { splitText } from '../modem/pdu.js';

export const technologySchema = z.enum(['LTE', 'ENDC', 'SA', 'WCDMA', 'GSM']);
export const registrationSchema = z.enum(['home', 'roaming', 'searching', 'denied', 'none']);
export const simStatusSchema = z.enum(['ready', 'absent', 'pin', 'puk', 'network-locked']);
export const pppStatusSchema = z.enum(['ppp_disconnected', 'ppp_connecting', 'ppp_connected', 'ppp_disconnecting']);
/** 0 read, 1 unread, 2 sent, 3 send failed, 4 draft (goform-api.md §5.1). */
export const smsTagSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export const smsStoreSchema = z.enum(['device', 'sim']);

const int = z.number().int();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const digits = (min: number, max: number) => z.string().regex(new RegExp(`^\\d{${min},${max}}$`));

export const identitySchema = z.object({
  imei: digits(15, 15),
  imsi: digits(6, 15),
  iccid: digits(18, 20),
  msisdn: z.string().max(20),
  serialNumber: z.string().max(32),
  macAddress: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/),
  bssid: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/),
  deviceName: z.string().max(64),
});

export const simSchema = z.object({
  status: simStatusSchema,
  pin: digits(4, 8),
  puk: digits(8, 8),
  pinEnabled: z.boolean(),
  pinAttemptsLeft: int.min(0).max(3),
  pukAttemptsLeft: int.min(0).max(10),
});

export const operatorSchema = z.object({ mcc: digits(3, 3), mnc: digits(2, 3), longName: z.string().max(64), shortName: z.string().max(32) });

export const nrSchema = z.object({
  rsrpDbm: z.number().min(-156).max(-31),
  rsrqDb: z.number().min(-43).max(20),
  sinrDb: z.number().min(-23).max(40),
  band: z.string().regex(/^n\d{1,3}$/),
  pci: int.min(0).max(1007),
  cellId: int.min(0),
});

export const radioSchema = z.object({
  technology: technologySchema,
  registration: registrationSchema,
  /** The network the device is registered on (home carrier, or the roaming partner). */
  operator: operatorSchema,
  rsrpDbm: z.number().min(-140).max(-44),
  rsrqDb: z.number().min(-20).max(-3),
  sinrDb: z.number().min(-20).max(40),
  rssiDbm: z.number().min(-120).max(-25),
  /** NR leg (ENDC/SA); null when there is none. */
  nr: nrSchema.nullable(),
  band: int.min(1).max(255),
  earfcn: int.min(0).max(262143),
  cellId: int.min(0).max(0xfffffff),
  pci: int.min(0).max(503),
  tac: int.min(0).max(0xffff),
  caActive: z.boolean(),
  /** Operators a manual scan finds (stat follows 27.007 +COPS: 1 available, 2 current, 3 forbidden). */
  scanResults: z.array(z.object({ stat: int.min(0).max(3), operator: operatorSchema, rat: int.min(0).max(13) })),
});

export const networkPrefsSchema = z.object({
  /** BearerPreference / net_select value, e.g. NETWORK_auto, Only_LTE, WL_AND_5G. */
  bearerPreference: z.string(),
  selectionMode: z.enum(['auto_select', 'manual_select']),
  manualNetwork: z.object({ numeric: z.string(), rat: int }).nullable(),
  connectionMode: z.enum(['auto_dial', 'manual_dial']),
  dataRoaming: z.boolean(),
  mobileData: z.boolean(),
  scan: z.object({ status: z.enum(['', 'manual_selecting']), result: z.enum(['', 'manual_success', 'manual_fail']) }),
  /** LTE band lock: hex mask, bit N-1 = band N (BAND_SELECT lte_band_mask); "" = none. */
  bandLockMask: z.string(),
  /** Band and cell locks of CPEs (goform-api.md §4.4, §9.3); defaults let older snapshots load. */
  locks: z
    .object({
      /** 2G/3G band mask (BAND_SELECT gw_band_mask), hex; "" = none. */
      gwBandMask: z.string(),
      /** NR bands allowed (WAN_PERFORM_NR5G_BAND_LOCK), e.g. [1, 3, 78]; empty = all. */
      nrBands: z.array(int.min(1).max(1024)),
      lteCell: z.object({ pci: int.min(0).max(503), earfcn: int.min(0).max(262143) }).nullable(),
      nrCell: z.object({ pci: int.min(0).max(1007), arfcn: int.min(0).max(3279165), band: int.min(1).max(1024), scs: int.min(0).max(480) }).nullable(),
    })
    .default({ gwBandMask: '', nrBands: [], lteCell: null, nrCell: null }),
});

export const connectionSchema = z.object({
  ppp: pppStatusSchema,
  wanIpv4: z.string(),
  wanIpv6: z.string(),
  dns: z.tuple([z.string(), z.string()]),
  /** Virtual ms when the current data session began (null when disconnected). */
  connectedSinceMs: z.number().nullable(),
  dialFailures: int.min(0),
  /** The network rejects PDP activation (wrong APN, not subscribed): connecting fails. */
  pdpRejected: z.boolean(),
});

export const batterySchema = z.object({
  present: z.boolean(),
  percent: int.min(0).max(100),
  /** Exact level with fractions, so slow drain accumulates deterministically. */
  level: z.number().min(0).max(100),
  chargerConnected: z.boolean(),
  /** %/hour drained on battery with the radio idle. */
  drainPerHour: z.number().min(0).max(1000),
  /** %/hour gained on the charger. */
  chargePerHour: z.number().min(0).max(1000),
});

export const trafficSchema = z.object({
  realtimeTxBytes: int.min(0),
  realtimeRxBytes: int.min(0),
  realtimeSeconds: int.min(0),
  monthlyTxBytes: int.min(0),
  monthlyRxBytes: int.min(0),
  monthlySeconds: int.min(0),
  txBytesPerSecond: int.min(0),
  rxBytesPerSecond: int.min(0),
  /** Mean rates the speed model wanders around while connected, bytes/s. */
  meanTxBytesPerSecond: z.number().min(0),
  meanRxBytesPerSecond: z.number().min(0),
  /** Month (1-12) the monthly counters belong to. */
  month: int.min(1).max(12),
  lastMonthTotalBytes: int.min(0),
});

export const dataLimitSchema = z.object({
  enabled: z.boolean(),
  unit: z.enum(['data', 'time']),
  /** data: "<n>_<mult>" where MB = n * mult; time: hours. */
  size: z.string().regex(/^\d+(_(1|1024))?$/),
  alertPercent: int.min(1).max(100),
  autoClear: z.boolean(),
  clearDay: int.min(1).max(31),
});

export const wifiSsidSchema = z.object({
  ssid: z.string().min(1).max(32),
  password: z.string().max(63),
  authMode: z.string(),
  encrypType: z.string(),
  hidden: z.boolean(),
  maxAccess: int.min(1).max(32),
  isolation: z.boolean(),
});

export const wifiSchema = z.object({
  enabled: z.boolean(),
  main: wifiSsidSchema,
  guestEnabled: z.boolean(),
  guest: wifiSsidSchema,
  channel: int.min(0).max(165),
  band: z.enum(['b', 'a']),
  wirelessMode: z.string(),
  countryCode: z.string(),
  coverage: z.string(),
  /** Minutes without clients before Wi-Fi sleeps; -1 never. */
  sleepAfterMinutes: int.min(-1),
  aclMode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  macWhiteList: z.array(z.string()),
  macBlackList: z.array(z.string()),
  hostnameBlackList: z.array(z.string()),
  /** Virtual ms when the last client left (drives sleepAfterMinutes). */
  idleSinceMs: z.number().nullable(),
});

export const stationSchema = z.object({
  mac: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/),
  hostname: z.string().max(64),
  ip: z.string(),
  ssidIndex: z.union([z.literal(0), z.literal(1)]),
  medium: z.enum(['wifi', 'lan']),
  online: z.boolean(),
  connectedAtMs: z.number(),
  /** Total ms online before the current connection (for offline devices, the whole last session). */
  lastDurationMs: z.number().min(0),
  /** In the parental-control (child) group: its access follows `accessSchedule`. */
  child: z.boolean(),
  /** Allowed hours per weekday ("0" = Sunday); a missing day = no limit. Empty object = always allowed. */
  accessSchedule: z.record(z.string().regex(/^[0-6]$/), z.array(int.min(0).max(23))),
  /** Join attempts refused by the access list (blocked device trying to connect). */
  blockedAttempts: int.min(0),
});

/**
 * One part of a message as modem memory holds it: a concatenated SMS (23.040 §9.2.3.24.1) takes one slot per part
 * (27.005 §3.5.4 deletes "location <index>"), so each part is read, indicated and deleted on its own.
 */
export const smsPartSchema = z.object({
  /** Sequence number within the message, 1-based. */
  seq: int.min(1).max(255),
  text: z.string(),
  alphabet: z.enum(['gsm7', 'ucs2']),
});

const smsMessageFields = z.object({
  id: int.min(1),
  number: z.string().max(40),
  /** Text as a JS string (UTF-16). */
  text: z.string(),
  tag: smsTagSchema,
  store: smsStoreSchema,
  /** Virtual ms of arrival or sending. */
  timeMs: z.number(),
  /** Timezone offset in hours written in the date field, e.g. 8 or -5 or 5.5. */
  tzHours: z.number().min(-12).max(14),
  draftGroupId: z.string(),
  concatTotal: int.min(0),
  concatReceived: int.min(0),
  /**
   * 'memory': in the store both surfaces list (goform's boxes and the modem's ME/SM memory). 'router': the router's
   * own record of a message sent through the modem with AT+CMGS, which sends without storing (27.005 §3.5.1): goform's
   * sent box shows it, modem memory (+CMGL, +CPMS) does not.
   */
  record: z.enum(['memory', 'router']).default('memory'),
  /**
   * The parts held, in sequence order; `text` is their joined text. A message missing parts (not all received, or
   * some deleted on AT) shows as far as it is held. Absent in states written before parts were kept: the text
   * split as a network would send it.
   */
  parts: z.array(smsPartSchema).min(1).optional(),
});

export const smsMessageSchema = smsMessageFields.transform((m) => ({ ...m, parts: m.parts ?? partsOf(m.text) }));

/** The parts a text takes when sent or delivered (160/153 GSM-7 septets, 70/67 UCS-2 units, 23.038/23.040). */
export function partsOf(text: string): SmsPart[] {
  const { alphabet, parts } = splitText(text);
  return parts.map((t, i) => ({ seq: i + 1, text: t, alphabet: alphabet === 'ucs2' ? 'ucs2' : 'gsm7' }));
}

export const smsReportStatusSchema = z.enum(['delivered', 'failed', 'expired']);

/** An SMS-STATUS-REPORT (23.040 §9.2.2.3) in SR memory: the network's answer for a sent message that asked for one. */
export const smsReportSchema = z.object({
  id: int.min(1),
  /** TP-MR of the SUBMIT it answers (what +CMGS reported). */
  reference: int.min(0).max(255),
  /** The recipient (TP-RA). */
  number: z.string().max(40),
  /** The router's record of the sent message, if it still exists. */
  messageId: int.min(1),
  status: smsReportStatusSchema,
  /** Virtual ms the SMSC received the SUBMIT (TP-SCTS) and of the outcome (TP-DT). */
  submittedMs: z.number(),
  dischargeMs: z.number(),
  tzHours: z.number().min(-12).max(14),
  read: z.boolean(),
});

export const smsSchema = z.object({
  messages: z.array(smsMessageSchema),
  nextId: int.min(1),
  deviceCapacity: int.min(1),
  simCapacity: int.min(1),
  smsc: z.string(),
  validityPeriod: z.enum(['twelve_hours', 'one_day', 'one_week', 'largest']),
  statusReport: z.boolean(),
  receivedFlag: z.boolean(),
  statusReportFlag: z.boolean(),
  /** sms_cmd -> result ("1" processing, "2" failed, "3" success), goform-api.md §5.4. */
  cmdStatus: z.record(z.string(), z.enum(['1', '2', '3'])),
  /** When true, sending fails: SEND_SMS ends in result 2 (tag 3), AT+CMGS in +CMS ERROR. */
  sendFailure: z.boolean(),
  /** SR memory, oldest first (at most SMS_REPORT_CAPACITY; the oldest make room). */
  reports: z.array(smsReportSchema).default([]),
  nextReportId: int.min(1).default(1),
  /** How the network answers status reports from now on (control-API stimulus): outcome and virtual delay. */
  reportPlan: z.object({ status: smsReportStatusSchema, delayMs: int.min(0) }).default({ status: 'delivered', delayMs: 5000 }),
  /** The last TP-MR given to a SUBMIT (23.040 §9.2.3.6: the sender numbers its SUBMITs 0-255). */
  reference: int.min(0).max(255).default(0),
  ussd: z.object({ flag: z.string(), data: z.string(), action: z.string(), dcs: z.string() }),
});

export const fotaSchema = z.object({
  currentVersion: z.string().min(1),
  /** A version published by the (emulated) update server, or null when none. */
  available: z.object({ version: z.string().min(1), sizeBytes: int.min(1), description: z.string(), mandatory: z.boolean() }).nullable(),
  newVersionState: z.string(),
  upgradeState: z.string(),
  downloadedBytes: int.min(0),
  downloadBytesPerSecond: int.min(0),
  upgradeResult: z.string(),
  lastCheckMs: z.number().nullable(),
  lastUpdateMs: z.number().nullable(),
  autoCheck: z.object({ mode: z.string(), intervalDays: int.min(1), roamPermission: z.string() }),
  selector: z.string(),
  /** Injected fault for the next download or install (control API). */
  fault: z.enum(['none', 'stall', 'checksum', 'power-loss']),
  /** The version to return to on rollback (the one before the last update). */
  previousVersion: z.string().nullable(),
});

export const apnProfileSchema = z.object({
  profileName: z.string().min(1).max(32),
  apn: z.string().max(63),
  dial: z.string(),
  auth: z.enum(['none', 'pap', 'chap']),
  username: z.string(),
  password: z.string(),
  pdpType: z.enum(['IP', 'IPv6', 'IPv4v6']),
  dnsMode: z.enum(['auto', 'manual']),
  dns1: z.string(),
  dns2: z.string(),
});

export const apnSchema = z.object({
  mode: z.enum(['auto', 'manual']),
  /** 20 slots (APN_config0..19), null = empty. */
  profiles: z.array(apnProfileSchema.nullable()).length(20),
  defaultIndex: int.min(0).max(19),
  autoProfile: apnProfileSchema,
});

export const wanSchema = z.object({
  mode: z.string(),
  autoMode: z.string(),
  /** `ethernet_port_specified` (§3.10): the Ethernet port is the WAN port. Absent in states saved before it. */
  ethernetPortSpecified: z.boolean().default(false),
  /**
   * The ARP proxy switch (goform `ARP_PROXY_SWITCH`, ubus `router_set_arp_proxy`); null until it has been set once
   * (the firmware's uci option is missing until then). Absent in states saved before it.
   */
  arpProxy: z.boolean().nullable().default(null),
  pppoe: z.object({ username: z.string(), password: z.string(), dialMode: z.string(), status: pppStatusSchema }),
  staticIp: z.object({ ip: z.string(), netmask: z.string(), gateway: z.string(), dns1: z.string(), dns2: z.string() }),
  lan: z.object({ ip: z.string(), netmask: z.string(), dhcpStart: z.string(), dhcpEnd: z.string(), leaseHours: int.min(1), domain: z.string() }),
});

export const schedulesSchema = z.object({
  led: z.object({ nightMode: z.boolean(), start: hhmm, end: hhmm, closeAllLed: z.boolean() }),
  sleepWake: z.object({ wakeEnabled: z.boolean(), sleepEnabled: z.boolean(), wakeTime: hhmm, sleepTime: hhmm }),
  rebootSchedule: z.object({ enabled: z.boolean(), hour: int.min(0).max(23), minute: int.min(0).max(59) }),
  /** The parental-control schedule (`time_limited`) applied to child-group stations. */
  timeLimited: z.record(z.string().regex(/^[0-6]$/), z.array(int.min(0).max(23))),
});

export const loginSchema = z.object({
  /** Plain text when known (needed for base64-generation checks); null after a SHA256-only change. */
  password: z.string().min(1).nullable(),
  /** Upper-case hex SHA256 of the password (what the SHA256+LD generation checks against). */
  passwordSha256: z.string().regex(/^[0-9A-F]{64}$/),
  failuresLeft: int.min(0).max(5),
  /** Virtual ms until which login is locked; null when not locked. */
  lockedUntilMs: z.number().nullable(),
});

export const shareSchema = z.object({
  enabled: z.boolean(),
  mode: z.enum(['http_share_mode', 'usb_mode']),
  access: z.enum(['readWrite', 'readOnly']),
  sharedPath: z.string(),
  quotaBytes: int.min(1),
});

export const systemSchema = z.object({
  language: z.string(),
  bootedAtMs: z.number(),
  rebootCount: int.min(0),
  restoreFlag: z.boolean(),
  poweredOn: z.boolean(),
  /** Why the device is off: rebooting (back by itself) or an empty battery (back on the charger). */
  offReason: z.enum(['', 'reboot', 'battery-empty']),
  tzHours: z.number().min(-12).max(14),
  /** Fast power-on (ZWRT `quicken_power_on`, set by the stock UI); back to off on a factory reset. Absent in older states. */
  quickPowerOn: z.boolean().default(false),
});

/** Remote management: the cloud account the router is bound to (bind/unbind commands of the cloud channel). */
export const cloudSchema = z.object({
  account: z.string().min(1).max(128).nullable(),
  /** SHA-256 of the account token given at bind; unbind must present the same token. */
  tokenSha256: z.string().nullable(),
  boundAtMs: z.number().nullable(),
});

/**
 * Remote management: the TR-181 ManagementServer settings (device-management.md §2.3) an ACS and the device's own
 * configuration share. Device configuration like the APN: kept across reboots, back to factory values on a factory
 * reset. Empty `url` = no ACS configured.
 */
export const managementSchema = z.object({
  enableCwmp: z.boolean(),
  url: z.string().max(256),
  username: z.string().max(256),
  password: z.string().max(256),
  periodicInformEnable: z.boolean(),
  periodicInformIntervalS: int.min(1),
  /** ISO 8601; "0001-01-01T00:00:00Z" = unknown (the CPE picks the phase). */
  periodicInformTime: z.string(),
  /** Set by the ACS with SetParameterValues/AddObject/DeleteObject on success only (§1.6). */
  parameterKey: z.string().max(32),
  connectionRequestUsername: z.string().max(256),
  connectionRequestPassword: z.string().max(256),
  retryMinimumWaitIntervalS: int.min(1).max(65535),
  retryIntervalMultiplier: int.min(1000).max(65535),
  defaultActiveNotificationThrottleS: int.min(0),
  provisioningCode: z.string().max(64),
});

export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

export const deviceStateSchema = z.object({
  id: z.string().min(1),
  profile: z.string(),
  seed: int.min(0),
  identity: identitySchema,
  sim: simSchema,
  homeOperator: operatorSchema,
  roamingOperator: operatorSchema,
  radio: radioSchema,
  network: networkPrefsSchema,
  connection: connectionSchema,
  battery: batterySchema,
  traffic: trafficSchema,
  dataLimit: dataLimitSchema,
  wifi: wifiSchema,
  stations: z.array(stationSchema),
  sms: smsSchema,
  fota: fotaSchema,
  apn: apnSchema,
  wan: wanSchema,
  schedules: schedulesSchema,
  login: loginSchema,
  share: shareSchema,
  system: systemSchema,
  cloud: cloudSchema,
  management: managementSchema.default({
    enableCwmp: true, url: '', username: '', password: '', periodicInformEnable: true, periodicInformIntervalS: 86_400, periodicInformTime: UNKNOWN_TIME,
    parameterKey: '', connectionRequestUsername: '', connectionRequestPassword: '', retryMinimumWaitIntervalS: 5, retryIntervalMultiplier: 2000,
    defaultActiveNotificationThrottleS: 0, provisioningCode: '',
  }),
});

export type Technology = z.infer<typeof technologySchema>;
export type Registration = z.infer<typeof registrationSchema>;
export type SimStatus = z.infer<typeof simStatusSchema>;
export type PppStatus = z.infer<typeof pppStatusSchema>;
export type SmsTag = z.infer<typeof smsTagSchema>;
export type SmsStore = z.infer<typeof smsStoreSchema>;
export type Identity = z.infer<typeof identitySchema>;
export type SimState = z.infer<typeof simSchema>;
export type Operator = z.infer<typeof operatorSchema>;
export type RadioState = z.infer<typeof radioSchema>;
export type NetworkPrefs = z.infer<typeof networkPrefsSchema>;
export type ConnectionState = z.infer<typeof connectionSchema>;
export type BatteryState = z.infer<typeof batterySchema>;
export type TrafficState = z.infer<typeof trafficSchema>;
export type DataLimitState = z.infer<typeof dataLimitSchema>;
export type WifiSsid = z.infer<typeof wifiSsidSchema>;
export type WifiState = z.infer<typeof wifiSchema>;
export type Station = z.infer<typeof stationSchema>;
export type SmsMessage = z.infer<typeof smsMessageSchema>;
export type SmsPart = z.infer<typeof smsPartSchema>;
export type SmsReport = z.infer<typeof smsReportSchema>;
export type SmsReportStatus = z.infer<typeof smsReportStatusSchema>;
export type SmsState = z.infer<typeof smsSchema>;
export type FotaState = z.infer<typeof fotaSchema>;
export type ApnProfile = z.infer<typeof apnProfileSchema>;
export type ApnState = z.infer<typeof apnSchema>;
export type WanState = z.infer<typeof wanSchema>;
export type ScheduleState = z.infer<typeof schedulesSchema>;
export type LoginState = z.infer<typeof loginSchema>;
export type ShareState = z.infer<typeof shareSchema>;
export type SystemState = z.infer<typeof systemSchema>;
export type CloudState = z.infer<typeof cloudSchema>;
export type ManagementState = z.infer<typeof managementSchema>;
export type DeviceState = z.infer<typeof deviceStateSchema>;

/** The state as surfaces see it: every field read-only, all the way down (device-api.ts). */
export type StateView = DeepReadonly<DeviceState>;
/** A message as surfaces see it. */
export type SmsMessageView = DeepReadonly<SmsMessage>;

// Homomorphic mapped types keep arrays and tuples (connection.dns) as readonly arrays and tuples.
export type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
