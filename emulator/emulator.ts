import { getRequestListener } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import selfsigned from 'selfsigned';
import { BenchError } from '../hil/errors.js';
import { VirtualClock, type ClockMode } from './clock/virtual-clock.js';
import type { FileShare } from './http/file-share.js';
import type { GoformApp } from './http/goform-app.js';
import type { UbusApp } from './ubus/ubus-app.js';
import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { startEmbeddedBroker, type EmbeddedBroker } from './cloud/broker.js';
import { CloudChannel, type CloudChannelOptions } from './cloud/channel.js';
import { createControlApp } from './control/control-app.js';
import { mapDirectory } from './control/control-routes.js';
import type { Faults } from './instrument/faults.js';
import { Journal } from './instrument/journal.js';
import { UnhandledReporter, type UnhandledPolicy } from './instrument/unhandled.js';
import type { Modem } from './modem/modem.js';
import { createRouter } from './router.js';
import { Cpe } from './cwmp/cpe.js';
import { UspAgent, type UspAgentOptions } from './usp/agent.js';
import { ConnectionRequestServer } from './cwmp/connection-request.js';
import { SeededRandom } from './state/identity.js';
import { listenModemTcp, listenModemUnix, openModemPty, type ModemPty, type ModemTcp, type ModemUnix } from './modem/transports.js';
import { closeServer, isLoopbackHost, listenOn } from './net.js';
import { Device } from './state/device.js';
import { loadProfile } from './state/profile.js';

export interface EmulatorOptions {
  /** Device profile name from fixtures/profiles (default 'mf79u'). Unknown names throw CONFIG_INVALID. */
  profile?: string;
  /** Seed for identities and every random choice; same seed + same steps = same answers. Default 1. */
  seed?: number;
  /** 'running' follows wall time x speed (default); 'paused' moves only with clock.advance(). */
  clockMode?: ClockMode;
  /** Virtual seconds per wall second while running. Default 1. */
  speed?: number;
  /** Virtual epoch ms at start. Default: fixed 2026-01-01T00:00Z when paused, now when running. */
  originMs?: number;
  /** Login password; default the profile's (admin). */
  password?: string;
  /** Folder for shared files; default a temporary folder deleted on close(). */
  shareDir?: string;
  /** Policy for unimplemented goformIds, paths and AT commands. Default 'warn'; tests use 'error'. */
  onUnhandled?: UnhandledPolicy;
  /** Journal ring size in entries. Default 10000. */
  journalCapacity?: number;
  /** Token the control API requires; default none (then it may only listen on loopback). Empty: CONFIG_INVALID. */
  controlToken?: string | undefined;
  /** Host names besides loopback the control API and dashboard answer (requests naming others get 403). */
  controlAllowHosts?: readonly string[] | undefined;
  /**
   * A stock web UI folder (index.html, js/, css/, img/...) extracted from your own device's firmware, served on the
   * goform port as the device serves it. Default: a small page of the emulator's own at `/`. CONFIG_INVALID when the
   * folder has no index.html.
   */
  webUiDir?: string | undefined;
  /** Device id (default "dev-0"); lowercase letters, digits and dashes when the cloud channel is used. */
  id?: string;
}

/** The ACS a CPE reports to, and where it answers connection requests. */
export interface StartCwmpOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  periodicInformIntervalS?: number | undefined;
  /** Connection-request credentials the ACS must use (default: the serial number and a password drawn from the seed). */
  crUsername?: string | undefined;
  crPassword?: string | undefined;
  crHost?: string | undefined;
  crPort?: number | undefined;
  crAllowRemote?: boolean | undefined;
}

/** The cloud channel of startCloud(): a broker URL, or none for the embedded aedes broker on loopback. */
export type StartCloudOptions = Omit<CloudChannelOptions, 'url' | 'journal'> & { url?: string; brokerHost?: string; brokerPort?: number };

export interface Emulator {
  readonly device: Device;
  readonly clock: VirtualClock;
  readonly goform: GoformApp;
  /** The ubus (ZWRT JSON-RPC) surface; served on the device port when the profile's api is ubus. */
  readonly ubus: UbusApp;
  readonly share: FileShare | null;
  /** The AT modem over the same device state; open in-process ports with modem.openPort(). */
  readonly modem: Modem;
  /** Every goform request and AT command/URC, bounded. */
  readonly journal: Journal;
  /** Faults injected on the goform and AT surfaces. */
  readonly faults: Faults;
  /** The unhandled policy of every surface; under 'error', `unhandled.errors` lists what was asked for. */
  readonly unhandled: UnhandledReporter;
  /** The control API app (stimuli, time, faults, journal, events, OpenAPI at /api/v1/openapi.json). */
  readonly control: Hono<{ Bindings: Partial<HttpBindings> }>;
  /**
   * Serve the control API (default 127.0.0.1:8081). Rejects with CONFIG_INVALID on a non-loopback host
   * without a token, or when the port is taken.
   */
  listenControl(options?: { host?: string; port?: number }): Promise<string>;
  /**
   * Serve the device's web API (goform, or ubus on a ZWRT profile); resolves with the bound URL. Rejects with
   * CONFIG_INVALID when the port is taken.
   */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /**
   * Serve the device's web API over TLS as well (ubus-generation clients default to https, ubus-api.md §2.5), with
   * a self-signed certificate generated now unless `certFile`/`keyFile` name PEM files. Resolves with the https URL.
   * Rejects with CONFIG_INVALID when the port is taken or a file cannot be read.
   */
  listenHttps(options?: { host?: string; port?: number; certFile?: string | undefined; keyFile?: string | undefined }): Promise<string>;
  /** Offer the modem on loopback TCP (one AT port per connection). Rejects with CONFIG_INVALID when taken. */
  listenModemTcp(options?: { host?: string; port?: number; allowRemote?: boolean }): Promise<ModemTcp>;
  /** Offer the modem as a pseudo-terminal at `link` (needs socat). Rejects with TRANSPORT_OPEN_FAILED. */
  openModemPty(link: string): Promise<ModemPty>;
  /** Offer the modem as one serial line on a UNIX socket at `path` (ModemManager's virtual ports). */
  listenModemUnix(path: string): Promise<ModemUnix>;
  /**
   * Connect the router's cloud channel (MQTT). Without `url` an embedded aedes broker starts on loopback
   * (default port 1883). Resolves once connected the first time.
   */
  startCloud(options?: StartCloudOptions): Promise<{ channel: CloudChannel; brokerUrl: string; broker: EmbeddedBroker | null }>;
  /** The cloud channel once started. */
  readonly cloud: CloudChannel | null;
  /**
   * Make the router a TR-069 CPE of the ACS at `url` (device-management.md §1): BOOTSTRAP and BOOT on first contact,
   * periodic informs on the virtual clock, connection requests on a loopback listener (`crPort`, default 7547; 0 picks
   * a free one). Resolves once listening; the first session starts on its own.
   */
  startCwmp(options: StartCwmpOptions): Promise<{ cpe: Cpe; connectionRequestUrl: string }>;
  /** The CPE once started. */
  readonly cwmp: Cpe | null;
  /**
   * Make the router a TR-369 USP Agent on an MQTT 5 broker (device-management.md §3): it subscribes to its agent
   * topic, sends the MQTT connect Record and Boot! to the Controller, and answers Records. Resolves once connected.
   */
  startUsp(options: Omit<UspAgentOptions, 'clock' | 'journal'>): Promise<UspAgent>;
  /** The USP Agent once started. */
  readonly usp: UspAgent | null;
  /** Stop listening, stop the clock, remove a temporary share folder. Idempotent. */
  close(): Promise<void>;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const profile = loadProfile(options.profile ?? 'mf79u');
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new BenchError('INVALID_ARGUMENT', `[emulator] seed must be a non-negative integer, got ${seed}`);
  }
  const clock = new VirtualClock({
    mode: options.clockMode ?? 'running',
    speed: options.speed ?? 1,
    ...(options.originMs === undefined ? {} : { originMs: options.originMs }),
  });
  const device = new Device({ profile, clock, seed, ...(options.id === undefined ? {} : { id: options.id }), ...(options.password === undefined ? {} : { password: options.password }) });
  const journal = new Journal(options.journalCapacity ?? 10_000);
  const router = createRouter(device, {
    journal,
    unhandled: new UnhandledReporter(options.onUnhandled ?? 'warn'),
    webUiDir: options.webUiDir,
    ...(options.shareDir === undefined ? {} : { share: profile.keyGroups.includes('httpshare') ? { dir: options.shareDir } : null }),
  });
  const { share, faults, modem, goform, endpoints } = router;
  const controlToken = options.controlToken ?? null;
  let cloud: CloudChannel | null = null;
  let broker: EmbeddedBroker | null = null;
  let cpe: Cpe | null = null;
  let usp: UspAgent | null = null;
  let crServer: ConnectionRequestServer | null = null;
  const handle = { device, faults, endpoints, cloud: () => cloud?.status() ?? null, cwmp: () => cpe };
  const control = createControlApp({ devices: mapDirectory(new Map([[device.state.id, handle]])), clock, journal, token: controlToken, allowHosts: options.controlAllowHosts });
  const modemTransports: { close(): Promise<void> }[] = [];
  const servers: Server[] = [];
  let server: Server | undefined;
  let closed = false;

  return {
    device,
    clock,
    goform,
    get ubus() {
      return router.ubus;
    },
    share,
    modem,
    journal,
    faults,
    unhandled: router.unhandled,
    control,
    get cloud() {
      return cloud;
    },
    get cwmp() {
      return cpe;
    },
    get usp() {
      return usp;
    },
    async startUsp(opts) {
      if (usp) throw new BenchError('INVALID_ARGUMENT', '[emulator] the USP Agent is already started');
      if (!/^mqtts?:\/\//i.test(opts.brokerUrl)) throw new BenchError('CONFIG_INVALID', `[emulator:usp] the broker must be mqtt(s)://..., got ${opts.brokerUrl}`);
      usp = new UspAgent(device, { ...opts, clock, journal, rules: () => faults.rules });
      await usp.start();
      return usp;
    },
    async startCwmp(opts) {
      if (cpe) throw new BenchError('INVALID_ARGUMENT', '[emulator] the CWMP CPE is already started');
      if (!/^https?:\/\//i.test(opts.url)) throw new BenchError('CONFIG_INVALID', `[emulator:cwmp] the ACS URL must be http(s)://..., got ${opts.url}`);
      crServer = new ConnectionRequestServer();
      await crServer.listen({ host: opts.crHost ?? '127.0.0.1', port: opts.crPort ?? 7547, allowRemote: opts.crAllowRemote ?? false });
      const rng = new SeededRandom(device.state.seed ^ 0xc12e);
      const path = rng.hex(32);
      const credentials = { username: opts.crUsername ?? device.state.identity.serialNumber, password: opts.crPassword ?? rng.hex(16) };
      const url = crServer.register(path, {
        credentials: () => ({ username: device.state.management.connectionRequestUsername, password: device.state.management.connectionRequestPassword }),
        connectionRequest: () => cpe!.connectionRequest(),
      });
      cpe = new Cpe({ acs: { url: opts.url, username: opts.username, password: opts.password, periodicInformIntervalS: opts.periodicInformIntervalS }, seed: device.state.seed, clock, journal, connectionRequest: { url, ...credentials }, rules: () => faults.rules });
      cpe.attach(device);
      return { cpe, connectionRequestUrl: url };
    },
    async startCloud(opts = {}) {
      if (cloud) throw new BenchError('INVALID_ARGUMENT', '[emulator] the cloud channel is already started');
      const { url, brokerHost, brokerPort, ...channelOptions } = opts;
      if (url === undefined) broker = await startEmbeddedBroker({ ...(brokerHost === undefined ? {} : { host: brokerHost }), ...(brokerPort === undefined ? {} : { port: brokerPort }) });
      const brokerUrl = url ?? broker!.url;
      cloud = new CloudChannel(device, { ...channelOptions, url: brokerUrl, journal, rules: faults.rules });
      await cloud.start();
      return { channel: cloud, brokerUrl, broker };
    },
    async listenControl({ host = '127.0.0.1', port = 8081 } = {}) {
      if (controlToken === null && !isLoopbackHost(host)) {
        throw new BenchError('CONFIG_INVALID', `[emulator:control] binding the control API to ${host} needs a token; give --control-token or ROUTERLAB_CONTROL_TOKEN`);
      }
      const controlListener = getRequestListener(control.fetch);
      const s = createServer(function controlRequests(incoming, outgoing) {
        void controlListener(incoming, outgoing);
      });
      servers.push(s);
      return listenOn(s, host, port, 'control API', '--control-port');
    },
    async listenHttps({ host = '127.0.0.1', port = 8443, certFile, keyFile } = {}) {
      if ((certFile === undefined) !== (keyFile === undefined)) throw new BenchError('CONFIG_INVALID', '[emulator] give both --tls-cert and --tls-key, or neither (a certificate is then generated)');
      let cert: string;
      let key: string;
      if (certFile !== undefined && keyFile !== undefined) {
        try {
          cert = readFileSync(certFile, 'utf8');
          key = readFileSync(keyFile, 'utf8');
        } catch (e) {
          throw new BenchError('CONFIG_INVALID', `[emulator] cannot read the TLS certificate or key (${e instanceof Error ? e.message : String(e)}); check --tls-cert and --tls-key`, { cause: e });
        }
      } else {
        // Self-signed like the device's own (§2.5: clients turn verification off); valid ten years from the wall clock.
        const pems = await selfsigned.generate([{ name: 'commonName', value: device.state.wan.lan.ip }], { keySize: 2048, notAfterDate: new Date(Date.now() + 3650 * 86_400_000), algorithm: 'sha256' });
        cert = pems.cert;
        key = pems.private;
      }
      let s: ReturnType<typeof createTlsServer>;
      try {
        s = createTlsServer({ cert, key }, (incoming, outgoing) => router.serveDevice(incoming, outgoing));
      } catch (e) {
        throw new BenchError('CONFIG_INVALID', `[emulator] the TLS certificate or key is not usable (${e instanceof Error ? e.message : String(e)})`, { cause: e });
      }
      servers.push(s);
      const url = await listenOn(s, host, port, 'https', '--https-port');
      return url.replace(/^http:/, 'https:');
    },
    async listenModemTcp(opts = {}) {
      const tcp = await listenModemTcp(modem, opts);
      modemTransports.push(tcp);
      endpoints.modemTcp = `${tcp.host}:${tcp.port}`;
      return tcp;
    },
    async openModemPty(link) {
      const pty = await openModemPty(modem, { link });
      modemTransports.push(pty);
      return pty;
    },
    async listenModemUnix(path) {
      const unix = await listenModemUnix(modem, { path });
      modemTransports.push(unix);
      return unix;
    },
    async listen({ host = '127.0.0.1', port = 8080 } = {}) {
      if (server) throw new BenchError('INVALID_ARGUMENT', '[emulator] already listening; close() first');
      const s = createServer((incoming, outgoing) => router.serveDevice(incoming, outgoing));
      server = s;
      try {
        const url = await listenOn(s, host, port, 'goform', '--port');
        endpoints.goformUrl = url;
        return url;
      } catch (e) {
        server = undefined;
        throw e;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const s = server;
      server = undefined;
      if (s) await closeServer(s);
      for (const t of modemTransports.splice(0)) await t.close();
      await cloud?.close();
      await broker?.close();
      cpe?.close();
      await crServer?.close();
      await usp?.close();
      for (const extra of servers.splice(0)) await closeServer(extra);
      router.close();
      clock.close();
    },
  };
}
