import { createEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import type { ModemPort as AtPort } from '../../emulator/modem/modem-context.js';
import { AtSession } from '../clients/at-session.js';
import { GoformClient } from '../clients/goform-client.js';
import { UbusClient } from '../clients/ubus-client.js';
import { BenchError } from '../errors.js';
import { UspController } from '../clients/usp-controller.js';
import { scenarioControllerTopic } from './usp-capability.js';
import type { RuleView } from '../rule-spec.js';
import type { RulesCapability, UspCapability, ClockCapability, CloudCapability, ResetCapability, CloudEndpoint, JournalCapability, JournalEntryView, PowerCapability, StateCapability, StimuliCapability, TargetDescription } from '../target.js';
import { BaseTransport, TcpTransport } from '../transports/transports.js';
import { BaseTarget } from './base-target.js';

// The emulator as a Target: in-process (an Emulator in this process) or remote (a running emulator through its
// control API and the goform/modem endpoints it lists). Both offer every capability.

/** Calls the control API: in-process through the app, remote over HTTP. */
type ControlCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

class EmulatorTarget extends BaseTarget {
  /** The emulator itself when it runs in this process (null for a remote one). */
  emulator: Emulator | null = null;
  #describe: TargetDescription;
  #release: () => Promise<void>;

  constructor(id: string, description: Omit<TargetDescription, 'capabilities'>, release: () => Promise<void>) {
    super(id);
    this.#describe = { ...description, capabilities: [] };
    this.#release = release;
  }

  install(control: ControlCall, deviceId: string, web: WebClient, modem: AtSession | null, cloud: CloudCapability | null, password = 'admin', usp: UspCapability | null = null): void {
    const stimuli: StimuliCapability = { apply: (name, body) => control('POST', `/devices/${deviceId}/stimuli/${name}`, body) };
    const clock: ClockCapability = {
      now: async () => ((await control('GET', '/time')) as { nowMs: number }).nowMs,
      advance: async (ms) => void (await control('POST', '/time/advance', { by: ms })),
    };
    const journal: JournalCapability = {
      query: async (f = {}) => {
        const q = new URLSearchParams({ device: deviceId, ...(f.surface ? { surface: f.surface } : {}), ...(f.kind ? { kind: f.kind } : {}) });
        if (typeof f.name === 'string') q.set('name', f.name);
        else if (f.name) q.set('namePattern', f.name.pattern);
        for (const [k, m] of Object.entries(f.params ?? {})) q.set(typeof m === 'string' ? `param.${k}` : `paramPattern.${k}`, typeof m === 'string' ? m : m.pattern);
        return ((await control('GET', `/journal?${q.toString()}`)) as { entries: JournalEntryView[] }).entries;
      },
    };
    const rules: RulesCapability = {
      add: async (rule) => (await control('POST', `/devices/${deviceId}/rules`, rule)) as RuleView,
      list: async () => (await control('GET', `/devices/${deviceId}/rules`)) as RuleView[],
      remove: async (id) => void (await control('DELETE', `/devices/${deviceId}/rules/${encodeURIComponent(id)}`)),
      clear: async () => void (await control('DELETE', `/devices/${deviceId}/rules`)),
    };
    const power: PowerCapability = {
      cycle: async () => {
        await stimuli.apply('reboot', {});
        await clock.advance(30_000);
      },
    };
    const state: StateCapability = { get: async () => (await control('GET', `/devices/${deviceId}/state`)) as Record<string, unknown> };
    const reset: ResetCapability = {
      reset: async (o) => {
        await control('POST', `/devices/${deviceId}/reset`, { ...(o.profile ? { profile: o.profile } : {}), ...(o.seed === undefined ? {} : { seed: o.seed }), ...(o.clock ? { clock: o.clock } : {}), ...(o.fresh ? { at: 'fresh', journal: 'clear' } : {}) });
        // Another profile may speak the other API or log in differently: a new client detects it again.
        const api = ((await control('GET', `/devices/${deviceId}`)) as { api?: 'goform' | 'ubus' }).api ?? 'goform';
        const fresh = await webClient(api, web.baseUrl, password);
        delete this.capabilities.router;
        delete this.capabilities.ubus;
        Object.assign(this.capabilities, fresh.capability);
        this.#describe.capabilities = Object.keys(this.capabilities) as TargetDescription['capabilities'];
      },
      snapshot: async () => {
        const time = (await control('GET', '/time')) as { nowMs: number; mode: string; speed: number };
        const profile = ((await control('GET', `/devices/${deviceId}`)) as { profile: string }).profile;
        const seed = Number(((await control('GET', `/devices/${deviceId}/state`)) as { seed?: number }).seed ?? 1);
        return { profile, seed, mode: time.mode === 'paused' ? 'paused' : 'running', speed: time.speed, virtualMs: time.nowMs, wallMs: Date.now() };
      },
      restore: async (s) => {
        const at = s.mode === 'running' ? Math.round(s.virtualMs + (Date.now() - s.wallMs) * s.speed) : s.virtualMs;
        await control('POST', `/devices/${deviceId}/reset`, { profile: s.profile, seed: s.seed, clock: s.mode, at, journal: 'keep' });
        await control('POST', '/time/speed', { speed: s.speed });
        // Once more through the capability, so this target's web client logs in to the restored device.
        await reset.reset({ profile: s.profile, seed: s.seed });
      },
    };
    this.capabilities = { ...web.capability, stimuli, clock, journal, power, state, reset, rules, ...(modem ? { modem } : {}), ...(cloud ? { cloud } : {}), ...(usp ? { usp } : {}) };
    this.#describe.capabilities = Object.keys(this.capabilities) as TargetDescription['capabilities'];
  }

  describe(): TargetDescription {
    return this.#describe;
  }

  protected release(): Promise<void> {
    return this.#release();
  }
}

/** A strict in-process link to an emulated modem port: async answers, rejects writes when closed. */
export class LoopbackTransport extends BaseTransport {
  readonly name = 'loopback';
  #port: AtPort | null = null;

  constructor(readonly emulator: Emulator) {
    super();
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.reject(new BenchError('TRANSPORT_BUSY', '[hil:loopback] already open'));
    // Like a real line: the answer arrives later, never inside write().
    this.#port = this.emulator.modem.openPort((text) => setImmediate(() => this.emitData(text)));
    this.reopened();
    return Promise.resolve();
  }

  async write(data: string): Promise<void> {
    this.assertOpen();
    await new Promise((r) => setImmediate(r));
    this.#port!.write(data);
  }

  close(): Promise<void> {
    if (this.isOpen) {
      this.#port?.close();
      this.emitClose();
    }
    return Promise.resolve();
  }
}

/** Cloud channel of an in-process emulator target: a broker URL, or none for an embedded broker on a free port. */
export interface EmulatorCloudOptions {
  url?: string | undefined;
  topicPrefix?: string | undefined;
  telemetryIntervalMs?: number | undefined;
}

/**
 * An emulator in this process; its goform API listens on a free loopback port for the router capability. Its
 * cloud channel starts the first time the cloud capability is asked for its endpoint.
 */
export async function createEmulatorTarget(options: EmulatorOptions & { password?: string; cloud?: EmulatorCloudOptions; acs?: { url: string; username?: string | undefined; password?: string | undefined }; usp?: { url: string } } = {}): Promise<EmulatorTarget> {
  const emulator = createEmulator({ onUnhandled: 'silent', ...options });
  const goformUrl = await emulator.listen({ port: 0 });
  if (options.acs) await emulator.startCwmp({ ...options.acs, crPort: 0 });
  let usp: (UspCapability & { close(): Promise<void> }) | null = null;
  if (options.usp) {
    // The agent knows the scenario's Controller (its own topic per run), so answers and notifications reach it.
    // The Controller subscribes first, so the agent's connect Record and Boot! reach it.
    const known = { endpointId: 'proto::routerlab-scenario', topic: scenarioControllerTopic() };
    const controller = await UspController.connect({ url: options.usp.url, ...known });
    const agent = await emulator.startUsp({ brokerUrl: options.usp.url, controller: known }).catch(async (e: unknown) => {
      await controller.close();
      throw e;
    });
    controller.learnAgent(agent.endpointId, agent.agentTopic);
    usp = { endpointId: agent.endpointId, controller, close: () => controller.close() };
  }
  const id = `emulator:${emulator.device.profile.name}`;
  const transport = new LoopbackTransport(emulator);
  const session = new AtSession(transport);
  const target = new EmulatorTarget(id, { id, kind: 'emulator', details: { profile: emulator.device.profile.name, model: emulator.device.profile.model, goformUrl } }, async () => {
    await usp?.close();
    await session.close();
    await emulator.close();
  });
  const control: ControlCall = async (method, path, body) => {
    const res = await emulator.control.request(`/api/v1${path}`, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return controlAnswer(res, path);
  };
  await transport.open();
  await session.init();
  const web = await webClient(emulator.device.profile.api, goformUrl, options.password ?? 'admin');
  let endpoint: Promise<CloudEndpoint> | null = null;
  const cloud: CloudCapability = {
    endpoint: () =>
      (endpoint ??= (async () => {
        const c = options.cloud ?? {};
        const topicPrefix = c.topicPrefix ?? 'routerlab';
        const { brokerUrl } = await emulator.startCloud({ ...(c.url ? { url: c.url } : { brokerPort: 0 }), topicPrefix, ...(c.telemetryIntervalMs ? { telemetryIntervalMs: c.telemetryIntervalMs } : {}) });
        return { url: brokerUrl, topicPrefix, deviceId: emulator.device.state.id };
      })()),
  };
  target.install(control, emulator.device.state.id, web, session, cloud, options.password ?? 'admin', usp);
  target.emulator = emulator;
  return target;
}

/** A running emulator through its control API (`emulator:http://127.0.0.1:8081`). */
export async function connectRemoteEmulator(controlUrl: string, options: { token?: string; deviceId?: string; password?: string } = {}): Promise<EmulatorTarget> {
  const base = controlUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) };
  const control: ControlCall = async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new BenchError('TRANSPORT_OPEN_FAILED', `[hil:emulator] the control API at ${base} does not answer; start it with 'routerlab serve'`, { cause: e });
    }
    return controlAnswer(res, path);
  };
  const devices = (await control('GET', '/devices')) as { id: string; model: string; profile: string; api?: 'goform' | 'ubus'; goformUrl?: string; modemTcp?: string }[];
  const device = options.deviceId ? devices.find((d) => d.id === options.deviceId) : devices[0];
  if (!device) throw new BenchError('CONFIG_INVALID', `[hil:emulator] no device ${options.deviceId ?? ''} at ${base}`);
  if (!device.goformUrl) throw new BenchError('CONFIG_INVALID', `[hil:emulator] the emulator at ${base} does not serve goform yet`);
  let session: AtSession | null = null;
  if (device.modemTcp) {
    const [host, port] = device.modemTcp.split(':');
    const tcp = new TcpTransport(host!, Number(port));
    await tcp.open();
    session = new AtSession(tcp);
    await session.init();
  }
  const id = `emulator:${base}`;
  const target = new EmulatorTarget(id, { id, kind: 'emulator', details: { controlUrl: base, model: device.model, goformUrl: device.goformUrl } }, async () => {
    await session?.close();
  });
  const web = await webClient(device.api ?? 'goform', device.goformUrl, options.password ?? 'admin');
  // The remote emulator's cloud channel, if it runs one (serve starts it unless --no-cloud).
  const cloud: CloudCapability = {
    endpoint: async () => {
      const d = (await control('GET', `/devices/${device.id}`)) as { cloud: { url: string; topics: { telemetry: string } } | null };
      if (!d.cloud) throw new BenchError('CAPABILITY_MISSING', `[hil:emulator] the emulator at ${base} runs no cloud channel (started with --no-cloud)`);
      return { url: d.cloud.url, topicPrefix: d.cloud.topics.telemetry.split('/')[1]!, deviceId: device.id };
    },
  };
  target.install(control, device.id, web, session, cloud, options.password ?? 'admin');
  return target;
}

/** The device's web client, logged in: the goform SDK (`router`) or the ubus SDK (`ubus`) by the profile's API. */
interface WebClient {
  baseUrl: string;
  capability: { router: GoformClient } | { ubus: UbusClient };
}

async function webClient(api: 'goform' | 'ubus', baseUrl: string, password: string): Promise<WebClient> {
  if (api === 'ubus') {
    const ubus = new UbusClient({ baseUrl, password });
    await ubus.login();
    return { baseUrl, capability: { ubus } };
  }
  const router = new GoformClient({ baseUrl, password });
  await router.login();
  return { baseUrl, capability: { router } };
}

async function controlAnswer(res: Response, path: string): Promise<unknown> {
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (res.status === 200) return json;
  const detail = (json as { detail?: string } | null)?.detail ?? text;
  if (res.status === 400) throw new BenchError('INVALID_ARGUMENT', `[hil:emulator] ${path}: ${detail}`, { details: { problem: json } });
  if (res.status === 401) throw new BenchError('HTTP_AUTH_FAILED', `[hil:emulator] ${path}: ${detail}; pass the control token`);
  // 404: the emulator has no such route (an older one): a capability it lacks. 409: the device refused (a station
  // that is not online, nothing to roll back): the step fails with the device's reason.
  if (res.status === 404) throw new BenchError('CAPABILITY_MISSING', `[hil:emulator] ${path}: ${detail}`, { details: { problem: json } });
  if (res.status === 409) throw new BenchError('HTTP_STATUS', `[hil:emulator] ${path}: the device refused: ${detail}`, { details: { status: 409, problem: json } });
  throw new BenchError('HTTP_STATUS', `[hil:emulator] ${path} answered HTTP ${res.status}: ${detail}`);
}

export type { EmulatorTarget };
