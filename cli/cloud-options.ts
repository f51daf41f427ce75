// The cloud-channel flags shared by `serve` and `fleet`.
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { BenchError } from '../hil/index.js';
import { durationOption, intOption } from './args.js';

export const CLOUD_OPTIONS = {
  mqtt: { type: 'string' },
  'mqtt-port': { type: 'string' },
  'mqtt-username': { type: 'string' },
  'mqtt-password': { type: 'string' },
  'mqtt-ca': { type: 'string' },
  'mqtt-cert': { type: 'string' },
  'mqtt-key': { type: 'string' },
  'mqtt-protocol': { type: 'string' },
  'topic-prefix': { type: 'string' },
  'telemetry-interval': { type: 'string' },
  'telemetry-qos': { type: 'string' },
  'queue-limit': { type: 'string' },
  'no-cloud': { type: 'boolean' },
} satisfies ParseArgsConfig['options'];


type CloudValues = { [K in keyof typeof CLOUD_OPTIONS]?: (typeof CLOUD_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

export interface CloudFlags {
  url?: string;
  brokerPort?: number;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  protocolVersion: 4 | 5;
  topicPrefix: string;
  telemetryIntervalMs: number;
  telemetryQos: 0 | 1;
  queueLimit: number;
}

function pem(flag: string, path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BenchError('INVALID_ARGUMENT', `${flag} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
}

/** The cloud flags as channel options, or null with --no-cloud. */
export function cloudFlags(values: CloudValues): CloudFlags | null {
  if (values['no-cloud']) return null;
  const protocol = values['mqtt-protocol'] ?? '3.1.1';
  if (protocol !== '3.1.1' && protocol !== '5') throw new BenchError('INVALID_ARGUMENT', `--mqtt-protocol ${protocol} must be 3.1.1 or 5`);
  const url = values.mqtt;
  if (url !== undefined && !/^(mqtts?|wss?):\/\/[^/]+/.test(url)) throw new BenchError('INVALID_ARGUMENT', `--mqtt ${url} must be a URL like mqtt://127.0.0.1:1883`);
  if (url !== undefined && values['mqtt-port'] !== undefined) throw new BenchError('INVALID_ARGUMENT', '--mqtt-port sets the embedded broker; it cannot go with --mqtt');
  const cert = pem('--mqtt-cert', values['mqtt-cert']);
  const key = pem('--mqtt-key', values['mqtt-key']);
  if ((cert === undefined) !== (key === undefined)) throw new BenchError('INVALID_ARGUMENT', '--mqtt-cert and --mqtt-key go together');
  const ca = pem('--mqtt-ca', values['mqtt-ca']);
  const password = values['mqtt-password'] ?? process.env.ROUTERLAB_MQTT_PASSWORD;
  const qos = intOption('--telemetry-qos', values['telemetry-qos'], 1, 0, 1) as 0 | 1;
  const interval = durationOption('--telemetry-interval', values['telemetry-interval'], 10_000);
  if (interval < 100) throw new BenchError('INVALID_ARGUMENT', `--telemetry-interval ${values['telemetry-interval']} is below 100ms`);
  return {
    ...(url === undefined ? { brokerPort: intOption('--mqtt-port', values['mqtt-port'], 1883, 0, 65535) } : { url }),
    ...(values['mqtt-username'] === undefined ? {} : { username: values['mqtt-username'] }),
    ...(password === undefined ? {} : { password }),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    protocolVersion: protocol === '5' ? 5 : 4,
    topicPrefix: values['topic-prefix'] ?? 'routerlab',
    telemetryIntervalMs: interval,
    telemetryQos: qos,
    queueLimit: intOption('--queue-limit', values['queue-limit'], 1000, 1, 10_000_000),
  };
}
