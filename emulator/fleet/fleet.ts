// Many emulated routers in one process on one shared clock. A device exists only as its index until something
// needs it (a goform request, a control call, a stimulus, the cloud channel); then it is a full Device, and once
// it has been quiet for a while it is put away as compressed state. Identity derives from (seed, index), so the
// same index is the same router in every run and every shard (ARCHITECTURE.md "Scale past one machine").
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BenchError } from '../../hil/errors.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../cloud/broker.js';
import { CloudChannel, type CloudChannelOptions } from '../cloud/channel.js';
import { VirtualClock, type ClockMode } from '../clock/virtual-clock.js';
import { createControlApp } from '../control/control-app.js';
import { pick, type ControlDevice, type DeviceDirectory, type DeviceSelection, type DeviceSummary } from '../control/control-routes.js';
import { Faults } from '../instrument/faults.js';
import type { Rules } from '../instrument/rules.js';
import { acsColumn, cloudColumn, rowOf, type DeviceRow } from '../control/fleet-view.js';
import { Journal } from '../instrument/journal.js';
import { UnhandledReporter, type UnhandledPolicy } from '../instrument/unhandled.js';
import { closeServer, isLoopbackHost, listenOn } from '../net.js';
import { createRouter, type Router } from '../router.js';
import { ConnectionRequestServer } from '../cwmp/connection-request.js';
import { Cpe, SessionLimiter } from '../cwmp/cpe.js';
import { UspAgent } from '../usp/agent.js';
import { SeededRandom } from '../state/identity.js';
import { createInitialState } from '../state/create-state.js';
import type { DeviceState } from '../state/device-state.js';
import { Device } from '../state/device.js';
import { listProfiles, loadCarrier, loadProfile, type DeviceProfile } from '../state/profile.js';

export interface FleetOptions {
  /** Devices in the whole fleet (all shards). */
  count: number;
  /** Fleet seed; device i's seed derives from (seed, i). Default 1. */
  seed?: number;
  /** Shard k of K: this process owns indexes [floor(k*N/K), floor((k+1)*N/K)). Default 0 of 1. */
  shard?: { index: number; total: number };
  /** Profiles to draw from, per index deterministically; ['mix'] = every shipped profile. Default ['mf79u']. */
  profiles?: string[];
  /** Device ids are `<prefix>-<index, 6 digits>` (default "rl"). */
  idPrefix?: string;
  clockMode?: ClockMode;
  speed?: number;
  originMs?: number;
  /** Simulation step of each device, ms (default 10000: an idle device works once per 10 virtual seconds). */
  tickMs?: number;
  /** Virtual ms without requests after which a device without a cloud channel is put away. 0 = never. Default 300000. */
  hibernateAfterMs?: number;
  journalCapacity?: number;
  controlToken?: string | undefined;
  /** Policy for unimplemented requests on every device's surfaces (one warn-once set for the fleet). Default 'warn'. */
  onUnhandled?: UnhandledPolicy;
}

/** Cloud channel for every device of the shard; without `url` an embedded broker starts on loopback. */
export type FleetCloudOptions = Omit<CloudChannelOptions, 'url' | 'journal' | 'telemetryOffsetMs'> & {
  url?: string;
  brokerPort?: number;
  /** New connections per wall second while the fleet connects (default 1000; load-and-fleet.md §3.4: stagger). */
  connectRate?: number;
};

/** Every router of the shard a TR-069 CPE of one ACS (device-management.md §1, §4). */
export interface FleetCwmpOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  periodicInformIntervalS?: number | undefined;
  /** Sessions in flight at most, across the shard (§4: a slow ACS costs queued sessions, not open sockets). Default 50. */
  maxSessions?: number | undefined;
  /** First contacts spread over this many virtual ms, in index order with a per-device jitter. Default 60000. */
  bootSpreadMs?: number | undefined;
  crHost?: string | undefined;
  /** The one connection-request listener of the process (default 7547; 0 picks a free one). */
  crPort?: number | undefined;
}

/** Every router of the shard a TR-369 USP Agent on one MQTT 5 broker (device-management.md §3, §4). */
export interface FleetUspOptions {
  /** mqtt://host:port of an MQTT 5 broker (Mosquitto). */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** The Controller every agent knows (default usp-js's `proto::interop-usp-controller` on `/usp/controller`). */
  controller?: { endpointId: string; topic: string } | undefined;
  /** Each agent subscribes to `<topicPrefix>/<EndpointID>` (default `usp/agent`). */
  topicPrefix?: string | undefined;
  /** New connections per wall second while the fleet connects (default 500). */
  connectRate?: number | undefined;
  onBoardRequest?: boolean | undefined;
}

/** Where each device's goform API listens: its own port (basePort + index) or its own loopback address. */
export type FleetGoformOptions = { basePort: number; host?: string } | { addressBase: string; port: number };

interface Member {
  index: number;
  device: Device;
  router: Router;
  channel: CloudChannel | null;
}

/** A stable 32-bit mix of (seed, index): device seeds and profile picks (splitmix32). */
export function mix32(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca77)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Index range of shard k of K over N devices. */
export function shardRange(count: number, shard: { index: number; total: number }): { start: number; end: number } {
  return { start: Math.floor((shard.index * count) / shard.total), end: Math.floor(((shard.index + 1) * count) / shard.total) };
}

export class Fleet {
  readonly clock: VirtualClock;
  readonly journal: Journal;
  readonly seed: number;
  readonly count: number;
  readonly start: number;
  readonly end: number;
  readonly idPrefix: string;
  readonly control: Hono<{ Bindings: Partial<HttpBindings> }>;
  readonly #profiles: DeviceProfile[];
  readonly #tickMs: number;
  readonly #hibernateAfterMs: number;
  readonly #live = new Map<number, Member>();
  /** Put-away devices: deflated state JSON and the virtual ms it was put away. */
  readonly #stored = new Map<number, { bytes: Buffer; atMs: number }>();
  /** Fleet-page rows of put-away states, by their stored bytes (gone with them when the device wakes). */
  readonly #storedRows = new WeakMap<Buffer, DeviceRow>();
  /** Fleet-page rows of devices never started, made when the page first asks. */
  readonly #freshRows = new Map<number, DeviceRow>();
  /** Faults and rules of put-away devices that had any: they come back with the device, counts and all. */
  readonly #storedFaults = new Map<number, Faults>();
  /** Virtual ms of the last request per device (index - start), for putting quiet devices away. */
  readonly #lastUse: Float64Array;
  readonly #servers: Server[] = [];
  /** goform URL per device (index - start) once listening. */
  #goformUrls: string[] = [];
  readonly #dictionaries = new Map<string, Buffer>();
  readonly #unhandled: UnhandledReporter;
  readonly #controlToken: string | null;
  #cloud: (FleetCloudOptions & { url: string }) | null = null;
  /** The CPE of each index once startCwmp ran; it outlives the device being put away. */
  readonly #cpes = new Map<number, Cpe>();
  #crServer: ConnectionRequestServer | null = null;
  /** The USP Agent of each index once startUsp ran; like a CPE it outlives the device being put away. */
  readonly #agents = new Map<number, UspAgent>();
  #limiter: SessionLimiter | null = null;
  #broker: EmbeddedBroker | null = null;
  #sweep: { cancel(): void } | undefined;
  #closed = false;
  /** Devices woken from storage so far. */
  wakes = 0;

  constructor(options: FleetOptions) {
    const { count } = options;
    if (!Number.isInteger(count) || count < 1 || count > 10_000_000) throw new BenchError('CONFIG_INVALID', `[fleet] count must be an integer from 1 to 10000000, got ${count}`);
    const shard = options.shard ?? { index: 0, total: 1 };
    if (!Number.isInteger(shard.total) || shard.total < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.total) {
      throw new BenchError('CONFIG_INVALID', `[fleet] shard must be k/K with 0 <= k < K, got ${shard.index}/${shard.total}`);
    }
    if (shard.total > count) throw new BenchError('CONFIG_INVALID', `[fleet] ${shard.total} shards for ${count} devices would leave shards empty`);
    this.seed = options.seed ?? 1;
    if (!Number.isSafeInteger(this.seed) || this.seed < 0) throw new BenchError('CONFIG_INVALID', `[fleet] seed must be a non-negative integer, got ${this.seed}`);
    this.count = count;
    ({ start: this.start, end: this.end } = shardRange(count, shard));
    this.idPrefix = options.idPrefix ?? 'rl';
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(this.idPrefix)) throw new BenchError('CONFIG_INVALID', `[fleet] id prefix "${this.idPrefix}" must be lowercase letters, digits and dashes`);
    const names = options.profiles ?? ['mf79u'];
    this.#profiles = (names.length === 1 && names[0] === 'mix' ? listProfiles() : names).map((n) => loadProfile(n));
    this.#tickMs = options.tickMs ?? 10_000;
    if (!Number.isInteger(this.#tickMs / 1000) || this.#tickMs < 1000 || this.#tickMs > 3_600_000) {
      throw new BenchError('CONFIG_INVALID', `[fleet] the simulation step (--tick) must be whole seconds from 1s to 1h, got ${this.#tickMs} ms`);
    }
    this.#hibernateAfterMs = options.hibernateAfterMs ?? 300_000;
    this.clock = new VirtualClock({ mode: options.clockMode ?? 'running', speed: options.speed ?? 1, ...(options.originMs === undefined ? {} : { originMs: options.originMs }) });
    this.journal = new Journal(options.journalCapacity ?? 10_000);
    this.#unhandled = new UnhandledReporter(options.onUnhandled ?? 'warn');
    this.#lastUse = new Float64Array(this.end - this.start);
    this.#controlToken = options.controlToken ?? null;
    this.control = createControlApp({ devices: this.#directory(), clock: this.clock, journal: this.journal, token: this.#controlToken });
    if (this.#hibernateAfterMs > 0) this.#sweep = this.clock.every(Math.min(60_000, this.#hibernateAfterMs), () => this.#putAwayQuiet());
  }

  get size(): number {
    return this.end - this.start;
  }

  /** Devices that are full Device objects right now (the rest are an index or compressed state). */
  get liveCount(): number {
    return this.#live.size;
  }

  get storedCount(): number {
    return this.#stored.size;
  }

  deviceId(index: number): string {
    return `${this.idPrefix}-${String(index).padStart(6, '0')}`;
  }

  indexOf(id: string): number | null {
    const m = /^(.+)-(\d{6,})$/.exec(id);
    if (!m || m[1] !== this.idPrefix) return null;
    const i = Number(m[2]);
    return i >= this.start && i < this.end ? i : null;
  }

  deviceSeed(index: number): number {
    return mix32(this.seed, index);
  }

  profileOf(index: number): DeviceProfile {
    return this.#profiles[mix32(this.seed ^ 0x5eed, index) % this.#profiles.length]!;
  }

  /** The identity device `index` has, without waking it (the same as its state's identity when live). */
  identityOf(index: number): DeviceState['identity'] {
    const live = this.#live.get(index);
    if (live) return live.device.state.identity;
    const profile = this.profileOf(index);
    return createInitialState({ id: this.deviceId(index), profile, home: loadCarrier(profile.homeCarrier), roaming: loadCarrier(profile.roamingCarrier), seed: this.deviceSeed(index), nowMs: 0 }).identity;
  }

  /** The device at `index`, woken (or made) if needed; counts as use. */
  device(index: number): Device {
    return this.#member(index).device;
  }

  /** The router of device `index` (its goform surface and modem), woken or made if needed; counts as use. */
  router(index: number): Router {
    return this.#member(index).router;
  }

  /** Put device `index` away now if it may be (no cloud channel, nothing pending); true when it was. */
  putAway(index: number): boolean {
    const m = this.#live.get(index);
    if (!m || m.channel || m.device.busy()) return false;
    // A copy: zlib's result is a view into a 16 KiB chunk; the copy is exact (small ones share Node's pool).
    const bytes = Buffer.from(deflateRawSync(JSON.stringify(m.device.state), { dictionary: this.#dictionary(m.device.profile) }));
    const f = m.router.faults;
    // The shorthand faults are rules too: a device with any rule keeps its Faults while put away.
    if (f.rules.size > 0) this.#storedFaults.set(index, f);
    m.router.close();
    this.#cpes.get(index)?.detach();
    this.#agents.get(index)?.detach();
    this.#live.delete(index);
    this.#stored.set(index, { bytes, atMs: this.clock.now() });
    return true;
  }

  /** Serve each device's goform API on loopback: port basePort + index, or address base + index on `port`. */
  async listenGoform(options: FleetGoformOptions): Promise<{ first: string; last: string }> {
    if (this.#goformUrls.length > 0) throw new BenchError('INVALID_ARGUMENT', '[fleet] goform listeners are already up');
    const where = goformAddresses(options, this.start, this.end);
    if (this.size > 15_000) throw new BenchError('CONFIG_INVALID', `[fleet] ${this.size} goform listeners is more than one process can hold (file descriptors); shard the fleet (--shard k/K) to 15000 devices or fewer per process`);
    const urls: string[] = [];
    for (let i = this.start; i < this.end; i++) {
      const index = i;
      const s = createServer((req, res) => this.#serveGoform(index, req, res));
      this.#servers.push(s);
      const { host, port } = where(index);
      urls.push(await listenOn(s, host, port, `goform of ${this.deviceId(index)}`, '--goform-base-port'));
    }
    this.#goformUrls = urls;
    return { first: urls[0]!, last: urls.at(-1)! };
  }

  /** Give every device of the shard a cloud channel and connect them at `connectRate` per second. */
  async startCloud(options: FleetCloudOptions = {}): Promise<{ brokerUrl: string; connected: number }> {
    if (this.#cloud) throw new BenchError('INVALID_ARGUMENT', '[fleet] the cloud channel is already started');
    const { url, brokerPort, connectRate = 1000, ...rest } = options;
    if (url === undefined) this.#broker = await startEmbeddedBroker({ ...(brokerPort === undefined ? {} : { port: brokerPort }) });
    const brokerUrl = url ?? this.#broker!.url;
    this.#cloud = { ...rest, url: brokerUrl };
    const batch = Math.max(1, Math.round(connectRate / 20));
    let connected = 0;
    for (let i = this.start; i < this.end && !this.#closed; i += batch) {
      const started: Promise<void>[] = [];
      for (let j = i; j < Math.min(i + batch, this.end); j++) started.push(this.#withChannel(this.#member(j)));
      await Promise.all([Promise.all(started), new Promise((r) => setTimeout(r, 50))]);
      connected += started.length;
    }
    return { brokerUrl, connected };
  }

  /**
   * Make every router of the shard a CPE of the ACS: first contacts (0 BOOTSTRAP, 1 BOOT) spread over `bootSpreadMs`,
   * periodic informs with per-device phases, at most `maxSessions` sessions at once, back-off on 503 and refused
   * connections, connection requests on one loopback listener routing by per-device path.
   */
  async startCwmp(options: FleetCwmpOptions): Promise<{ connectionRequestBase: string; cpes: number }> {
    if (this.#crServer) throw new BenchError('INVALID_ARGUMENT', '[fleet] CWMP is already started');
    if (!/^https?:\/\//i.test(options.url)) throw new BenchError('CONFIG_INVALID', `[fleet:cwmp] the ACS URL must be http(s)://..., got ${options.url}`);
    const server = new ConnectionRequestServer();
    const base = await server.listen({ host: options.crHost ?? '127.0.0.1', port: options.crPort ?? 7547 });
    this.#crServer = server;
    this.#limiter = new SessionLimiter(options.maxSessions ?? 50);
    const spread = options.bootSpreadMs ?? 60_000;
    for (let i = this.start; i < this.end; i++) {
      const index = i;
      const rng = new SeededRandom(this.deviceSeed(index) ^ 0xc12e);
      const path = rng.hex(32);
      const password = rng.hex(16);
      const slot = ((index - this.start) * spread) / Math.max(1, this.size);
      const cpe = new Cpe({
        acs: { url: options.url, username: options.username, password: options.password, periodicInformIntervalS: options.periodicInformIntervalS },
        seed: this.deviceSeed(index),
        clock: this.clock,
        journal: this.journal,
        limiter: this.#limiter,
        connectionRequest: { url: `${base}/${path}`, username: this.identityOf(index).serialNumber, password },
        firstInformDelayMs: Math.floor(slot + rng.next() * Math.min(1000, spread / Math.max(1, this.size))),
        rules: () => this.#rulesOf(index),
      });
      cpe.wake = () => this.#member(index).device;
      this.#cpes.set(index, cpe);
      server.register(path, {
        credentials: () => {
          const live = this.#live.get(index);
          const m = live ? live.device.state.management : null;
          return { username: m?.connectionRequestUsername ?? this.identityOf(index).serialNumber, password: m?.connectionRequestPassword ?? password };
        },
        connectionRequest: () => cpe.connectionRequest(),
      });
      cpe.attach(this.#member(index).device);
    }
    return { connectionRequestBase: base, cpes: this.#cpes.size };
  }

  /**
   * Make every router of the shard a USP Agent: its own Endpoint ID (`os::<OUI>-<serial>`) and topic, connects at
   * `connectRate` per wall second, Boot! on each connect after a boot, subscriptions kept per agent.
   */
  async startUsp(options: FleetUspOptions): Promise<{ agents: number; connected: number }> {
    if (this.#agents.size > 0) throw new BenchError('INVALID_ARGUMENT', '[fleet] USP is already started');
    if (!/^mqtts?:\/\//i.test(options.url)) throw new BenchError('CONFIG_INVALID', `[fleet:usp] the broker must be mqtt(s)://..., got ${options.url}`);
    const prefix = (options.topicPrefix ?? 'usp/agent').replace(/\/+$/, '');
    if (/[+#]/.test(prefix)) throw new BenchError('CONFIG_INVALID', `[fleet:usp] the topic prefix may not hold MQTT wildcards: ${prefix}`);
    const batch = Math.max(1, Math.round((options.connectRate ?? 500) / 20));
    let connected = 0;
    for (let i = this.start; i < this.end && !this.#closed; i += batch) {
      const started: Promise<void>[] = [];
      for (let j = i; j < Math.min(i + batch, this.end); j++) {
        const index = j;
        const device = this.#member(index).device;
        const agent = new UspAgent(device, {
          brokerUrl: options.url,
          username: options.username,
          password: options.password,
          controller: options.controller,
          onBoardRequest: options.onBoardRequest,
          agentTopic: `${prefix}/${device.state.identity.serialNumber}`,
          clock: this.clock,
          journal: this.journal,
          rules: () => this.#rulesOf(index),
        });
        agent.wake = () => this.#member(index).device;
        this.#agents.set(index, agent);
        started.push(agent.start().then(() => void connected++, () => undefined));
      }
      await Promise.all([Promise.all(started), new Promise((r) => setTimeout(r, 50))]);
    }
    return { agents: this.#agents.size, connected };
  }

  /** The USP Agent of device `index` once startUsp ran. */
  agent(index: number): UspAgent | undefined {
    return this.#agents.get(index);
  }

  /** USP counters summed over the shard. */
  uspStatus(): { agents: number; connected: number; received: number; answered: number; notified: number; dropped: number } {
    const total = { agents: 0, connected: 0, received: 0, answered: 0, notified: 0, dropped: 0 };
    for (const a of this.#agents.values()) {
      const s = a.status();
      total.agents++;
      if (s.connected) total.connected++;
      total.received += s.received;
      total.answered += s.answered;
      total.notified += s.notified;
      total.dropped += s.dropped;
    }
    return total;
  }

  /** CPE sessions running now across the shard (0 when CWMP is not started). */
  cwmpActive(): number {
    let n = 0;
    for (const cpe of this.#cpes.values()) if (cpe.inSession) n++;
    return n;
  }

  /** CPE sessions ended so far across the shard (successful or not). */
  cwmpSessions(): number {
    let n = 0;
    for (const cpe of this.#cpes.values()) n += cpe.sessions;
    return n;
  }

  /** The CPE of device `index` once startCwmp ran. */
  cpe(index: number): Cpe | undefined {
    return this.#cpes.get(index);
  }

  /** Cloud channel counters summed over the shard. */
  cloudStatus(): { devices: number; connected: number; seq: number; sent: number; queued: number; inflight: number; dropped: number; reconnects: number } {
    const total = { devices: 0, connected: 0, seq: 0, sent: 0, queued: 0, inflight: 0, dropped: 0, reconnects: 0 };
    for (const m of this.#live.values()) {
      if (!m.channel) continue;
      const s = m.channel.status();
      total.devices++;
      if (s.connected) total.connected++;
      total.seq += s.seq;
      total.sent += s.sent;
      total.queued += s.queued;
      total.inflight += s.inflight;
      total.dropped += s.dropped;
      total.reconnects += s.reconnects;
    }
    return total;
  }

  /** Serve the control API for the whole fleet (default 127.0.0.1:8081). */
  async listenControl({ host = '127.0.0.1', port = 8081 }: { host?: string; port?: number } = {}): Promise<string> {
    if (this.#controlToken === null && !isLoopbackHost(host)) {
      throw new BenchError('CONFIG_INVALID', `[fleet:control] binding the control API to ${host} needs a token; give --control-token or ROUTERLAB_CONTROL_TOKEN`);
    }
    const listener = getRequestListener(this.control.fetch);
    const s = createServer((req, res) => void listener(req, res));
    this.#servers.push(s);
    return listenOn(s, host, port, 'control API', '--control-port');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sweep?.cancel();
    for (const cpe of this.#cpes.values()) cpe.close();
    this.#cpes.clear();
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
    await this.#crServer?.close();
    for (const s of this.#servers.splice(0)) await closeServer(s);
    await Promise.all([...this.#live.values()].map(async (m) => m.channel?.close()));
    for (const m of this.#live.values()) m.router.close();
    this.#live.clear();
    this.#stored.clear();
    await this.#broker?.close();
    this.clock.close();
  }

  // --- internal ---

  /**
   * Deflate dictionary per profile: a fresh device's state JSON. Put-away states share most of their text with it
   * (key names, carrier, defaults), so each stored device keeps only what is its own.
   */
  #dictionary(profile: DeviceProfile): Buffer {
    let d = this.#dictionaries.get(profile.name);
    if (!d) {
      const state = createInitialState({ id: this.deviceId(0), profile, home: loadCarrier(profile.homeCarrier), roaming: loadCarrier(profile.roamingCarrier), seed: 0, nowMs: 0 });
      d = Buffer.from(JSON.stringify(state));
      this.#dictionaries.set(profile.name, d);
    }
    return d;
  }

  #member(index: number): Member {
    if (this.#closed) throw new BenchError('INVALID_ARGUMENT', '[fleet] closed');
    if (index < this.start || index >= this.end) throw new BenchError('INVALID_ARGUMENT', `[fleet] index ${index} is not in this shard [${this.start}, ${this.end})`);
    this.#lastUse[index - this.start] = this.clock.now();
    const live = this.#live.get(index);
    if (live) return live;
    const profile = this.profileOf(index);
    const stored = this.#stored.get(index);
    // A put-away device comes back with the state it had (its own JSON, trusted: it was valid when stored).
    const state = stored ? (JSON.parse(inflateRawSync(stored.bytes, { dictionary: this.#dictionary(profile) }).toString('utf8')) as DeviceState) : undefined;
    const device = new Device({ id: this.deviceId(index), profile, clock: this.clock, seed: this.deviceSeed(index), tickMs: this.#tickMs, ...(state ? { state } : {}) });
    if (stored) {
      // Battery and counters move on for the time it was put away, in one step.
      device.catchUp(this.clock.now() - stored.atMs);
      this.#stored.delete(index);
      this.wakes++;
    }
    // Fleet routers keep no file share: thousands of temporary folders would be the cost of a rarely used area.
    const faults = this.#storedFaults.get(index) ?? new Faults(this.deviceSeed(index));
    this.#storedFaults.delete(index);
    const router = createRouter(device, { journal: this.journal, faults, share: null, unhandled: this.#unhandled });
    const member: Member = { index, device, router, channel: null };
    const url = this.#goformUrls[index - this.start];
    if (url) router.endpoints.goformUrl = url;
    this.#live.set(index, member);
    this.#cpes.get(index)?.attach(device);
    this.#agents.get(index)?.attach(device);
    return member;
  }

  /**
   * Every device of this shard as a fleet-page row (control/fleet-view.ts): live ones from their state and channels,
   * put-away ones from their stored state, inflated here and not woken (a row costs ~50 µs, not a device).
   */
  rows(): DeviceRow[] {
    const out: DeviceRow[] = [];
    for (let i = this.start; i < this.end; i++) {
      const live = this.#live.get(i);
      const acs = acsColumn(this.#cpes.get(i)?.status() ?? null);
      if (live) {
        out.push(rowOf(live.device.state, live.device.profile.name, cloudColumn(live.channel?.status() ?? null), acs));
        continue;
      }
      const profile = this.profileOf(i);
      const stored = this.#stored.get(i);
      if (stored) {
        // A put-away state does not change until the device wakes: its row is inflated once (the fleet page asks
        // every second), kept as long as those stored bytes are.
        let row = this.#storedRows.get(stored.bytes);
        if (!row) this.#storedRows.set(stored.bytes, (row = rowOf(JSON.parse(inflateRawSync(stored.bytes, { dictionary: this.#dictionary(profile) }).toString('utf8')) as DeviceState, profile.name, 'none', 'none')));
        out.push(acs === row.acs ? row : { ...row, acs });
        continue;
      }
      // Never started: the row of the state it will start with, made once (only once the fleet page asks).
      let fresh = this.#freshRows.get(i);
      if (!fresh) this.#freshRows.set(i, (fresh = rowOf(this.#freshState(i), profile.name, 'none', 'none')));
      out.push(acs === fresh.acs ? fresh : { ...fresh, acs });
    }
    return out;
  }

  /** A device's state as it starts (before anything touched it), without keeping a device for it. */
  #freshState(index: number): DeviceState {
    const profile = this.profileOf(index);
    return createInitialState({ id: this.deviceId(index), profile, home: loadCarrier(profile.homeCarrier), roaming: loadCarrier(profile.roamingCarrier), seed: this.deviceSeed(index), nowMs: this.clock.now() });
  }

  /** A device's rules whether it is live or put away (null when it never had any). */
  #rulesOf(index: number): Rules | null {
    return this.#live.get(index)?.router.faults.rules ?? this.#storedFaults.get(index)?.rules ?? null;
  }

  #withChannel(m: Member): Promise<void> {
    if (m.channel || !this.#cloud) return Promise.resolve();
    m.channel = new CloudChannel(m.device, { ...this.#cloud, journal: this.journal, rules: m.router.faults.rules });
    return m.channel.start();
  }

  #control(m: Member): ControlDevice {
    return { device: m.device, faults: m.router.faults, endpoints: m.router.endpoints, cloud: () => m.channel?.status() ?? null, cwmp: () => this.#cpes.get(m.index) ?? null };
  }

  #serveGoform(index: number, req: IncomingMessage, res: ServerResponse): void {
    this.#member(index).router.serveDevice(req, res);
  }

  #putAwayQuiet(): void {
    const now = this.clock.now();
    for (const [index, m] of this.#live) {
      if (m.channel || now - this.#lastUse[index - this.start]! < this.#hibernateAfterMs) continue;
      this.putAway(index);
    }
  }

  #directory(): DeviceDirectory {
    const summary = (i: number): DeviceSummary => {
      const p = this.profileOf(i);
      const url = this.#goformUrls[i - this.start];
      return { id: this.deviceId(i), profile: p.name, model: p.model, api: p.api, imei: this.identityOf(i).imei, ...(url ? { goformUrl: url } : {}) };
    };
    const matches = (i: number, q: string | undefined): boolean => !q || this.deviceId(i).includes(q) || this.profileOf(i).name === q;
    return {
      get: (id) => {
        const i = this.indexOf(id);
        return i === null ? undefined : this.#control(this.#member(i));
      },
      rows: () => this.rows(),
      list: ({ offset, limit, q }) => {
        if (!q) {
          const items: DeviceSummary[] = [];
          for (let i = this.start + offset; i < Math.min(this.end, this.start + offset + limit); i++) items.push(summary(i));
          return { total: this.size, items };
        }
        const hits: number[] = [];
        for (let i = this.start; i < this.end; i++) if (matches(i, q)) hits.push(i);
        return { total: hits.length, items: hits.slice(offset, offset + limit).map(summary) };
      },
      select: (sel: DeviceSelection) => {
        const out: string[] = [];
        const wanted = sel.ids ? new Set(sel.ids) : null;
        const from = Math.max(this.start, sel.from ?? 0);
        const to = Math.min(this.end, sel.to ?? Infinity);
        for (let i = from; i < to; i++) {
          const id = this.deviceId(i);
          if (wanted && !wanted.has(id)) continue;
          if (sel.profile !== undefined && this.profileOf(i).name !== sel.profile) continue;
          if (sel.percent !== undefined && pick(id, sel.seed ?? 0) >= sel.percent / 100) continue;
          out.push(id);
        }
        return out;
      },
    };
  }
}

function goformAddresses(options: FleetGoformOptions, start: number, end: number): (index: number) => { host: string; port: number } {
  if ('basePort' in options) {
    const host = options.host ?? '127.0.0.1';
    if (!isLoopbackHost(host)) throw new BenchError('CONFIG_INVALID', `[fleet] goform listeners bind to loopback only, not ${host}`);
    if (!Number.isInteger(options.basePort) || options.basePort < 1 || options.basePort + end - 1 > 65_535) {
      throw new BenchError('CONFIG_INVALID', `[fleet] --goform-base-port ${options.basePort} + index ${end - 1} passes port 65535; pick a lower base or a smaller shard`);
    }
    return (i) => ({ host, port: options.basePort + i });
  }
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(options.addressBase);
  if (!m) throw new BenchError('CONFIG_INVALID', `[fleet] --goform-address-base must be a loopback address 127.x.y.z, got ${options.addressBase}`);
  const base = (Number(m[1]) << 16) | (Number(m[2]) << 8) | Number(m[3]);
  if (base + end - 1 > 0xfffffe || Number(m[1]) > 255 || Number(m[2]) > 255 || Number(m[3]) > 255) throw new BenchError('CONFIG_INVALID', `[fleet] ${end - start} addresses from ${options.addressBase} leave 127.0.0.0/8`);
  return (i) => {
    const a = base + i;
    return { host: `127.${(a >> 16) & 255}.${(a >> 8) & 255}.${a & 255}`, port: options.port };
  };
}
