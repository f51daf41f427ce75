import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { BenchError } from '../../hil/errors.js';

// Device and carrier profiles are data in fixtures/; this module validates and loads them.

const FIXTURES = new URL('../../fixtures/', import.meta.url);

export const KEY_GROUPS = [
  'device', 'radio', 'nr5g', 'battery', 'traffic', 'wifi', 'stations', 'sms', 'ussd',
  'fota', 'fota-legacy', 'apn', 'wan', 'schedules', 'httpshare', 'lan', 'multi-user',
] as const;
export type KeyGroup = (typeof KEY_GROUPS)[number];

/** Firmware quirks of goform-api.md §7 that clients depend on; each can be switched per profile. */
export const quirksSchema = z.object({
  /** §7.6: answer with Content-Type text/plain instead of application/json. */
  textPlain: z.boolean().default(true),
  /** §7.1: requests without a Referer header read as not logged in and writes fail. */
  requireReferer: z.boolean().default(false),
  /** §5.1/§7.7: control characters in SMS text are written raw (not JSON-escaped) in sms_data_total. */
  rawControlCharsInSms: z.boolean().default(false),
  /** §7.17: `loginfo` asked without multi_data answers "ok" while any session exists. */
  loginfoOkWithoutMultiData: z.boolean().default(false),
  /** §7.18: msg_id lists must end with ';'. */
  msgIdNeedsTrailingSemicolon: z.boolean().default(false),
  /** §2.7/§7.9: accept AD computed over cr_version + wa_inner_version (reversed order). */
  adAcceptReversedOrder: z.boolean().default(true),
  /** §7.23: NR fields keep placeholders (Z5g_SINR -20.0 etc.) after the NR leg drops instead of "". */
  staleNrFields: z.boolean().default(false),
  /** §2.7: RD stays the same for the whole session (MF935) instead of changing on every read. */
  rdPerSession: z.boolean().default(false),
  /**
   * §2.4: a LOGIN from the requester that already holds the session answers "4" ("already logged in", the UI code's
   * case). Off: it answers "0" and keeps the session (what clients written for MF79U-class firmware rely on).
   */
  reloginAnswersAlreadyLoggedIn: z.boolean().default(true),
  /** goform_set_cmd_process also takes a GET with the fields in the query (MC801A B15: a client logs in that way). */
  setAcceptsGet: z.boolean().default(false),
});
export type Quirks = z.infer<typeof quirksSchema>;

/**
 * How a ZWRT (ubus) firmware differs from another (ubus-api.md §6.22); every switch has the default of the G5TS
 * stock firmware the reference documents best.
 */
export const ubusSwitchesSchema = z.object({
  /** §4.2/§4.4: `result`, `login_fail_num`, status codes as JSON numbers (D, E, G need them) or as strings. */
  numbers: z.boolean().default(true),
  /** §4.9: `object.method` the zero session may call ("uci.get" reads only `anonymousUci` configs). */
  anonymous: z.array(z.string()).default(['zwrt_web.web_login', 'zwrt_web.web_login_info']),
  /** §3.6/§4.9: UCI configs the zero session may read. */
  anonymousUci: z.array(z.string()).default([]),
  /** §4.6: session lifetime in seconds (300 in D and rpcd; about 600 on MC7510). */
  sessionTimeoutS: z.number().int().positive().default(300),
  /** §4.6: any call with the sid renews the idle timer (rpcd), or only calls sent with `Z-Mode: 1` (inferred ZTE). */
  refresh: z.enum(['any', 'z-mode']).default('any'),
  /** §4.7: a second login takes the session over, is refused with result 3, or gets a session of its own. */
  sessionPolicy: z.enum(['takeover', 'refuse', 'multi']).default('takeover'),
  /** §2.2: requests without a Referer are redirected (307) instead of answered. */
  requireReferer: z.boolean().default(true),
  /** §5.4: off = plaintext both ways; on = answers ENC under the session key, inputs ENC or plain; strict = plain inputs get [2]. */
  encryption: z.enum(['off', 'on', 'strict']).default('on'),
  /** §6.14: the `tag` of an unread message (1 in the stock UI; 0 per F and K). */
  smsUnreadTag: z.union([z.literal(0), z.literal(1)]).default(1),
  /** §6.16: `moduleName` values device_reboot/poweroff/reset accept. */
  rebootModules: z.array(z.string()).default(['web', 'zte_web']),
  /** §6.15: APN method naming: camelCase (G5TS), snake_case (MU5250), or both. */
  apnNaming: z.enum(['camel', 'snake', 'both']).default('both'),
  /** §6.5: `nr5g_action_band` as "n78" (MC7510) or "78" (ZD fixture). */
  nrBandPrefix: z.boolean().default(true),
  /** §2.4: set and rotate the `webtoken` cookie (never required). */
  webtoken: z.boolean().default(true),
  /** Objects this firmware lacks (their calls answer -32000 "Object not found"), e.g. zwrt_ussd on MU5250 B04. */
  absentObjects: z.array(z.string()).default([]),
});
export type UbusSwitches = z.infer<typeof ubusSwitchesSchema>;

export const profileSchema = z.object({
  _meta: z.object({ source: z.string() }).loose(),
  name: z.string().regex(/^[a-z0-9-]+$/),
  model: z.string(),
  /** The web API generation: goform (goform-api.md) or ZWRT ubus JSON-RPC (ubus-api.md). A profile speaks one. */
  api: z.enum(['goform', 'ubus']).default('goform'),
  /** The TR-069 data model root a CPE of this profile reports: TR-181 `Device.` or TR-098 `InternetGatewayDevice.`. */
  dataModel: z.enum(['tr181', 'tr098']).default('tr181'),
  /** ZWRT switches; used when `api` is ubus (a goform profile's device can still be driven over ubus in tests). */
  ubus: ubusSwitchesSchema.default(ubusSwitchesSchema.parse({})),
  kind: z.enum(['mifi', 'cpe', 'usb-stick']),
  auth: z.object({
    /** §2.2: base64(pw) | SHA256(base64(pw)) | SHA256(SHA256(pw)+LD). */
    passwordEncoding: z.enum(['base64', 'sha256-base64', 'sha256-ld']),
    /** §2.7: the AD token on writes. */
    ad: z.enum(['none', 'md5', 'sha256']),
    /** Session cookie name, or null when the session is bound to the client address (G1 legacy). */
    cookie: z.string().nullable(),
    sessionIdleTimeoutS: z.number().int().positive().default(300),
    defaultPassword: z.string().min(1).default('admin'),
    /**
     * §2.3: multi-user firmware logs in with LOGIN_MULTI_USER (user + password) and refuses LOGIN; single-user
     * firmware refuses LOGIN_MULTI_USER. `users` are the accounts (web_username1/2), all with the one password.
     */
    multiUser: z.boolean().default(false),
    users: z.array(z.string().min(1)).default(['admin']),
    /** The session cookie is set quoted (`stok="..."`, most firmware) or bare (`stok=...`). */
    cookieQuoted: z.boolean().default(true),
    /** Keys and goformIds this firmware answers without a login (legacy sticks' SMS pages): _meta says why. */
    openWithoutLogin: z.array(z.string().min(1)).default([]),
    /** goformIds this firmware carries out without an AD (still behind the login): profile _meta says why. */
    adExempt: z.array(z.string().min(1)).default([]),
  }),
  /** Which stock web UI generation the firmware ships (what its pages read; `routerlab profiles` shows it). */
  webUi: z.enum(['zte-modern', 'zte-ufi', 'zte-cpe', 'zxic', 'zwrt', 'none']).default('zte-modern'),
  firmware: z.object({
    wa_inner_version: z.string(),
    cr_version: z.string(),
    wa_version: z.string(),
    web_version: z.string(),
    hardware_version: z.string(),
  }),
  imeiTac: z.string().regex(/^\d{8}$/),
  macOui: z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){2}$/),
  keyGroups: z.array(z.enum(KEY_GROUPS)),
  technology: z.enum(['LTE', 'ENDC', 'SA', 'WCDMA', 'GSM']),
  bearerPreference: z.string(),
  homeCarrier: z.string(),
  roamingCarrier: z.string(),
  sms: z.object({ deviceCapacity: z.number().int().positive(), simCapacity: z.number().int().positive() }),
  battery: z.object({ drainPerHour: z.number().positive(), chargePerHour: z.number().positive() }).nullable(),
  wifi: z.object({ ssidPrefix: z.string(), password: z.string().min(8), maxAccess: z.number().int().min(1).max(32) }).nullable(),
  traffic: z.object({ meanRxBytesPerSecond: z.number().nonnegative(), meanTxBytesPerSecond: z.number().nonnegative() }),
  shareQuotaBytes: z.number().int().positive().default(64 * 1024 * 1024),
  quirks: quirksSchema.default(quirksSchema.parse({})),
});
export type DeviceProfile = z.infer<typeof profileSchema>;

export const carrierSchema = z.object({
  _meta: z.object({ source: z.string() }).loose(),
  name: z.string(),
  mcc: z.string().regex(/^\d{3}$/),
  mnc: z.string().regex(/^\d{2,3}$/),
  longName: z.string(),
  shortName: z.string(),
  spn: z.string(),
  apn: z.string(),
  countryCode: z.string().regex(/^\d{1,3}$/),
  msisdnPrefix: z.string().regex(/^\d+$/),
  smsc: z.string(),
  tzHours: z.number(),
});
export type CarrierProfile = z.infer<typeof carrierSchema>;

/** Profile names, sorted; with `api`, only the profiles of that web API generation. */
export function listProfiles(api?: DeviceProfile['api']): string[] {
  const names = readdirSync(new URL('profiles/', FIXTURES))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  return api === undefined ? names : names.filter((n) => loadProfile(n).api === api);
}

const profileCache = new Map<string, DeviceProfile>();
const carrierCache = new Map<string, CarrierProfile>();

/** Loads fixtures/profiles/NAME.json; throws CONFIG_INVALID naming the known profiles when it is missing or bad. */
export function loadProfile(name: string): DeviceProfile {
  const cached = profileCache.get(name);
  if (cached) return cached;
  const profile = readFixture('profiles', name, profileSchema, listProfiles);
  profileCache.set(name, profile);
  return profile;
}

export function loadCarrier(name: string): CarrierProfile {
  const cached = carrierCache.get(name);
  if (cached) return cached;
  const carrier = readFixture('carriers', name, carrierSchema, () =>
    readdirSync(new URL('carriers/', FIXTURES)).map((f) => f.replace(/\.json$/, '')),
  );
  carrierCache.set(name, carrier);
  return carrier;
}

// --- internal ---

function readFixture<T>(folder: string, name: string, schema: z.ZodType<T>, known: () => string[]): T {
  if (!/^[a-z0-9-]+$/.test(name)) {
    throw new BenchError('CONFIG_INVALID', `[emulator:profile] bad ${folder} name "${name}"; known: ${known().join(', ')}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(new URL(`${folder}/${name}.json`, FIXTURES), 'utf8'));
  } catch (e) {
    throw new BenchError('CONFIG_INVALID', `[emulator:profile] no ${folder} fixture "${name}"; known: ${known().join(', ')}`, { cause: e });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new BenchError('CONFIG_INVALID', `[emulator:profile] fixtures/${folder}/${name}.json is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
