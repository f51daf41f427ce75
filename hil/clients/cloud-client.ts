// The cloud's side of the routers' MQTT channel: subscribe to what devices publish, send commands and await
// their answers. What a cloud service under test does, and what scenarios and tests use to check the channel.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { brokerConnectOptions, cloudTopics, eventSchema, responseSchema, telemetrySchema, type BrokerOptions, type CloudCommand, type CloudResponse, type DeviceMessage } from '../../emulator/cloud/messages.js';
import { BenchError } from '../errors.js';

export interface CloudClientOptions extends BrokerOptions {
  /** Topic prefix the devices use (default "routerlab"). */
  topicPrefix?: string;
  /** Keep the session (and QoS 1 messages) across reconnects: give a fixed clientId and clean=false. */
  clientId?: string;
  clean?: boolean;
  /** Messages kept for waitFor() (default 100000; the oldest go first). */
  keep?: number;
  /** Called for every message as it arrives (counting, latency). */
  onMessage?: (m: Received) => void;
}

/** A message as received: topic, parsed JSON, and whether it matched its schema. */
export interface Received {
  /** Position among every message this client received (0, 1, ...), stable when old ones are dropped. */
  n: number;
  topic: string;
  payload: unknown;
  /** The schema problem, or null when the payload is a valid telemetry, event or response. */
  invalid: string | null;
  atWallMs: number;
}

export class CloudClient {
  readonly prefix: string;
  readonly #client: MqttClient;
  readonly #keep: number;
  readonly #received: Received[] = [];
  readonly #waiters = new Set<() => void>();
  #counted = 0;
  #closed = false;
  readonly #listener: ((m: Received) => void) | undefined;

  private constructor(client: MqttClient, prefix: string, keep: number, onMessage?: (m: Received) => void) {
    this.#client = client;
    this.prefix = prefix;
    this.#keep = keep;
    this.#listener = onMessage;
    client.on('message', (topic, payload) => this.#onMessage(topic, payload));
  }

  /** Connect (rejects with TRANSPORT_OPEN_FAILED when the broker does not answer within 10 s). */
  static async connect(options: CloudClientOptions): Promise<CloudClient> {
    const o: IClientOptions = {
      ...brokerConnectOptions(options),
      reconnectPeriod: 500,
      connectTimeout: 10_000,
      clean: options.clean ?? true,
      clientId: options.clientId ?? `routerlab-cloud-${randomUUID().slice(0, 8)}`,
    };
    const client = mqtt.connect(options.url, o);
    // Listening before CONNACK: a durable session's queued messages can arrive in the same read as the CONNACK.
    const cloud = new CloudClient(client, options.topicPrefix ?? 'routerlab', options.keep ?? 100_000, options.onMessage);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no CONNACK within 10 s')), 10_000);
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
    } catch (e) {
      client.end(true);
      throw new BenchError('TRANSPORT_OPEN_FAILED', `[cloud] cannot connect to ${options.url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return cloud;
  }

  /** Subscribe to everything devices publish under the prefix (or one device's topics). QoS 1. */
  async watch(deviceId = '+'): Promise<void> {
    await this.#client.subscribeAsync([`dt/${this.prefix}/${deviceId}/+`, `cmd/${this.prefix}/${deviceId}/res`], { qos: 1 });
  }

  /** Subscribe to any topic filter (the scenario `mqtt` step). */
  async subscribe(filter: string): Promise<void> {
    await this.#client.subscribeAsync(filter, { qos: 1 });
  }

  /** Messages received so far, oldest first (bounded by `keep`). */
  received(): readonly Received[] {
    return this.#received;
  }

  /** Messages ever received, including those the bounded list dropped. */
  get total(): number {
    return this.#counted;
  }

  /** The first message (already received or arriving within `timeoutMs`) that matches. */
  async waitFor(match: (m: Received) => boolean, timeoutMs: number, what = 'a matching message'): Promise<Received> {
    const found = this.#received.find(match);
    if (found) return found;
    return new Promise<Received>((resolve, reject) => {
      let seen = this.#received.length;
      const check = (): void => {
        for (; seen < this.#received.length; seen++) {
          const m = this.#received[seen]!;
          if (match(m)) {
            done();
            resolve(m);
            return;
          }
        }
        seen = this.#received.length;
      };
      const timer = setTimeout(() => {
        done();
        reject(new BenchError('TRANSPORT_TIMEOUT', `[cloud] no ${what} within ${timeoutMs} ms (${this.#received.length} messages received)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
    });
  }

  /** Publish a command to a device and await its response (rejects with TIMEOUT). */
  async command(deviceId: string, command: Omit<CloudCommand, 'id'> & { id?: string }, timeoutMs = 10_000): Promise<CloudResponse> {
    const id = command.id ?? randomUUID();
    const topics = cloudTopics(this.prefix, deviceId);
    const answer = this.waitFor((m) => m.topic === topics.response && (m.payload as { requestId?: unknown }).requestId === id, timeoutMs, `answer to ${command.command} (${id}) from ${deviceId}`);
    await this.#client.publishAsync(topics.request, JSON.stringify({ ...command, id }), { qos: 1 });
    return (await answer).payload as CloudResponse;
  }

  /** Publish raw bytes to a topic (malformed-command tests). */
  async publish(topic: string, payload: string): Promise<void> {
    await this.#client.publishAsync(topic, payload, { qos: 1 });
  }

  /** Disconnect. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#client.endAsync();
  }

  #onMessage(topic: string, buf: Buffer): void {
    let payload: unknown;
    let invalid: string | null;
    try {
      payload = JSON.parse(buf.toString('utf8'));
      invalid = schemaProblem(topic, payload);
    } catch {
      payload = buf.toString('utf8');
      invalid = 'not JSON';
    }
    const m = { n: this.#counted++, topic, payload, invalid, atWallMs: Date.now() };
    this.#listener?.(m);
    this.#received.push(m);
    if (this.#received.length > this.#keep) this.#received.shift();
    for (const w of [...this.#waiters]) w();
  }
}

/** Which schema a topic's payload must meet, and what is wrong with it (null when valid or not ours). */
export function schemaProblem(topic: string, payload: unknown): string | null {
  const schema = topic.endsWith('/telemetry') ? telemetrySchema : topic.endsWith('/event') ? eventSchema : topic.endsWith('/res') ? responseSchema : null;
  if (!schema) return null;
  const r = schema.safeParse(payload);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `${i.path.join('.') || '(root)'}: ${i.message}`;
}

export type { DeviceMessage };
