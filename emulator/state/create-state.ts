import { createHash } from 'node:crypto';
import { managementSchema, UNKNOWN_TIME, type ApnProfile, type DeviceState, type Operator, type Technology } from './device-state.js';
import { createIdentity, SeededRandom } from './identity.js';
import type { CarrierProfile, DeviceProfile } from './profile.js';

export interface InitialStateInputs {
  id: string;
  profile: DeviceProfile;
  home: CarrierProfile;
  roaming: CarrierProfile;
  seed: number;
  nowMs: number;
  /** Login password; default the profile's `auth.defaultPassword`. */
  password?: string;
}

export function sha256Upper(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}

export function operatorOf(carrier: CarrierProfile): Operator {
  return { mcc: carrier.mcc, mnc: carrier.mnc, longName: carrier.longName, shortName: carrier.shortName };
}

/** The factory-fresh state of a device: what RESTORE_FACTORY_SETTINGS returns to (identity and SIM kept). */
export function createInitialState(inputs: InitialStateInputs): DeviceState {
  const { profile, home, roaming, seed, nowMs } = inputs;
  const identity = createIdentity({
    seed,
    tac: profile.imeiTac,
    macOui: profile.macOui,
    mcc: home.mcc,
    mnc: home.mnc,
    countryCode: home.countryCode,
    msisdnPrefix: home.msisdnPrefix,
    model: profile.model,
  });
  const rng = new SeededRandom(seed ^ 0x5a5a);
  const password = inputs.password ?? profile.auth.defaultPassword;
  const tech: Technology = profile.technology;
  const homeOp = operatorOf(home);
  const apnProfile: ApnProfile = {
    profileName: home.shortName,
    apn: home.apn,
    dial: '*99#',
    auth: 'none',
    username: '',
    password: '',
    pdpType: 'IP',
    dnsMode: 'auto',
    dns1: '',
    dns2: '',
  };
  const hasNr = tech === 'ENDC' || tech === 'SA';
  const lanPrefix = '192.168.0';
  const month = new Date(nowMs).getUTCMonth() + 1;
  const wifiDefaults = profile.wifi ?? { ssidPrefix: profile.model, password: '12345678', maxAccess: 8 };
  const macTail = identity.macAddress.slice(-5).replace(':', '');
  const mainSsid = {
    ssid: `${wifiDefaults.ssidPrefix}_${macTail}`,
    password: wifiDefaults.password,
    authMode: 'WPA2PSK',
    encrypType: 'CCMP',
    hidden: false,
    maxAccess: wifiDefaults.maxAccess,
    isolation: false,
  };
  return {
    id: inputs.id,
    profile: profile.name,
    seed,
    identity,
    sim: { status: 'ready', pin: '1234', puk: '12345678', pinEnabled: false, pinAttemptsLeft: 3, pukAttemptsLeft: 10 },
    homeOperator: homeOp,
    roamingOperator: operatorOf(roaming),
    radio: {
      technology: tech,
      registration: 'home',
      operator: homeOp,
      rsrpDbm: -92,
      rsrqDb: -9,
      sinrDb: 14,
      rssiDbm: -65,
      nr: hasNr ? { rsrpDbm: -88, rsrqDb: -11, sinrDb: 18, band: 'n78', pci: 0x1f4, cellId: 0x1234567 } : null,
      band: 3,
      earfcn: 1300,
      cellId: 0x1000000 + rng.int(0xefffff),
      pci: rng.int(504),
      tac: 0x1000 + rng.int(0xefff),
      caActive: false,
      scanResults: [
        { stat: 2, operator: homeOp, rat: 7 },
        { stat: 1, operator: operatorOf(roaming), rat: 7 },
        { stat: 3, operator: { mcc: home.mcc, mnc: '03', longName: 'Other Network', shortName: 'OTHER' }, rat: 2 },
      ],
    },
    network: {
      bearerPreference: profile.bearerPreference,
      selectionMode: 'auto_select',
      manualNetwork: null,
      connectionMode: 'auto_dial',
      dataRoaming: false,
      mobileData: true,
      scan: { status: '', result: '' },
      bandLockMask: '',
      locks: { gwBandMask: '', nrBands: [], lteCell: null, nrCell: null },
    },
    connection: {
      ppp: 'ppp_connected',
      wanIpv4: `10.${64 + rng.int(64)}.${rng.int(256)}.${1 + rng.int(254)}`,
      wanIpv6: `2a01:598:${rng.hex(4)}:${rng.hex(4)}::1`,
      dns: ['10.74.210.210', '10.74.210.211'],
      connectedSinceMs: nowMs,
      dialFailures: 0,
      pdpRejected: false,
    },
    battery: {
      present: profile.battery !== null,
      percent: profile.battery ? 80 : 100,
      level: profile.battery ? 80 : 100,
      chargerConnected: profile.battery === null,
      drainPerHour: profile.battery?.drainPerHour ?? 0,
      chargePerHour: profile.battery?.chargePerHour ?? 0,
    },
    traffic: {
      realtimeTxBytes: 0,
      realtimeRxBytes: 0,
      realtimeSeconds: 0,
      monthlyTxBytes: 0,
      monthlyRxBytes: 0,
      monthlySeconds: 0,
      txBytesPerSecond: 0,
      rxBytesPerSecond: 0,
      meanTxBytesPerSecond: profile.traffic.meanTxBytesPerSecond,
      meanRxBytesPerSecond: profile.traffic.meanRxBytesPerSecond,
      month,
      lastMonthTotalBytes: 0,
    },
    dataLimit: { enabled: false, unit: 'data', size: '10_1024', alertPercent: 80, autoClear: true, clearDay: 1 },
    wifi: {
      enabled: profile.wifi !== null,
      main: mainSsid,
      guestEnabled: false,
      guest: { ...mainSsid, ssid: `${mainSsid.ssid}_Guest`, maxAccess: Math.min(4, mainSsid.maxAccess) },
      channel: 0,
      band: 'b',
      wirelessMode: '4',
      countryCode: 'DE',
      coverage: 'long_mode',
      sleepAfterMinutes: profile.kind === 'mifi' ? 10 : -1,
      aclMode: 0,
      macWhiteList: [],
      macBlackList: [],
      hostnameBlackList: [],
      idleSinceMs: nowMs,
    },
    stations: [],
    sms: {
      messages: [],
      nextId: 1,
      deviceCapacity: profile.sms.deviceCapacity,
      simCapacity: profile.sms.simCapacity,
      smsc: home.smsc,
      validityPeriod: 'largest',
      statusReport: false,
      receivedFlag: false,
      statusReportFlag: false,
      cmdStatus: { '1': '3' },
      sendFailure: false,
      reports: [],
      nextReportId: 1,
      reportPlan: { status: 'delivered', delayMs: 5000 },
      reference: 0,
      ussd: { flag: '', data: '', action: '', dcs: '' },
    },
    fota: {
      currentVersion: profile.firmware.wa_version,
      available: null,
      newVersionState: '0',
      upgradeState: 'idle',
      downloadedBytes: 0,
      downloadBytesPerSecond: 256 * 1024,
      upgradeResult: '',
      lastCheckMs: null,
      lastUpdateMs: null,
      autoCheck: { mode: '1', intervalDays: 1, roamPermission: '0' },
      selector: 'none',
      fault: 'none',
      previousVersion: null,
    },
    apn: { mode: 'auto', profiles: Array.from({ length: 20 }, () => null), defaultIndex: 0, autoProfile: apnProfile },
    wan: {
      // ZWRT firmware reports AUTO on every device (ubus-api.md §6.2); goform MiFis and sticks report PPP.
      mode: profile.kind === 'cpe' || profile.api === 'ubus' ? 'AUTO' : 'PPP',
      autoMode: 'AUTO_PPP',
      ethernetPortSpecified: false,
      arpProxy: null,
      pppoe: { username: '', password: '', dialMode: 'auto_dial', status: 'ppp_disconnected' },
      staticIp: { ip: '', netmask: '', gateway: '', dns1: '', dns2: '' },
      lan: {
        ip: `${lanPrefix}.1`,
        netmask: '255.255.255.0',
        dhcpStart: `${lanPrefix}.100`,
        dhcpEnd: `${lanPrefix}.200`,
        leaseHours: 24,
        domain: 'm.home',
      },
    },
    schedules: {
      led: { nightMode: false, start: '22:00', end: '07:00', closeAllLed: false },
      sleepWake: { wakeEnabled: false, sleepEnabled: false, wakeTime: '06:00', sleepTime: '22:00' },
      rebootSchedule: { enabled: false, hour: 3, minute: 0 },
      timeLimited: {},
    },
    login: { password, passwordSha256: sha256Upper(password), failuresLeft: 5, lockedUntilMs: null },
    share: {
      enabled: profile.keyGroups.includes('httpshare'),
      mode: 'http_share_mode',
      access: 'readWrite',
      sharedPath: '/mmc2',
      quotaBytes: profile.shareQuotaBytes,
    },
    system: { language: 'en', bootedAtMs: nowMs, rebootCount: 0, restoreFlag: false, poweredOn: true, offReason: '', tzHours: home.tzHours, quickPowerOn: false },
    cloud: { account: null, tokenSha256: null, boundAtMs: null },
    management: managementSchema.parse({
      enableCwmp: true, url: '', username: '', password: '', periodicInformEnable: true, periodicInformIntervalS: 86_400, periodicInformTime: UNKNOWN_TIME,
      parameterKey: '', connectionRequestUsername: '', connectionRequestPassword: '', retryMinimumWaitIntervalS: 5, retryIntervalMultiplier: 2000,
      defaultActiveNotificationThrottleS: 0, provisioningCode: '',
    }),
  };
}
