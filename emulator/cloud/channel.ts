import type { z } from 'zod';
// The router's cloud channel: one MQTT connection per device that reports telemetry on the virtual clock,
// raises events when the state crosses a line, and answers commands. Reconnects with jittered backoff and keeps
// a bounded offline queue (oldest dropped first, counted), so a receiver can account for every sequence number.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { BenchError } from '../../hil/errors.js';
import type { TimerHandle } from '../clock/virtual-clock.js';
import type { Journal } from '../instrument/journal.js';
import { maskParams } from '../instrument/journal.js';
import type { DeviceApi } from '../state/device-api.js';
import { onlineStations } from '../state/derive.js';
import { SeededRandom } from '../state/identity.js';
import { CommandError, runCommand } from './commands.js';
import { GARBAGE_TEXT, type RuleHit, type Rules } from '../instrument/rules.js';
import { brokerConnectOptions, CLOUD_SCHEMA_VERSION, cloudTopics, commandSchema, TOPIC_LEVEL, type BrokerOptions, type CloudEventKind, type CloudTopics } from './messages.js';
import { batteryLow, dataWarning, fotaPercent, telemetryData, usedPercent } from './telemetry.js';

/** How to reach the broker (what `--mqtt URL` and friends turn into), and the keepalive. */
export interface ChannelBrokerOptions extends BrokerOptions {
  /** Keepalive seconds (default 60; long keepalives keep a fleet cheap, load-and-fleet.md §3.4). */
  keepaliveS?: number;
}

export interface CloudChannelOptions extends ChannelBrokerOptions {
  /** The device's rules (instrument/rules.ts): targeted faults and answer overrides on commands. */
  rules?: Rules | undefined;
  /** First topic level after dt/ and cmd/ (default "routerlab"). */
  topicPrefix?: string;
  /** Virtual ms between telemetry messages (default 10000). */
  telemetryIntervalMs?: number;
  /** Virtual ms before the first telemetry; default a seeded offset within one interval, so a fleet spreads. */
  telemetryOffsetMs?: number;
  /** QoS for telemetry (default 1); events and command responses always use QoS 1. */
  telemetryQos?: 0 | 1;
  /** Messages kept while offline (default 1000); past it the oldest is dropped and counted. */
  queueLimit?: number;
  /** Reconnect backoff in wall ms: min * 2^attempt up to max, times a jitter in [0.5, 1.5). Default 500/30000. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Wall ms to wait for CONNACK (default 10000). */
  connectTimeoutMs?: number;
  /** Where cloud commands are recorded (surface 'cloud'). */
  journal?: Journal;
  /** Connection problems, one line each (default: stderr). */
  log?: (line: string) => void;
}

export interface CloudStatus {
  deviceId: string;
  url: string;
  connected: boolean;
  /** Messages made so far (the last seq). */
  seq: number;
  /** Messages the broker acknowledged (QoS 1) or that were written to it (QoS 0). */
  sent: number;
  /** Waiting for a connection (bounded by queueLimit). */
  queued: number;
  /** Handed to the connection, not yet acknowledged. */
  inflight: number;
  dropped: number;
  reconnects: number;
  commands: number;
  topics: CloudTopics;
}

interface Outgoing {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1;
}

/** The parts of a state that raise an event when they change. */
interface Watched {
  roaming: boolean;
  batteryLow: boolean;
  warning: boolean;
  limitReached: boolean;
  stations: string;
  fota: string;
  account: string | null;
}

export class CloudChannel {
  readonly device: DeviceApi;
  readonly topics: CloudTopics;
  readonly #options: CloudChannelOptions;
  readonly #rng: SeededRandom;
  readonly #queue: Outgoing[] = [];
  /** Handed to the connection but not yet acknowledged; put back at the head of the queue if it drops. */
  readonly #inflight = new Map<number, Outgoing>();
  readonly #queueLimit: number;
  #client: MqttClient | null = null;
  #connected = false;
  #closed = false;
  #seq = 0;
  #sent = 0;
  #dropped = 0;
  #reconnects = 0;
  #attempt = 0;
  #commands = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #telemetry: TimerHandle | undefined;
  #first: TimerHandle | undefined;
  #offs: (() => void)[] = [];
  #watched: Watched;
  #firstConnect: Promise<void>;
  #resolveFirst!: () => void;

  constructor(device: DeviceApi, options: CloudChannelOptions) {
    const prefix = options.topicPrefix ?? 'routerlab';
    if (!TOPIC_LEVEL.test(prefix)) throw new BenchError('CONFIG_INVALID', `[cloud] topic prefix "${prefix}" must be lowercase letters, digits and dashes`);
    if (!TOPIC_LEVEL.test(device.state.id)) throw new BenchError('CONFIG_INVALID', `[cloud] device id "${device.state.id}" cannot be a topic level (lowercase letters, digits, dashes)`);
    if (!/^(mqtts?|wss?):\/\//.test(options.url)) throw new BenchError('CONFIG_INVALID', `[cloud] broker URL "${options.url}" must start with mqtt://, mqtts://, ws:// or wss://`);
    this.device = device;
    this.#options = options;
    this.topics = cloudTopics(prefix, device.state.id);
    this.#rng = new SeededRandom(device.state.seed ^ 0xc10d);
    this.#queueLimit = options.queueLimit ?? 1000;
    this.#watched = this.#watch();
    this.#firstConnect = new Promise((resolve) => (this.#resolveFirst = resolve));
  }

  /** Connect and start reporting. Resolves once the first connection is up (telemetry runs regardless). */
  start(): Promise<void> {
    if (this.#client) return this.#firstConnect;
    const d = this.device;
    const interval = this.#options.telemetryIntervalMs ?? 10_000;
    if (!Number.isInteger(interval) || interval < 100) throw new BenchError('CONFIG_INVALID', `[cloud] telemetry interval must be at least 100 ms, got ${interval}`);
    const offset = this.#options.telemetryOffsetMs ?? this.#rng.int(interval);
    this.#first = d.clock.after(offset, () => {
      this.#publishTelemetry();
      this.#telemetry = d.clock.every(interval, () => this.#publishTelemetry());
    });
    this.#offs.push(
      d.on('changed', () => this.#onChange()),
      // One event per message, once its last part is in (the device stores parts one by one).
      d.on('sms-received', (m) => {
        if (m.parts.length >= m.concatTotal) this.#event('sms-received', { id: m.id, number: m.number, time: m.timeMs, store: m.store });
      }),
      d.on('reboot', () => this.#event('reboot', { reason: d.state.system.offReason || 'reboot' })),
    );
    this.#client = this.#connect();
    return this.#firstConnect;
  }

  status(): CloudStatus {
    return {
      deviceId: this.device.state.id,
      url: this.#options.url,
      connected: this.#connected,
      seq: this.#seq,
      sent: this.#sent,
      queued: this.#queue.length,
      inflight: this.#inflight.size,
      dropped: this.#dropped,
      reconnects: this.#reconnects,
      commands: this.#commands,
      topics: this.topics,
    };
  }

  /** Stop reporting, send what is queued if connected, and disconnect cleanly. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#first?.cancel();
    this.#telemetry?.cancel();
    for (const off of this.#offs.splice(0)) off();
    const client = this.#client;
    this.#client = null;
    if (client) await client.endAsync(!this.#connected);
    this.#connected = false;
  }

  // --- connection ---

  #connect(): MqttClient {
    const o = this.#options;
    const options: IClientOptions = {
      ...brokerConnectOptions(o),
      clientId: `${this.topics.telemetry.split('/')[1]}-${this.device.state.id}`,
      keepalive: o.keepaliveS ?? 60,
      clean: true,
      // Reconnects are ours (jittered backoff); MQTT.js's fixed period would make a fleet reconnect in step.
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      // Our bounded queue holds what is made while offline; MQTT.js must not queue a second copy.
      queueQoSZero: false,
    };
    const client = mqtt.connect(o.url, options);
    client.on('connect', () => {
      if (client !== this.#client) return;
      this.#connected = true;
      this.#attempt = 0;
      client.subscribe(this.topics.request, { qos: 1 }, (err) => {
        if (err && !this.#closed) this.#log(`subscribe to ${this.topics.request} failed: ${err.message}`);
      });
      this.#flush();
      this.#resolveFirst();
    });
    client.on('message', (topic, payload) => {
      if (client === this.#client && topic === this.topics.request) this.#onCommand(payload);
    });
    client.on('error', (err) => {
      if (!this.#closed && client === this.#client) this.#log(`${o.url}: ${err.message}`);
    });
    client.on('close', () => {
      if (client !== this.#client) return;
      this.#connected = false;
      if (this.#closed) return;
      this.#requeueInflight();
      this.#scheduleReconnect();
    });
    return client;
  }

  /** Messages the broker never acknowledged go back to the head of the queue, in sequence order. */
  #requeueInflight(): void {
    if (this.#inflight.size === 0) return;
    const back = [...this.#inflight.values()].sort((a, b) => a.seq - b.seq);
    this.#inflight.clear();
    this.#queue.unshift(...back);
    while (this.#queue.length > this.#queueLimit) {
      this.#queue.shift();
      this.#dropped++;
    }
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer || this.#closed) return;
    const min = this.#options.reconnectMinMs ?? 500;
    const max = this.#options.reconnectMaxMs ?? 30_000;
    const delay = Math.round(Math.min(max, min * 2 ** this.#attempt) * (0.5 + this.#rng.next()));
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#closed) return;
      this.#reconnects++;
      // A fresh connection each time: what was in flight is back in our queue, so nothing rides on the
      // old client's store (which can hold a reconnect waiting on a packet of the dead connection).
      const old = this.#client;
      this.#client = this.#connect();
      old?.removeAllListeners('close');
      old?.end(true);
    }, delay);
    this.#reconnectTimer.unref();
  }

  #log(line: string): void {
    (this.#options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`[cloud ${this.device.state.id}] ${line}`);
  }

  // --- outgoing ---

  #envelope(type: string): { v: number; deviceId: string; seq: number; ts: number; type: string } {
    return { v: CLOUD_SCHEMA_VERSION, deviceId: this.device.state.id, seq: ++this.#seq, ts: this.device.now(), type };
  }

  #send(topic: string, message: { seq: number; [k: string]: unknown }, qos: 0 | 1): void {
    const out: Outgoing = { seq: message.seq, topic, payload: JSON.stringify(message), qos };
    if (this.#connected && this.#queue.length === 0) {
      this.#write(out);
      return;
    }
    this.#queue.push(out);
    if (this.#queue.length > this.#queueLimit) {
      this.#queue.shift();
      this.#dropped++;
    }
  }

  #write(out: Outgoing): void {
    const client = this.#client!;
    this.#inflight.set(out.seq, out);
    client.publish(out.topic, out.payload, { qos: out.qos }, (err) => {
      // Acknowledged (QoS 1) or written (QoS 0) on the current connection: delivered to the broker.
      if (err || client !== this.#client || this.#inflight.get(out.seq) !== out) return;
      this.#inflight.delete(out.seq);
      this.#sent++;
    });
  }

  #flush(): void {
    while (this.#connected && this.#queue.length > 0) this.#write(this.#queue.shift()!);
  }

  #publishTelemetry(): void {
    if (!this.device.power.isUp()) return; // an off or rebooting router reports nothing
    const message = { ...this.#envelope('telemetry'), data: telemetryData(this.device.state, this.device.profile.model, this.device.now(), this.#dropped) };
    this.#send(this.topics.telemetry, message, this.#options.telemetryQos ?? 1);
  }

  #event(event: CloudEventKind, data: Record<string, unknown>): void {
    this.#send(this.topics.event, { ...this.#envelope('event'), event, data }, 1);
  }

  // --- events from state changes ---

  #watch(): Watched {
    const s = this.device.state;
    const used = usedPercent(s);
    return {
      roaming: s.radio.registration === 'roaming',
      batteryLow: batteryLow(s),
      warning: dataWarning(s),
      limitReached: used !== null && used >= 100,
      stations: onlineStations(s).map((x) => x.mac).join(','),
      fota: `${s.fota.upgradeState}:${Math.floor(fotaPercent(s) / 10)}`,
      account: s.cloud.account,
    };
  }

  #onChange(): void {
    const before = this.#watched;
    const now = this.#watch();
    this.#watched = now;
    const s = this.device.state;
    if (now.roaming !== before.roaming) this.#event('roaming-changed', { roaming: now.roaming, operator: s.radio.operator.longName });
    if (now.batteryLow && !before.batteryLow) this.#event('battery-low', { percent: s.battery.percent });
    if (now.warning && !before.warning) this.#event('data-warning', { usedPercent: usedPercent(s), alertPercent: s.dataLimit.alertPercent });
    if (now.limitReached && !before.limitReached) this.#event('data-limit-reached', { usedPercent: usedPercent(s), alertPercent: s.dataLimit.alertPercent });
    if (now.stations !== before.stations) {
      const was = new Set(before.stations.split(',').filter(Boolean));
      const is = new Set(now.stations.split(',').filter(Boolean));
      for (const st of s.stations) {
        if (is.has(st.mac) && !was.has(st.mac)) this.#event('station-joined', { mac: st.mac, hostname: st.hostname });
        if (was.has(st.mac) && !is.has(st.mac)) this.#event('station-left', { mac: st.mac, hostname: st.hostname });
      }
    }
    if (now.fota !== before.fota && s.fota.upgradeState !== 'idle' && s.fota.upgradeState !== 'checking') {
      this.#event('fota-progress', { state: s.fota.upgradeState, percent: fotaPercent(s), version: s.fota.available?.version ?? s.fota.currentVersion });
    }
    if (now.account !== before.account) {
      if (now.account !== null) this.#event('bound', { account: now.account });
      else this.#event('unbound', { account: before.account });
    }
  }

  // --- commands ---

  #onCommand(payload: Buffer): void {
    this.#commands++;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#respond('', '', { code: 'INVALID_COMMAND', message: 'the payload is not JSON' });
      return;
    }
    const requestId = typeof json === 'object' && json !== null && typeof (json as { id?: unknown }).id === 'string' ? (json as { id: string }).id : '';
    const name = typeof json === 'object' && json !== null && typeof (json as { command?: unknown }).command === 'string' ? (json as { command: string }).command : '';
    const parsed = commandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'command';
      this.#respond(requestId, name, { code: 'INVALID_COMMAND', message: `${where}: ${issue?.message ?? 'invalid'}` });
      return;
    }
    const command = parsed.data;
    const rules = this.#options.rules;
    const hit = rules?.has('cloud') ? rules.hit('cloud', command.command, () => flatArgs(command.args), 'cloud') : null;
    if (hit && hit.delayMs > 0) {
      const t = setTimeout(() => this.#ruled(hit, command), hit.delayMs);
      t.unref();
      return;
    }
    if (hit) return this.#ruled(hit, command);
    this.#run(command);
  }

  #run(command: CloudCommand, change?: (result: unknown) => unknown): void {
    try {
      const result = runCommand(this.device, command, this.#dropped);
      this.#respond(command.id, command.command, undefined, change ? change(result) : result, command.args);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      this.#respond(command.id, command.command, { code: e.code, message: e.message }, undefined, command.args);
    }
  }

  /**
   * A command under a rule: error answers ok:false with the rule's code (RULE_ERROR by default) and is not carried out;
   * drop and hang carry nothing out and answer nothing; latency answers after it (wall ms); answer replaces the
   * result; patch changes fields of it; garbage publishes bytes that are not JSON on the response topic.
   */
  #ruled(hit: RuleHit, command: CloudCommand): void {
    const a = hit.action;
    const tag = ` (rule ${hit.id}: ${a.kind})`;
    const journal = (response: string): void => this.#options.journal?.add(this.device.state.id, 'cloud', 'command', command.command, maskParams(Object.entries(flatArgs(command.args))), `${response}${tag}`, this.device.now(), Date.now(), 'cloud');
    switch (a.kind) {
      case 'error':
        this.#respond(command.id, command.command, { code: a.code === undefined ? 'RULE_ERROR' : String(a.code), message: a.message ?? `refused by rule ${hit.id}` }, undefined, command.args);
        return;
      case 'drop':
      case 'hang':
        journal('no answer');
        return;
      case 'latency': {
        const t = setTimeout(() => this.#run(command), a.ms);
        t.unref();
        return;
      }
      case 'answer':
        this.#respond(command.id, command.command, undefined, a.body, command.args);
        return;
      case 'patch':
        this.#run(command, (result) => (result !== null && typeof result === 'object' && !Array.isArray(result) ? { ...(result), ...a.fields } : result));
        return;
      case 'garbage':
        journal('garbage');
        // Not JSON and not in the envelope: what a broken firmware build publishes. Written once, not queued.
        if (this.#connected) this.#client?.publish(this.topics.response, GARBAGE_TEXT, { qos: 0 });
        return;
      case 'slow-body':
        // Refused when the rule was added (a cloud rule cannot slow-body); carried out as is should one get here.
        this.#run(command);
    }
  }

  #respond(requestId: string, command: string, error: { code: string; message: string } | undefined, result?: unknown, args?: object): void {
    const message = { ...this.#envelope('response'), requestId, command, ok: error === undefined, ...(error ? { error } : { result: result ?? null }) };
    const journal = this.#options.journal;
    if (journal) {
      const params: [string, string][] = [['id', requestId], ...Object.entries(args ?? {}).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])];
      journal.add(this.device.state.id, 'cloud', 'command', command || '(invalid)', maskParams(params), error ? `error ${error.code}` : 'ok', this.device.now(), Date.now(), 'cloud');
    }
    this.#send(this.topics.response, message, 1);
  }
}

type CloudCommand = z.infer<typeof commandSchema>;

/** A command's arguments one level flattened (wifi.ssid), as rules and the journal match them. */
function flatArgs(args: object | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args ?? {})) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v as object)) out[`${k}.${k2}`] = typeof v2 === 'string' ? v2 : JSON.stringify(v2);
    else out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
