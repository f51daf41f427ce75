import mqtt, { type MqttClient } from 'mqtt';
import { MSG, decodeMsg, decodeRecord, msgRecord, type UspMsg } from '../../emulator/usp/records.js';
import { BenchError } from '../errors.js';

// A TR-369 Controller over MQTT 5 (device-management.md §3): what a scenario, the fleet test and the bench use to
// talk to USP Agents, the emulator's or a real router's. It learns each agent's topic from its MQTT connect Record
// and from the Response Topic of what it publishes, answers NotifyResp when asked, and keeps the notifications.

export interface UspControllerOptions {
  /** mqtt://host:port of the MQTT 5 broker. */
  url: string;
  /** This controller's Endpoint ID (default usp-js's `proto::interop-usp-controller`, what agents know by default). */
  endpointId?: string;
  /** The topic it subscribes to, the agents' Controller topic (default `/usp/controller`). */
  topic?: string;
  username?: string;
  password?: string;
  /** Wall ms to wait for a response (default 10000). */
  timeoutMs?: number;
}

export interface UspNotification {
  from: string;
  subscriptionId: string;
  /** event, value_change, obj_creation, obj_deletion, oper_complete or on_board_req. */
  type: string;
  body: Record<string, unknown>;
}

/** An Error message from the agent (its err_code and err_msg). */
export class UspError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly paramErrors: { param_path: string; err_code: number; err_msg: string }[] = [],
  ) {
    super(`USP error ${code}: ${message}`);
  }
}

/** Notifications kept, at most (oldest dropped). */
const MAX_NOTIFICATIONS = 100_000;

export class UspController {
  readonly endpointId: string;
  readonly topic: string;
  /** Each agent's topic, by Endpoint ID, as learned. */
  readonly agents = new Map<string, string>();
  readonly notifications: UspNotification[] = [];
  #client: MqttClient;
  #seq = 0;
  #timeoutMs: number;
  #waiting = new Map<string, { resolve(m: UspMsg): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  #listeners = new Set<(n: UspNotification) => void>();

  private constructor(client: MqttClient, endpointId: string, topic: string, timeoutMs: number) {
    this.#client = client;
    this.endpointId = endpointId;
    this.topic = topic;
    this.#timeoutMs = timeoutMs;
    client.on('message', (_t, payload, packet) => this.#receive(payload, packet.properties?.responseTopic));
  }

  static async connect(options: UspControllerOptions): Promise<UspController> {
    if (!/^mqtts?:\/\//i.test(options.url)) throw new BenchError('CONFIG_INVALID', `[usp] the broker must be mqtt(s)://..., got ${options.url}`);
    const endpointId = options.endpointId ?? 'proto::interop-usp-controller';
    const topic = options.topic ?? '/usp/controller';
    const client = await mqtt.connectAsync(options.url, {
      protocolVersion: 5,
      clientId: `ctl-${endpointId.replace(/[^A-Za-z0-9]/g, '').slice(-16)}-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return new UspController(client, endpointId, topic, options.timeoutMs ?? 10_000);
  }

  /** Call `listener` on every notification from now on; returns the unsubscribe. */
  onNotify(listener: (n: UspNotification) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first kept or coming notification that matches, within `timeoutMs` wall ms. */
  waitForNotification(match: (n: UspNotification) => boolean, timeoutMs = this.#timeoutMs): Promise<UspNotification> {
    const kept = this.notifications.find(match);
    if (kept) return Promise.resolve(kept);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new BenchError('TRANSPORT_TIMEOUT', `[usp] no matching notification within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onNotify((n) => {
        if (!match(n)) return;
        clearTimeout(timer);
        off();
        resolve(n);
      });
    });
  }

  /** Every parameter the paths name, flattened to full names. */
  async get(toId: string, paths: string[]): Promise<Record<string, string>> {
    const r = (await this.request(toId, MSG.GET, 'get', { param_paths: paths })) as { get_resp?: { req_path_results?: { requested_path?: string; err_code?: number; err_msg?: string; resolved_path_results?: { resolved_path?: string; result_params?: Record<string, string> }[] }[] } };
    const out: Record<string, string> = {};
    for (const p of r.get_resp?.req_path_results ?? []) {
      if (p.err_code) throw new UspError(p.err_code, `${p.requested_path ?? ''}: ${p.err_msg ?? ''}`);
      for (const res of p.resolved_path_results ?? []) for (const [k, v] of Object.entries(res.result_params ?? {})) out[`${res.resolved_path ?? ''}${k}`] = v;
    }
    return out;
  }

  async set(toId: string, objPath: string, params: Record<string, string>, allowPartial = false): Promise<unknown> {
    return this.request(toId, MSG.SET, 'set', { allow_partial: allowPartial, update_objs: [{ obj_path: objPath, param_settings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] });
  }

  /** Add an instance; resolves to its path. */
  async add(toId: string, objPath: string, params: Record<string, string> = {}): Promise<string> {
    const r = (await this.request(toId, MSG.ADD, 'add', { allow_partial: false, create_objs: [{ obj_path: objPath, param_settings: Object.entries(params).map(([param, value]) => ({ param, value, required: true })) }] })) as { add_resp?: { created_obj_results?: { oper_status?: { oper_success?: { instantiated_path?: string }; oper_failure?: { err_code?: number; err_msg?: string } } }[] } };
    const status = r.add_resp?.created_obj_results?.[0]?.oper_status;
    if (!status?.oper_success?.instantiated_path) throw new UspError(status?.oper_failure?.err_code ?? 7000, status?.oper_failure?.err_msg ?? 'not created');
    return status.oper_success.instantiated_path;
  }

  async delete(toId: string, objPaths: string[]): Promise<unknown> {
    return this.request(toId, MSG.DELETE, 'delete', { allow_partial: false, obj_paths: objPaths });
  }

  /** Run a command; resolves to the OperateResp's first result (output args, or the Request path of an async one). */
  async operate(toId: string, command: string, inputArgs: Record<string, string> = {}, commandKey = ''): Promise<Record<string, unknown>> {
    const r = (await this.request(toId, MSG.OPERATE, 'operate', { command, command_key: commandKey, send_resp: true, input_args: inputArgs })) as { operate_resp?: { operation_results?: Record<string, unknown>[] } };
    const first = r.operate_resp?.operation_results?.[0] ?? {};
    const failure = first.cmd_failure as { err_code?: number; err_msg?: string } | undefined;
    if (failure) throw new UspError(failure.err_code ?? 7022, failure.err_msg ?? 'command failure');
    return first;
  }

  /** Add a subscription in Device.LocalAgent.Subscription.; resolves to its path. */
  async subscribe(toId: string, sub: { id: string; notifType: string; referenceList: string[]; notifRetry?: boolean }): Promise<string> {
    return this.add(toId, 'Device.LocalAgent.Subscription.', { ID: sub.id, Enable: 'true', NotifType: sub.notifType, ReferenceList: sub.referenceList.join(','), NotifRetry: String(sub.notifRetry ?? false), Persistent: 'false' });
  }

  /** Send one request Msg; resolves to its response body, throws UspError on an Error message. */
  request(toId: string, type: number, field: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const topic = this.agents.get(toId);
    if (!topic) return Promise.reject(new BenchError('INVALID_ARGUMENT', `[usp] the topic of agent ${toId} is not known yet (it has not connected or published); give it with learnAgent()`));
    const id = `${field}-${++this.#seq}`;
    const msg: UspMsg = { header: { msg_id: id, msg_type: type }, body: { request: { [field]: body } } };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new BenchError('TRANSPORT_TIMEOUT', `[usp] no answer from ${toId} to ${field} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#waiting.set(id, {
        resolve: (m) => (m.body?.error ? reject(new UspError(m.body.error.err_code ?? 7000, m.body.error.err_msg ?? '', m.body.error.param_errs)) : resolve(m.body?.response ?? {})),
        reject,
        timer,
      });
      this.#client.publish(topic, Buffer.from(msgRecord('1.4', toId, this.endpointId, msg)), { qos: 1, properties: { responseTopic: this.topic, contentType: 'usp.msg' } });
    });
  }

  /** Tell the controller an agent's topic (an agent that has not connected since the controller did). */
  learnAgent(endpointId: string, topic: string): void {
    this.agents.set(endpointId, topic);
  }

  async close(): Promise<void> {
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      w.reject(new BenchError('TRANSPORT_CLOSED', `[usp] controller closed while ${id} was waiting`));
    }
    this.#waiting.clear();
    await this.#client.endAsync();
  }

  #receive(payload: Buffer, responseTopic: string | undefined): void {
    let from: string;
    let msg: UspMsg;
    try {
      const record = decodeRecord(payload);
      if (record.to_id !== this.endpointId || !record.from_id) return;
      from = record.from_id;
      if (record.mqtt_connect?.subscribed_topic) this.agents.set(from, record.mqtt_connect.subscribed_topic);
      if (responseTopic) this.agents.set(from, responseTopic);
      if (!record.no_session_context?.payload) return;
      msg = decodeMsg(record.no_session_context.payload);
    } catch {
      return;
    }
    const id = msg.header?.msg_id ?? '';
    const waiting = this.#waiting.get(id);
    if (waiting) {
      this.#waiting.delete(id);
      clearTimeout(waiting.timer);
      waiting.resolve(msg);
      return;
    }
    const notify = msg.body?.request?.notify as (Record<string, unknown> & { subscription_id?: string; send_resp?: boolean }) | undefined;
    if (msg.header?.msg_type !== MSG.NOTIFY || !notify) return;
    const type = ['event', 'value_change', 'obj_creation', 'obj_deletion', 'oper_complete', 'on_board_req'].find((k) => k in notify) ?? 'unknown';
    const n: UspNotification = { from, subscriptionId: notify.subscription_id ?? '', type, body: (notify[type] as Record<string, unknown>) ?? {} };
    if (this.notifications.length >= MAX_NOTIFICATIONS) this.notifications.shift();
    this.notifications.push(n);
    for (const l of [...this.#listeners]) l(n);
    if (notify.send_resp) {
      const topic = this.agents.get(from);
      const answer: UspMsg = { header: { msg_id: id, msg_type: MSG.NOTIFY_RESP }, body: { response: { notify_resp: { subscription_id: n.subscriptionId } } } };
      if (topic) this.#client.publish(topic, Buffer.from(msgRecord('1.4', from, this.endpointId, answer)), { qos: 1, properties: { responseTopic: this.topic, contentType: 'usp.msg' } });
    }
  }
}
