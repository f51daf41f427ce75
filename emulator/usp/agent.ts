import type { VirtualClock } from '../clock/virtual-clock.js';
import { DataModel, type DmFault } from '../datamodel/data-model.js';
import type { DmContext } from '../datamodel/param-def.js';
import { PARAMS, TABLES, ouiOf } from '../datamodel/tr181.js';
import type { Journal } from '../instrument/journal.js';
import type { Rules } from '../instrument/rules.js';
import type { DeviceApi } from '../state/device-api.js';
import { Mqtt5Link, type LinkEvent } from './mqtt5-link.js';
import { MAX_RECORD_BYTES, MSG, RecordError, decodeMsg, decodeRecord, encodeRecord, msgRecord, type UspMsg, type UspRecord } from './records.js';

// One router as a TR-369 USP Agent over MQTT 5 (device-management.md §3): Records in, Msgs dispatched to the one
// TR-181 model (every write the device operation the other surfaces use), answers to the Response Topic. The agent's
// own objects (Device.LocalAgent.: EndpointID, Controller, Subscription) live here; Boot! and ValueChange
// notifications go to the subscriptions that ask for them.

export interface UspAgentOptions {
  /** The device's rules (instrument/rules.ts), looked up per message: a fleet's device keeps them while put away. */
  rules?: (() => Rules | null) | undefined;
  /** mqtt://host:port of an MQTT 5 broker (Mosquitto; aedes speaks 3.1.1 only). */
  brokerUrl: string;
  /** This agent's Endpoint ID (§3.4); default `os::<OUI>-<SerialNumber>`. */
  endpointId?: string | undefined;
  /** The topic the agent subscribes to and gives as its reply-to (default `/usp/endpoint`, usp-js's publish topic). */
  agentTopic?: string | undefined;
  /** The Controller the agent knows (default usp-js's `proto::interop-usp-controller` on `/usp/controller`, §3.6). */
  controller?: { endpointId: string; topic: string } | undefined;
  /** Publish the Endpoint ID retained on `obuspa/EndpointID` (usp-js finds its agent there, §3.6). Default false. */
  announceEndpointId?: boolean | undefined;
  username?: string | undefined;
  password?: string | undefined;
  clock: VirtualClock;
  journal?: Journal | null | undefined;
  /** Connect after this many wall ms (a fleet staggers connects). Default 0. */
  connectDelayMs?: number | undefined;
  /**
   * Send a Disconnect Record to the Controller before a clean stop (R-MTP.7 is a SHOULD). Default false: usp-js, the
   * controller on npm, throws from its message handler on one (device-management.md §3.6), which ends its process.
   */
  disconnectRecord?: boolean | undefined;
  /** Send an OnBoardRequest after the first connect and after a factory reset (§3.2 R-NOT.5), retried until answered. */
  onBoardRequest?: boolean | undefined;
  log?: ((line: string) => void) | undefined;
}

interface Subscription {
  instance: number;
  id: string;
  enable: boolean;
  notifType: string;
  referenceList: string[];
  recipient: string;
  notifRetry: boolean;
  persistent: boolean;
}

/** Virtual ms a self test takes. */
const SELF_TEST_MS = 5000;
const VERSIONS = '1.0,1.1,1.2,1.3,1.4';
const SHARED = new DataModel();
/** Synchronous commands, then asynchronous ones (device-management.md §3.2). */
export const SYNC_COMMANDS = ['Device.Reboot()', 'Device.FactoryReset()', 'Device.LocalAgent.Controller.1.SendOnBoardRequest()'];
export const ASYNC_COMMANDS = ['Device.SelfTestDiagnostics()'];
/** Subscription NotifTypes the agent accepts (TR-181 Device.LocalAgent.Subscription.{i}.NotifType). */
export const NOTIF_TYPES = ['ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'Event'];
/** Request messages the agent answers (anything else: Error 7001). */
export const REQUESTS = ['GET', 'SET', 'ADD', 'DELETE', 'OPERATE', 'GET_INSTANCES', 'GET_SUPPORTED_DM', 'GET_SUPPORTED_PROTO', 'NOTIFY_RESP'] as const;
/** Bounds per agent: Record size, notifications held while the broker is away (oldest dropped, counted), subscriptions, running commands. */
export const USP_LIMITS = { recordBytes: MAX_RECORD_BYTES, pendingNotifications: 100, subscriptions: 64, runningCommands: 16 };
const MAX_PENDING = USP_LIMITS.pendingNotifications;
/** Async requests (Device.LocalAgent.Request.) running at once, at most (§3.2 R-OPR.0); beyond, 7005. */
const MAX_REQUESTS = USP_LIMITS.runningCommands;
const COMMANDS = [...SYNC_COMMANDS, ...ASYNC_COMMANDS];

interface AsyncRequest {
  instance: number;
  originator: string;
  command: string;
  commandKey: string;
  status: 'Requested' | 'Active';
}

export interface UspStatus {
  connected: boolean;
  received: number;
  dropped: number;
  answered: number;
  notified: number;
}

export class UspAgent {
  readonly options: UspAgentOptions;
  readonly endpointId: string;
  /** The router's id in the journal, the same while the router is put away. */
  readonly #deviceId: string;
  #device: DeviceApi | null = null;
  /** How to wake a put-away device (a fleet sets it); null = the attached device only. */
  wake: (() => DeviceApi) | null = null;
  #link: Mqtt5Link | null = null;
  #starting: { resolve(): void; reject(e: Error): void } | null = null;
  #bootPending = false;
  #told = false;
  #subs: Subscription[] = [];
  #nextSub = 1;
  #values = new Map<string, string>();
  #check: { cancel(): void } | null = null;
  #off: (() => void)[] = [];
  #pending: Uint8Array[] = [];
  #seq = 0;
  #version = '1.4';
  #closed = false;
  #onBoardDue = false;
  #bootCause: { key: string; cause: string } = { key: '', cause: 'LocalReboot' };
  #status: UspStatus = { connected: false, received: 0, dropped: 0, answered: 0, notified: 0 };
  #requests: AsyncRequest[] = [];
  #nextRequest = 1;
  /** The OnBoardRequest awaiting its NotifyResp: msg id, retry count and timer. */
  #onBoard: { msgId: string; tries: number; timer: { cancel(): void } | null } | null = null;
  #onBoardingComplete = false;

  constructor(device: DeviceApi, options: UspAgentOptions) {
    this.options = options;
    const c: DmContext = { device, state: device.state, nowMs: options.clock.now(), connectionRequestUrl: '' };
    this.endpointId = options.endpointId ?? `os::${ouiOf(c)}-${device.state.identity.serialNumber}`;
    this.#deviceId = device.state.id;
    // Factory default: the Controller's Boot! subscription (obuspa ships one the same way), so a boot is reported.
    this.#subs.push({ instance: this.#nextSub++, id: 'boot', enable: true, notifType: 'Event', referenceList: ['Device.Boot!'], recipient: 'Device.LocalAgent.Controller.1', notifRetry: false, persistent: true });
    this.#onBoardDue = options.onBoardRequest === true;
    this.attach(device);
  }

  /** The device is awake: follow its reboots and changes. Its subscriptions and connection stay the agent's. */
  attach(device: DeviceApi): void {
    this.detach();
    this.#device = device;
    this.#off.push(
      device.on('reboot', () => this.#down()),
      device.on('boot', () => this.#connect()),
      device.on('changed', () => this.#changed()),
      device.on('factory-reset', () => {
        // Out of the box again: the Controller's own subscriptions go, the factory Boot! one stays (§3.5).
        this.#subs = this.#subs.filter((s) => s.id === 'boot');
        this.#onBoardingComplete = false;
        if (this.options.onBoardRequest) this.#onBoardDue = true;
      }),
    );
  }

  /** The device is put away (a fleet): requests wake it through `wake`. */
  detach(): void {
    for (const off of this.#off.splice(0)) off();
    this.#device = null;
  }

  #dev(): DeviceApi {
    const d = this.#device ?? this.wake?.();
    if (!d) throw new RecordError('the device is not available');
    return d;
  }

  get controller(): { endpointId: string; topic: string } {
    return this.options.controller ?? { endpointId: 'proto::interop-usp-controller', topic: '/usp/controller' };
  }

  get agentTopic(): string {
    return this.options.agentTopic ?? '/usp/endpoint';
  }

  status(): UspStatus {
    return { ...this.#status };
  }

  /** Connect to the broker; resolves once connected (connect Record and Boot! sent), rejects on the first failure. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#starting = { resolve, reject };
      if (this.options.connectDelayMs) setTimeout(() => this.#connect(), this.options.connectDelayMs).unref();
      else this.#connect();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#check?.cancel();
    this.#onBoard?.timer?.cancel();
    this.#onBoard = null;
    for (const off of this.#off.splice(0)) off();
    const link = this.#link;
    this.#link = null;
    this.#starting?.reject(new RecordError('the agent was closed before it connected'));
    this.#starting = null;
    if (link) {
      // §3.1: a Disconnect Record before leaving (SHOULD, R-MTP.7), when asked (see the option).
      if (this.options.disconnectRecord) link.publish(this.controller.topic, Buffer.from(encodeRecord({ version: this.#version, to_id: this.controller.endpointId, from_id: this.endpointId, disconnect: { reason: 'agent stopping', reason_code: 0 } })));
      await link.end();
    }
  }

  // --- connection ---

  #connect(): void {
    if (this.#closed || (this.#device && !this.#device.power.isUp())) return;
    if (this.#link) {
      // A boot: the same link connects again (a new MQTT session), and Boot! follows the connect.
      this.#bootPending = true;
      this.#link.reconnect();
      return;
    }
    this.#bootPending = true;
    this.#link = new Mqtt5Link(
      {
        url: this.options.brokerUrl,
        clientId: this.endpointId.replace(/[^A-Za-z0-9:._-]/g, '_').slice(0, 64),
        username: this.options.username,
        password: this.options.password,
        keepaliveS: 60,
        reconnectMs: 2000 + (hash(this.endpointId) % 3000),
        // §3.3 CONNECT: Request Response Information and the usp-endpoint-id user property; Maximum Packet Size so
        // the broker does not deliver more than the agent reads.
        properties: { requestResponseInformation: true, maximumPacketSize: MAX_RECORD_BYTES + 1024, userProperties: { 'usp-endpoint-id': this.endpointId } },
      },
      (e) => this.#linkEvent(e),
    );
  }

  #linkEvent(e: LinkEvent): void {
    switch (e.kind) {
      case 'connect':
        this.#told = false;
        return this.#connected();
      case 'close':
        this.#status.connected = false;
        return;
      case 'error':
        // One line per outage, not one per retry.
        if (!this.#told) this.options.log?.(`[emulator:usp] ${this.endpointId}: ${e.message} (retrying)`);
        this.#told = true;
        this.#starting?.reject(new RecordError(`[emulator:usp] ${this.endpointId}: ${e.message}`));
        this.#starting = null;
        return;
      case 'message':
        return this.#receive(e.payload, e.responseTopic);
    }
  }

  #connected(): void {
    const link = this.#link!;
    this.#status.connected = true;
    link.subscribe(this.agentTopic, 1);
    // §3.1: the MQTT connect Record to the Controller first, after every (re)connect (R-MTP.6/8).
    this.#publish(this.controller.topic, encodeRecord({ version: this.#version, to_id: this.controller.endpointId, from_id: this.endpointId, mqtt_connect: { version: 1, subscribed_topic: this.agentTopic } }));
    if (this.options.announceEndpointId) link.publish('obuspa/EndpointID', Buffer.from(this.endpointId), { retain: true, qos: 1 });
    for (const p of this.#pending.splice(0)) this.#publish(this.controller.topic, p);
    if (this.#bootPending) {
      this.#bootPending = false;
      this.#notifyBoot();
    }
    if (this.#onBoardDue) this.#sendOnBoard();
    this.#starting?.resolve();
    this.#starting = null;
  }

  #down(): void {
    // The router is going down: its MQTT connection goes with it (no DISCONNECT: the power is gone); the boot
    // connects again and reports Boot!.
    this.#link?.drop();
    this.#link?.end().catch(() => undefined);
    this.#link = null;
    this.#status.connected = false;
  }

  #publish(topic: string, bytes: Uint8Array): void {
    const link = this.#link;
    // §3.3: the reply-to topic in Response Topic, Content Type usp.msg, QoS 1.
    if (link?.publish(topic, Buffer.from(bytes), { qos: 1, responseTopic: this.agentTopic, contentType: 'usp.msg' })) return;
    if (link?.connected) return; // written, only buffered by the socket
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      this.#status.dropped++;
    }
    this.#pending.push(bytes);
  }

  // --- records in ---

  #receive(payload: Buffer, responseTopic: string | undefined): void {
    this.#status.received++;
    if (payload.length > MAX_RECORD_BYTES) {
      this.#status.dropped++;
      this.#journal('record', 'dropped', {}, `${payload.length} bytes (at most ${MAX_RECORD_BYTES})`);
      return;
    }
    let record: UspRecord;
    let msg: UspMsg;
    try {
      record = decodeRecord(payload);
      // obuspa's rule (§3.1): a Record not for this agent, or from an unknown Controller, is ignored.
      if (record.to_id !== this.endpointId || !record.from_id) throw new RecordError(`a Record for ${record.to_id ?? '?'} from ${record.from_id ?? '?'}`);
      if (record.disconnect || record.mqtt_connect) return;
      const payloadBytes = record.no_session_context?.payload;
      if (!payloadBytes) throw new RecordError('no no_session_context payload (session contexts are not supported)');
      msg = decodeMsg(payloadBytes);
    } catch (e) {
      // A broken Record is dropped: an Error needs a sender, a msg id and a return path (R-MTP.5).
      this.#status.dropped++;
      this.#journal('record', 'dropped', {}, e instanceof Error ? e.message : String(e));
      return;
    }
    if (record.version && /^1\.[0-4]$/.test(record.version)) this.#version = record.version;
    const replyTo = responseTopic || this.controller.topic;
    const msgId = msg.header?.msg_id ?? '';
    // A rule may answer instead (an Error), answer nothing (drop, hang) or answer later (latency); else the dispatch.
    let ruled: UspMsg | null = null;
    let delayMs = 0;
    const rules = this.options.rules?.() ?? null;
    if (rules?.has('usp')) {
      const type = msg.header?.msg_type ?? -1;
      const name = Object.keys(MSG).find((k) => MSG[k as keyof typeof MSG] === type) ?? String(type);
      const req = (msg.body?.request)?.[name.toLowerCase()] as Record<string, unknown> | undefined;
      const hit = rules.hit('usp', name, () => ({ paths: requestPaths(req ?? {}).join(','), msg_id: msgId }), record.from_id);
      if (hit) {
        const a = hit.action;
        const tag = ` (rule ${hit.id}: ${a.kind})`;
        if (a.kind === 'drop' || a.kind === 'hang') {
          this.#journal('msg', name, { msg_id: msgId }, `no answer${tag}`);
          return;
        }
        delayMs = hit.delayMs + (a.kind === 'latency' ? a.ms : 0);
        if (a.kind === 'error') {
          const code = a.code ?? 7002;
          this.#journal('msg', name, { msg_id: msgId }, `error ${code}${tag}`);
          ruled = errorMsg(msgId, code, a.message ?? 'refused');
        }
      }
    }
    const from = record.from_id;
    const reply = (): void => {
      let answer = ruled;
      if (!answer) {
        try {
          answer = this.#dispatch(msg, from);
        } catch (e) {
          // Never let a request crash the agent: an internal error (7003) answered in USP's words.
          this.options.log?.(`[emulator:usp] ${this.endpointId}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
          answer = errorMsg(msgId, 7003, 'internal error');
        }
      }
      if (!answer) return;
      this.#status.answered++;
      this.#publish(replyTo, msgRecord(this.#version, from, this.endpointId, answer));
    };
    if (delayMs > 0) setTimeout(reply, delayMs).unref();
    else reply();
  }

  #dispatch(msg: UspMsg, from: string): UspMsg | null {
    const id = msg.header?.msg_id ?? '';
    const type = msg.header?.msg_type ?? -1;
    const req = msg.body?.request ?? {};
    // The device only for messages that read or write it: a NotifyResp must not wake a put-away router.
    const c = (): DmContext => this.#ctx();
    const name = Object.keys(MSG).find((k) => MSG[k as keyof typeof MSG] === type) ?? String(type);
    switch (type) {
      case MSG.GET:
        return this.#logged(name, id, this.#get(id, req.get as { param_paths?: string[] }, c()), req.get as Record<string, unknown>);
      case MSG.SET:
        return this.#logged(name, id, this.#set(id, req.set as SetReq, c()), req.set as Record<string, unknown>);
      case MSG.ADD:
        return this.#logged(name, id, this.#add(id, req.add as AddReq, c(), from), req.add as Record<string, unknown>);
      case MSG.DELETE:
        return this.#logged(name, id, this.#delete(id, req.delete as { obj_paths?: string[]; allow_partial?: boolean }, c()), req.delete as Record<string, unknown>);
      case MSG.OPERATE: {
        const answer = this.#operate(id, req.operate as { command?: string; command_key?: string; send_resp?: boolean }, from);
        return answer ? this.#logged(name, id, answer, req.operate as Record<string, unknown>) : null;
      }
      case MSG.GET_INSTANCES:
        return this.#logged(name, id, this.#instances(id, req.get_instances as { obj_paths?: string[]; first_level_only?: boolean }, c()), req.get_instances as Record<string, unknown>);
      case MSG.GET_SUPPORTED_DM:
        return this.#logged(name, id, this.#supported(id, req.get_supported_dm as { obj_paths?: string[]; first_level_only?: boolean }), req.get_supported_dm as Record<string, unknown>);
      case MSG.GET_SUPPORTED_PROTO:
        return this.#logged(name, id, resp(id, MSG.GET_SUPPORTED_PROTO_RESP, { get_supported_protocol_resp: { agent_supported_protocol_versions: VERSIONS } }));
      case MSG.NOTIFY_RESP:
        if (this.#onBoard && this.#onBoard.msgId === id) {
          // R-NOT.6: the OnBoardRequest is answered; the Controller has the Agent.
          this.#onBoard.timer?.cancel();
          this.#onBoard = null;
          this.#onBoardingComplete = true;
        }
        return null;
      default:
        return this.#logged(name, id, errorMsg(id, 7001, `message type ${name} is not supported`));
    }
  }

  #logged(name: string, id: string, answer: UspMsg, req: Record<string, unknown> = {}): UspMsg {
    const err = answer.body?.error;
    this.#journal('msg', name, { msg_id: id, paths: requestPaths(req).join(',') }, err ? `error ${err.err_code}` : 'ok');
    return answer;
  }

  #ctx(): DmContext {
    const device = this.#dev();
    return { device, state: device.state, nowMs: this.options.clock.now(), connectionRequestUrl: '' };
  }

  // --- the agent's own objects (Device.LocalAgent.) ---

  #localParams(): { name: string; value: string; writable: boolean }[] {
    const out = [
      { name: 'Device.LocalAgent.EndpointID', value: this.endpointId, writable: false },
      { name: 'Device.LocalAgent.SupportedProtocols', value: 'MQTT', writable: false },
      { name: 'Device.LocalAgent.SoftwareVersion', value: this.#dev().state.fota.currentVersion, writable: false },
      { name: 'Device.LocalAgent.SubscriptionNumberOfEntries', value: String(this.#subs.length), writable: false },
      { name: 'Device.LocalAgent.Controller.1.EndpointID', value: this.controller.endpointId, writable: false },
      { name: 'Device.LocalAgent.Controller.1.Enable', value: 'true', writable: false },
      { name: 'Device.LocalAgent.Controller.1.OnBoardingComplete', value: String(this.#onBoardingComplete), writable: false },
      { name: 'Device.LocalAgent.RequestNumberOfEntries', value: String(this.#requests.length), writable: false },
      { name: 'Device.LocalAgent.Controller.1.MTP.1.Protocol', value: 'MQTT', writable: false },
      { name: 'Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic', value: this.controller.topic, writable: false },
      { name: 'Device.LocalAgent.MTP.1.Protocol', value: 'MQTT', writable: false },
      { name: 'Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured', value: this.agentTopic, writable: false },
      { name: 'Device.MQTT.Client.1.BrokerAddress', value: new URL(this.options.brokerUrl).hostname, writable: false },
      { name: 'Device.MQTT.Client.1.ProtocolVersion', value: '5.0', writable: false },
      { name: 'Device.MQTT.Client.1.Status', value: this.#status.connected ? 'Connected' : 'Connecting', writable: false },
    ];
    for (const r of this.#requests) {
      const p = `Device.LocalAgent.Request.${r.instance}.`;
      out.push(
        { name: `${p}Originator`, value: r.originator, writable: false },
        { name: `${p}Command`, value: r.command, writable: false },
        { name: `${p}CommandKey`, value: r.commandKey, writable: false },
        { name: `${p}Status`, value: r.status, writable: false },
      );
    }
    for (const s of this.#subs) {
      const p = `Device.LocalAgent.Subscription.${s.instance}.`;
      out.push(
        { name: `${p}Enable`, value: String(s.enable), writable: true },
        { name: `${p}ID`, value: s.id, writable: true },
        { name: `${p}Recipient`, value: s.recipient, writable: false },
        { name: `${p}NotifType`, value: s.notifType, writable: true },
        { name: `${p}ReferenceList`, value: s.referenceList.join(','), writable: true },
        { name: `${p}NotifRetry`, value: String(s.notifRetry), writable: true },
        { name: `${p}Persistent`, value: String(s.persistent), writable: true },
      );
    }
    return out;
  }

  /** Every parameter now: the device's model and the agent's own objects. */
  #all(c: DmContext): { name: string; value: string }[] {
    return [...this.#localParams(), ...SHARED.names(c).map((p) => ({ name: p.name, value: SHARED.read(c, p.def, p.idx) }))];
  }

  // --- messages ---

  #get(id: string, req: { param_paths?: string[] } | undefined, c: DmContext): UspMsg {
    const all = this.#all(c);
    const results = (req?.param_paths ?? []).map((path) => {
      const re = pathRegex(path);
      if (!re) return { requested_path: path, err_code: 7008, err_msg: `path syntax: ${path}` };
      const hits = all.filter((p) => re.test(p.name));
      // §3.2 R-GET.0: an unknown path is 7026 inside its result; a search matching nothing is just empty.
      if (hits.length === 0 && !path.includes('*')) return { requested_path: path, err_code: 7026, err_msg: `invalid path: ${path}` };
      const byObject = new Map<string, Record<string, string>>();
      for (const h of hits) {
        const cut = h.name.lastIndexOf('.') + 1;
        const obj = h.name.slice(0, cut);
        const params = byObject.get(obj) ?? {};
        params[h.name.slice(cut)] = h.value;
        byObject.set(obj, params);
      }
      return { requested_path: path, resolved_path_results: [...byObject].map(([resolved_path, result_params]) => ({ resolved_path, result_params })) };
    });
    return resp(id, MSG.GET_RESP, { get_resp: { req_path_results: results } });
  }

  #set(id: string, req: SetReq | undefined, c: DmContext): UspMsg {
    const results: unknown[] = [];
    for (const obj of req?.update_objs ?? []) {
      const objects = this.#objects(obj.obj_path ?? '', c);
      if (objects.length === 0) {
        if (!req?.allow_partial) return errorMsg(id, 7016, `object does not exist: ${obj.obj_path ?? ''}`);
        results.push({ requested_path: obj.obj_path, oper_status: { oper_failure: { err_code: 7016, err_msg: 'object does not exist' } } });
        continue;
      }
      const inst: unknown[] = [];
      for (const o of objects) {
        const settings = obj.param_settings ?? [];
        const fault = o.startsWith('Device.LocalAgent.Subscription.') ? this.#setSubscription(o, settings) : SHARED.setValues(c, settings.map((s) => ({ name: `${o}${s.param ?? ''}`, value: s.value ?? '' })));
        if (fault) {
          const param_errs = (fault.params ?? [{ name: o, fault: fault.fault, message: fault.message }]).map((p) => ({ param_path: p.name, err_code: uspCode(p.fault), err_msg: p.message }));
          if (!req?.allow_partial) return { header: { msg_id: id, msg_type: MSG.ERROR }, body: { error: { err_code: 7004, err_msg: 'invalid arguments', param_errs } } };
          results.push({ requested_path: obj.obj_path, oper_status: { oper_failure: { err_code: 7021, err_msg: 'required parameter failed', updated_inst_failures: [{ affected_path: o, param_errs: param_errs.map((p) => ({ param: p.param_path.slice(o.length), err_code: p.err_code, err_msg: p.err_msg })) }] } } });
          continue;
        }
        // The journal names each parameter the Controller set, as for CWMP: a scenario expects "set Device.WiFi.SSID.1.SSID".
        for (const st of settings) this.#journal('param', `${o}${st.param ?? ''}`, {}, 'set');
        inst.push({ affected_path: o, updated_params: Object.fromEntries(settings.map((s) => [s.param ?? '', s.value ?? ''])) });
      }
      if (inst.length > 0) results.push({ requested_path: obj.obj_path, oper_status: { oper_success: { updated_inst_results: inst } } });
    }
    return resp(id, MSG.SET_RESP, { set_resp: { updated_obj_results: results } });
  }

  #add(id: string, req: AddReq | undefined, c: DmContext, from: string): UspMsg {
    const results: unknown[] = [];
    for (const obj of req?.create_objs ?? []) {
      const path = obj.obj_path ?? '';
      const settings = obj.param_settings ?? [];
      let created: string | DmFault;
      if (path === 'Device.LocalAgent.Subscription.') created = this.#addSubscription(settings, from);
      else {
        const added = SHARED.addObject(c, path);
        if ('fault' in added) created = added;
        else {
          const at = `${path}${added.instance}.`;
          const fault = SHARED.setValues(c, settings.map((s) => ({ name: `${at}${s.param ?? ''}`, value: s.value ?? '' })));
          if (fault) {
            SHARED.deleteObject(c, at);
            created = fault;
          } else created = at;
        }
      }
      if (typeof created !== 'string') {
        if (!req?.allow_partial) return errorMsg(id, created.fault === 9005 ? 7026 : uspCode(created.fault), created.message);
        results.push({ requested_path: path, oper_status: { oper_failure: { err_code: created.fault === 9005 ? 7026 : uspCode(created.fault), err_msg: created.message } } });
        continue;
      }
      this.#notifyObject('ObjectCreation', created);
      results.push({ requested_path: path, oper_status: { oper_success: { instantiated_path: created, unique_keys: path === 'Device.LocalAgent.Subscription.' ? { ID: this.#subs.at(-1)!.id, Recipient: this.#subs.at(-1)!.recipient } : {} } } });
    }
    return resp(id, MSG.ADD_RESP, { add_resp: { created_obj_results: results } });
  }

  #delete(id: string, req: { obj_paths?: string[]; allow_partial?: boolean } | undefined, c: DmContext): UspMsg {
    const results: unknown[] = [];
    for (const path of req?.obj_paths ?? []) {
      const m = /^Device\.LocalAgent\.Subscription\.(\d+)\.$/.exec(path);
      let fault: DmFault | null;
      if (m) {
        const before = this.#subs.length;
        this.#subs = this.#subs.filter((s) => s.instance !== Number(m[1]));
        fault = this.#subs.length === before ? { fault: 9005, message: `no such subscription: ${path}` } : null;
      } else fault = SHARED.deleteObject(c, path);
      if (fault) {
        if (!req?.allow_partial) return errorMsg(id, 7024, fault.message);
        results.push({ requested_path: path, oper_status: { oper_failure: { err_code: 7024, err_msg: fault.message } } });
        continue;
      }
      this.#notifyObject('ObjectDeletion', path);
      results.push({ requested_path: path, oper_status: { oper_success: { affected_paths: [path] } } });
    }
    return resp(id, MSG.DELETE_RESP, { delete_resp: { deleted_obj_results: results } });
  }

  #operate(id: string, req: { command?: string; command_key?: string; send_resp?: boolean } | undefined, from: string): UspMsg | null {
    const command = req?.command ?? '';
    const key = req?.command_key ?? '';
    if (!COMMANDS.includes(command)) return errorMsg(id, 7026, `not a command of this agent: ${command} (it has ${COMMANDS.join(', ')})`);
    const device = this.#dev();
    const answer = (result: Record<string, unknown>): UspMsg | null =>
      req?.send_resp === false ? null : resp(id, MSG.OPERATE_RESP, { operate_resp: { operation_results: [{ executed_command: command, ...result }] } });
    if (command === 'Device.LocalAgent.Controller.1.SendOnBoardRequest()') {
      this.#sendOnBoard();
      return answer({ req_output_args: { output_args: {} } });
    }
    if (SYNC_COMMANDS.includes(command)) {
      // §3.2: Device.Reboot() and Device.FactoryReset() are synchronous: answer, then do it, then Boot! after the boot.
      this.#bootCause = { key, cause: command === 'Device.Reboot()' ? 'RemoteReboot' : 'RemoteFactoryReset' };
      setImmediate(() => {
        if (command === 'Device.Reboot()') device.power.reboot();
        else device.power.factoryReset();
      });
      return answer({ req_output_args: { output_args: {} } });
    }
    // An asynchronous command: a Device.LocalAgent.Request row now, OperationComplete when done (R-OPR.0).
    if (this.#requests.length >= MAX_REQUESTS) return answer({ cmd_failure: { err_code: 7005, err_msg: `at most ${MAX_REQUESTS} commands run at once` } });
    const request: AsyncRequest = { instance: this.#nextRequest++, originator: from, command, commandKey: key, status: 'Active' };
    this.#requests.push(request);
    this.options.clock.after(SELF_TEST_MS, () => {
      this.#requests = this.#requests.filter((r) => r !== request);
      if (this.#closed) return;
      const outcome = this.#selfTest();
      this.#journal('operate', command, { command_key: key }, outcome.Status);
      const done = { obj_path: 'Device.', command_name: command.slice('Device.'.length), command_key: key, req_output_args: { output_args: outcome } };
      for (const sub of this.#subs) {
        if (sub.enable && sub.notifType === 'OperationComplete' && sub.referenceList.some((r) => r === command || (r.endsWith('.') && command.startsWith(r)))) this.#notify(sub, { oper_complete: done });
      }
    });
    return answer({ req_obj_path: `Device.LocalAgent.Request.${request.instance}.` });
  }

  /** Device.SelfTestDiagnostics(), the device's own verdict (emulator/state management area). */
  #selfTest(): { Status: string; Results: string } {
    const device = this.#device ?? this.wake?.();
    if (!device) return { Status: 'Error_Internal', Results: 'the device is not available' };
    const t = device.management.selfTest();
    return { Status: t.status, Results: t.results };
  }

  #sendOnBoard(): void {
    this.#onBoardDue = false;
    this.#onBoard?.timer?.cancel();
    const c = this.#ctx();
    const msgId = `onboard-${++this.#seq}`;
    const tries = (this.#onBoard?.tries ?? 0) + 1;
    this.#onBoard = { msgId, tries, timer: null };
    const msg: UspMsg = {
      header: { msg_id: msgId, msg_type: MSG.NOTIFY },
      // R-NOT.7: subscription_id "" and send_resp true for an OnBoardRequest.
      body: { request: { notify: { subscription_id: '', send_resp: true, on_board_req: { oui: ouiOf(c), product_class: c.device.profile.model, serial_number: c.state.identity.serialNumber, agent_supported_protocol_versions: VERSIONS } } } },
    };
    this.#status.notified++;
    this.#journal('notify', 'on_board_req', { try: String(tries) }, 'sent');
    this.#publish(this.controller.topic, msgRecord(this.#version, this.controller.endpointId, this.endpointId, msg));
    // R-NOT.2/6a: retried forever until answered, on the m/k table (5 s, x2, at most 10 min apart here).
    const wait = Math.min(600_000, 5000 * 2 ** Math.min(tries - 1, 7));
    const pending = this.#onBoard;
    pending.timer = this.options.clock.after(wait, () => {
      if (this.#onBoard === pending && !this.#closed) this.#sendOnBoard();
    });
  }

  #instances(id: string, req: { obj_paths?: string[]; first_level_only?: boolean } | undefined, c: DmContext): UspMsg {
    const names = this.#all(c).map((p) => p.name);
    const results = (req?.obj_paths ?? []).map((path) => {
      if (!path.endsWith('.')) return { requested_path: path, err_code: 7026, err_msg: 'an object path ends with a dot' };
      const insts = new Set<string>();
      const esc = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      const re = new RegExp(`^(${esc}\\d+\\.)${req?.first_level_only ? '' : '(?:[^.]+\\.\\d+\\.)*'}`);
      for (const n of names) {
        if (!n.startsWith(path)) continue;
        const rest = n.slice(path.length);
        const own = /^(\d+)\./.exec(rest);
        if (own) insts.add(`${path}${own[1]}.`);
        if (!req?.first_level_only) for (const m of n.matchAll(/\.(\d+)\./g)) {
          const at = n.slice(0, m.index + m[0].length);
          if (at.length > path.length && re.test(at)) insts.add(at);
        }
      }
      if (insts.size === 0 && !names.some((n) => n.startsWith(path))) return { requested_path: path, err_code: 7026, err_msg: `invalid path: ${path}` };
      return { requested_path: path, curr_insts: [...insts].map((p) => ({ instantiated_obj_path: p, unique_keys: {} })) };
    });
    return resp(id, MSG.GET_INSTANCES_RESP, { get_instances_resp: { req_path_results: results } });
  }

  #supported(id: string, req: { obj_paths?: string[]; first_level_only?: boolean } | undefined): UspMsg {
    const results = (req?.obj_paths ?? ['Device.']).map((path) => {
      const pattern = path.replace(/\.\d+\./g, '.{i}.');
      const objects = new Map<string, { params: unknown[]; multi: boolean; access: number }>();
      for (const p of PARAMS) {
        if (!p.path.startsWith(pattern)) continue;
        const cut = p.path.lastIndexOf('.') + 1;
        const obj = p.path.slice(0, cut);
        const entry = objects.get(obj) ?? { params: [], multi: obj.endsWith('{i}.'), access: TABLES.find((t) => t.path === obj)?.add ? 1 : 0 };
        entry.params.push({ param_name: p.path.slice(cut), access: p.writable ? 1 : 0, value_type: VALUE_TYPE[p.type] ?? 8, value_change: 1 });
        objects.set(obj, entry);
      }
      if (objects.size === 0) return { req_obj_path: path, err_code: 7026, err_msg: `invalid path: ${path}` };
      const supported_objs = [...objects].map(([p, o]) => ({
        supported_obj_path: p,
        access: o.access,
        is_multi_instance: o.multi,
        supported_params: o.params,
        ...(p === 'Device.' ? { supported_commands: COMMANDS.filter((cmd) => !cmd.startsWith('Device.LocalAgent.')).map((cmd) => ({ command_name: cmd.slice('Device.'.length), command_type: SYNC_COMMANDS.includes(cmd) ? 1 : 2 })), supported_events: [{ event_name: 'Boot!', arg_names: ['CommandKey', 'Cause', 'FirmwareUpdated', 'ParameterMap'] }] } : {}),
      }));
      return { req_obj_path: path, data_model_inst_uri: 'urn:broadband-forum-org:tr-181-2-14-0', supported_objs };
    });
    return resp(id, MSG.GET_SUPPORTED_DM_RESP, { get_supported_dm_resp: { req_obj_results: results } });
  }

  /** Concrete object paths an update path names (`*` for any instance). */
  #objects(path: string, c: DmContext): string[] {
    if (!path.endsWith('.')) return [];
    const re = pathRegex(path);
    if (!re) return [];
    const out = new Set<string>();
    for (const p of this.#all(c)) {
      if (!re.test(p.name)) continue;
      const m = new RegExp(`^${re.source.replace(/^\^/, '').replace(/\.\*\$$|\$$/, '')}`).exec(p.name);
      if (m) out.add(m[0]);
    }
    return [...out].filter((o) => o.endsWith('.'));
  }

  #addSubscription(settings: { param?: string; value?: string }[], from: string): string | DmFault {
    const v = Object.fromEntries(settings.map((s) => [s.param ?? '', s.value ?? '']));
    const notifType = v.NotifType ?? '';
    if (!NOTIF_TYPES.includes(notifType)) return { fault: 9007, message: `NotifType "${notifType}" is not ValueChange, ObjectCreation, ObjectDeletion, OperationComplete or Event` };
    if (this.#subs.length >= USP_LIMITS.subscriptions) return { fault: 9004, message: `at most ${USP_LIMITS.subscriptions} subscriptions` };
    const sub: Subscription = {
      instance: this.#nextSub++,
      id: v.ID || `sub-${this.#nextSub}`,
      enable: v.Enable !== 'false' && v.Enable !== '0',
      notifType,
      referenceList: (v.ReferenceList ?? '').split(',').map((r) => r.trim()).filter(Boolean),
      recipient: from === this.controller.endpointId ? 'Device.LocalAgent.Controller.1' : from,
      notifRetry: v.NotifRetry === 'true' || v.NotifRetry === '1',
      persistent: v.Persistent === 'true' || v.Persistent === '1',
    };
    this.#subs.push(sub);
    if (sub.notifType === 'ValueChange') this.#baseline(sub);
    return `Device.LocalAgent.Subscription.${sub.instance}.`;
  }

  #setSubscription(obj: string, settings: { param?: string; value?: string }[]): DmFault | null {
    const n = Number(/Subscription\.(\d+)\.$/.exec(obj)?.[1]);
    const sub = this.#subs.find((s) => s.instance === n);
    if (!sub) return { fault: 9005, message: `no such subscription: ${obj}` };
    for (const s of settings) {
      const value = s.value ?? '';
      switch (s.param) {
        case 'Enable':
          sub.enable = value === 'true' || value === '1';
          break;
        case 'ReferenceList':
          sub.referenceList = value.split(',').map((r) => r.trim()).filter(Boolean);
          break;
        case 'ID':
          sub.id = value;
          break;
        case 'NotifRetry':
          sub.notifRetry = value === 'true' || value === '1';
          break;
        default:
          return { fault: 9008, message: `${obj}${s.param ?? ''} is not writable here` };
      }
    }
    this.#baseline(sub);
    return null;
  }

  // --- notifications ---

  #baseline(sub: Subscription): void {
    const c = this.#ctx();
    for (const ref of sub.referenceList) for (const p of this.#all(c).filter((x) => x.name === ref || (ref.endsWith('.') && x.name.startsWith(ref)))) this.#values.set(p.name, p.value);
  }

  #changed(): void {
    if (!this.#device) return;
    if (this.#check || !this.#subs.some((s) => s.enable && s.notifType === 'ValueChange')) return;
    // Value changes are looked at once per virtual second (R-NOT.0a: the Notify within 10 s).
    this.#check = this.options.clock.after(1000, () => {
      this.#check = null;
      if (!this.#device) return;
      const c = this.#ctx();
      const all = this.#all(c);
      for (const sub of this.#subs) {
        if (!sub.enable || sub.notifType !== 'ValueChange') continue;
        for (const ref of sub.referenceList) {
          for (const p of all.filter((x) => x.name === ref || (ref.endsWith('.') && x.name.startsWith(ref)))) {
            const before = this.#values.get(p.name);
            this.#values.set(p.name, p.value);
            if (before === undefined || before === p.value) continue;
            this.#notify(sub, { value_change: { param_path: p.name, param_value: p.value } });
          }
        }
      }
    });
  }

  /** ObjectCreation / ObjectDeletion to the subscriptions whose ReferenceList names the table (or the object). */
  #notifyObject(type: 'ObjectCreation' | 'ObjectDeletion', objPath: string): void {
    for (const sub of this.#subs) {
      if (!sub.enable || sub.notifType !== type || !sub.referenceList.some((r) => pathRegex(r)?.test(objPath))) continue;
      this.#notify(sub, type === 'ObjectCreation' ? { obj_creation: { obj_path: objPath, unique_keys: {} } } : { obj_deletion: { obj_path: objPath } });
    }
  }

  #notifyBoot(): void {
    const { key, cause } = this.#bootCause;
    this.#bootCause = { key: '', cause: 'LocalReboot' };
    for (const sub of this.#subs) {
      if (sub.enable && sub.notifType === 'Event' && sub.referenceList.includes('Device.Boot!')) {
        this.#notify(sub, { event: { obj_path: 'Device.', event_name: 'Boot!', params: { CommandKey: key, Cause: cause, FirmwareUpdated: 'false', ParameterMap: '{}' } } });
      }
    }
  }

  #notify(sub: Subscription, notification: Record<string, unknown>): void {
    this.#status.notified++;
    // §3.6: usp-js routes by msg_id only when it holds '@'; an agent's Notify must not carry one.
    const msg: UspMsg = { header: { msg_id: `notify-${++this.#seq}`, msg_type: MSG.NOTIFY }, body: { request: { notify: { subscription_id: sub.id, send_resp: sub.notifRetry, ...notification } } } };
    this.#journal('notify', Object.keys(notification)[0] ?? 'notify', { subscription: sub.id }, 'sent');
    this.#publish(this.controller.topic, msgRecord(this.#version, this.controller.endpointId, this.endpointId, msg));
  }

  #journal(kind: string, name: string, params: Record<string, string>, response: string): void {
    this.options.journal?.add(this.#deviceId, 'usp', kind, name, params, response, this.options.clock.now(), Date.now(), this.endpointId);
  }
}

type SetReq = { allow_partial?: boolean; update_objs?: { obj_path?: string; param_settings?: { param?: string; value?: string; required?: boolean }[] }[] };
type AddReq = { allow_partial?: boolean; create_objs?: { obj_path?: string; param_settings?: { param?: string; value?: string; required?: boolean }[] }[] };

const VALUE_TYPE: Record<string, number> = { base64: 1, boolean: 2, dateTime: 3, hexBinary: 5, int: 6, long: 7, string: 8, unsignedInt: 9, unsignedLong: 10 };

/** TR-069 fault codes of the data model in USP's words (§3.2 error table). */
function uspCode(cwmp: number): number {
  return { 9003: 7004, 9004: 7005, 9005: 7010, 9006: 7011, 9007: 7012, 9008: 7013, 9001: 7002, 9002: 7003 }[cwmp] ?? 7000;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function resp(id: string, type: number, response: Record<string, unknown>): UspMsg {
  return { header: { msg_id: id, msg_type: type }, body: { response } };
}

function errorMsg(id: string, code: number, message: string): UspMsg {
  return { header: { msg_id: id, msg_type: MSG.ERROR }, body: { error: { err_code: code, err_msg: message } } };
}

/** A path (full, partial ending in `.`, `*` for any instance) as a regex over parameter names; null when malformed. */
function pathRegex(path: string): RegExp | null {
  if (!/^Device\.([A-Za-z0-9_-]+\.|\d+\.|\*\.)*([A-Za-z0-9_-]+)?$/.test(path) || path.length > 512) return null;
  const esc = path.split('.').map((seg) => (seg === '*' ? '\\d+' : seg.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))).join('\\.');
  return new RegExp(path.endsWith('.') ? `^${esc}` : `^${esc}$`);
}

/** The paths a request names (param_paths, obj_paths, objects to update or create, the command), for the journal. */
function requestPaths(req: Record<string, unknown> | undefined): string[] {
  if (!req) return [];
  const objs = [...((req.update_objs as { obj_path?: string }[] | undefined) ?? []), ...((req.create_objs as { obj_path?: string }[] | undefined) ?? [])].map((o) => o.obj_path ?? '');
  return [...((req.param_paths as string[] | undefined) ?? []), ...((req.obj_paths as string[] | undefined) ?? []), ...objs, ...(typeof req.command === 'string' ? [req.command] : [])].slice(0, 32);
}

