// The cloud channel's topics and payloads: one zod schema per message, the source of the JSON Schema files in
// schemas/cloud/ (npm run schema) and of the README's table. Topic layout follows the AWS IoT topic design
// (load-and-fleet.md §3.6): data and commands split on the first level, the device id near the end.
// A shared codec (docs/decisions/shared-codecs.md): the cloud side (hil/clients/cloud-client.ts) reads the same schemas.
import type { IClientOptions } from 'mqtt';
import { z } from 'zod';

export const CLOUD_SCHEMA_VERSION = 1;

/** How to reach the broker: the same for the device side (channel) and the cloud side (CloudClient). */
export interface BrokerOptions {
  /** mqtt://host:port, mqtts://host:port (TLS), ws:// or wss://. */
  url: string;
  /** 4 = MQTT 3.1.1 (default), 5 = MQTT 5. */
  protocolVersion?: 4 | 5;
  username?: string;
  password?: string;
  /** PEM contents for mqtts: the CA to trust, and a client certificate and key for mutual TLS. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** The protocol, credential and TLS part of MQTT.js's connect options, from BrokerOptions. */
export function brokerConnectOptions(o: BrokerOptions): IClientOptions {
  return {
    protocolVersion: o.protocolVersion ?? 4,
    ...(o.username === undefined ? {} : { username: o.username }),
    ...(o.password === undefined ? {} : { password: o.password }),
    ...(o.ca === undefined ? {} : { ca: o.ca }),
    ...(o.cert === undefined ? {} : { cert: o.cert }),
    ...(o.key === undefined ? {} : { key: o.key }),
  };
}

/** Topics of one device under a prefix (default "routerlab"). */
export interface CloudTopics {
  telemetry: string;
  event: string;
  /** The device subscribes here; the cloud publishes commands. */
  request: string;
  /** The device publishes answers to commands here. */
  response: string;
}

export function cloudTopics(prefix: string, deviceId: string): CloudTopics {
  return {
    telemetry: `dt/${prefix}/${deviceId}/telemetry`,
    event: `dt/${prefix}/${deviceId}/event`,
    request: `cmd/${prefix}/${deviceId}/req`,
    response: `cmd/${prefix}/${deviceId}/res`,
  };
}

/** Lowercase letters, digits and dashes (AWS topic rules): device ids and prefixes must fit a topic level. */
export const TOPIC_LEVEL = /^[a-z0-9][a-z0-9-]{0,63}$/;

// --- device -> cloud ---

/** Every message a device publishes carries who sent it, its place in the device's sequence and when. */
const envelope = {
  v: z.literal(CLOUD_SCHEMA_VERSION),
  deviceId: z.string(),
  /** Per-device sequence over every message the device publishes, from 1, no gaps unless `dropped` says so. */
  seq: z.number().int().min(1),
  /** Virtual epoch ms when the message was made. */
  ts: z.number(),
};

export const telemetrySchema = z.object({
  ...envelope,
  type: z.literal('telemetry'),
  data: z.object({
    identity: z.object({ imei: z.string(), imsi: z.string(), iccid: z.string(), msisdn: z.string(), mac: z.string(), serialNumber: z.string(), model: z.string(), profile: z.string() }),
    firmware: z.object({ version: z.string(), fotaState: z.string(), downloadPercent: z.number().int().min(0).max(100), newVersion: z.string().nullable() }),
    carrier: z.string(),
    networkMode: z.string(),
    connection: z.enum(['connected', 'connecting', 'disconnected', 'disconnecting']),
    roaming: z.boolean(),
    signal: z.object({ bars: z.number().int().min(0).max(5), rsrpDbm: z.number(), rsrqDb: z.number(), sinrDb: z.number(), rssiDbm: z.number() }),
    battery: z.object({ present: z.boolean(), percent: z.number().int().min(0).max(100), bars: z.number().int().min(0).max(4), charging: z.boolean(), low: z.boolean() }),
    usage: z.object({
      monthlyRxBytes: z.number().int().min(0),
      monthlyTxBytes: z.number().int().min(0),
      monthlySeconds: z.number().int().min(0),
      /** Bytes (unit data) or seconds (unit time) the plan allows; null without a limit. */
      limit: z.number().nullable(),
      unit: z.enum(['data', 'time']),
      /** Percent of the limit used; null without a limit. */
      usedPercent: z.number().nullable(),
      alertPercent: z.number().int(),
      /** The data-use warning: the limit is on and usedPercent >= alertPercent. */
      warning: z.boolean(),
    }),
    speed: z.object({ rxBytesPerSecond: z.number().int().min(0), txBytesPerSecond: z.number().int().min(0) }),
    stations: z.number().int().min(0),
    bound: z.boolean(),
    uptimeSeconds: z.number().int().min(0),
    /** Messages the offline queue dropped so far (oldest first); the seq gap a receiver sees equals this. */
    dropped: z.number().int().min(0),
  }),
});

export const eventKinds = [
  'sms-received',
  'roaming-changed',
  'battery-low',
  'data-warning',
  'data-limit-reached',
  'station-joined',
  'station-left',
  'fota-progress',
  'reboot',
  'bound',
  'unbound',
] as const;
export type CloudEventKind = (typeof eventKinds)[number];

export const eventSchema = z.object({
  ...envelope,
  type: z.literal('event'),
  event: z.enum(eventKinds),
  /** Event details: sms-received {id, number, time}; roaming-changed {roaming}; battery-low {percent};
   * data-warning / data-limit-reached {usedPercent, alertPercent}; station-* {mac, hostname};
   * fota-progress {state, percent, version}; reboot {reason}; bound / unbound {account}. */
  data: z.record(z.string(), z.unknown()),
});

export const responseSchema = z.object({
  ...envelope,
  type: z.literal('response'),
  /** The request's id, echoed. */
  requestId: z.string(),
  command: z.string(),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type Telemetry = z.infer<typeof telemetrySchema>;
export type CloudEvent = z.infer<typeof eventSchema>;
export type CloudResponse = z.infer<typeof responseSchema>;
export type DeviceMessage = Telemetry | CloudEvent | CloudResponse;

// --- cloud -> device ---

const mac = z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a MAC address like 02:00:00:00:00:01');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time HH:MM');
const request = <T extends string, A extends z.ZodType>(command: T, args: A) =>
  z.object({ v: z.literal(CLOUD_SCHEMA_VERSION).optional(), id: z.string().min(1).max(64), command: z.literal(command), args });

export const commandSchema = z.discriminatedUnion('command', [
  request('bind', z.object({ account: z.string().min(1).max(128), token: z.string().min(8).max(256) }).strict()),
  request('unbind', z.object({ token: z.string().min(1).max(256) }).strict()),
  request('info', z.object({}).strict().optional()),
  request(
    'set-wifi',
    z.object({
      ssid: z.string().min(1).max(32).optional(),
      password: z.string().min(8).max(63).optional(),
      maxAccess: z.number().int().min(1).max(32).optional(),
      enabled: z.boolean().optional(),
      sleepAfterMinutes: z.union([z.literal(-1), z.literal(5), z.literal(10), z.literal(20), z.literal(30), z.literal(60), z.literal(120)]).optional(),
    }).strict(),
  ),
  request(
    'set-preferences',
    z.object({
      mobileData: z.boolean().optional(),
      dataRoaming: z.boolean().optional(),
      ledNightMode: z.object({ enabled: z.boolean(), start: hhmm, end: hhmm }).strict().optional(),
      sleepWake: z.object({ enabled: z.boolean(), sleep: hhmm, wake: hhmm }).strict().optional(),
      dataLimit: z.object({ enabled: z.boolean(), megabytes: z.number().int().min(1).max(10_000_000).optional(), alertPercent: z.number().int().min(1).max(100).optional() }).strict().optional(),
    }).strict(),
  ),
  request('block-station', z.object({ mac }).strict()),
  request('unblock-station', z.object({ mac }).strict()),
  request('start-fota', z.object({}).strict().optional()),
  request('reboot', z.object({}).strict().optional()),
]);
export type CloudCommand = z.infer<typeof commandSchema>;
