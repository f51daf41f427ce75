import { execFile } from 'node:child_process';
import { connectUsp, type UspTargetOptions } from './usp-capability.js';
import type { BindingInterface } from '@serialport/bindings-interface';
import { AtSession } from '../clients/at-session.js';
import { GoformClient } from '../clients/goform-client.js';
import { UbusClient } from '../clients/ubus-client.js';
import { BenchError } from '../errors.js';
import type { ClockCapability, CloudEndpoint, PowerCapability, StimuliCapability, TargetDescription } from '../target.js';
import { SerialTransport } from '../transports/transports.js';
import { BaseTarget } from './base-target.js';

// Real hardware: a router over HTTP (LAN or USB tethering) and a modem over a serial port.

const wallClock: ClockCapability = {
  now: () => Promise.resolve(Date.now()),
  // Real devices run on wall time: advancing means waiting, until Date.now() has really moved by `ms`
  // (a timer may fire a millisecond early against Date.now()).
  advance: async (ms) => {
    const until = Date.now() + ms;
    while (Date.now() < until) await new Promise((r) => setTimeout(r, Math.max(1, until - Date.now())));
  },
};

class HardwareTarget extends BaseTarget {
  constructor(
    id: string,
    readonly description: Omit<TargetDescription, 'capabilities'>,
    readonly releaseFn: () => Promise<void>,
  ) {
    super(id);
  }

  set(caps: BaseTarget['capabilities']): void {
    this.capabilities = caps;
  }

  describe(): TargetDescription {
    return { ...this.description, capabilities: Object.keys(this.capabilities) as TargetDescription['capabilities'] };
  }

  protected release(): Promise<void> {
    return this.releaseFn();
  }
}

export interface RouterTargetOptions {
  url: string;
  password: string;
  /** The router's web API: goform (default) or ubus (ZWRT firmware: G5TS, G5 Ultra, U60 Pro...). */
  api?: 'goform' | 'ubus' | undefined;
  /** Allow reboot, factory reset and firmware updates on this device. Default false. */
  allowDestructive?: boolean | undefined;
  instruments?: Instruments | undefined;
  /** Where this router's cloud channel reports (the broker of the cloud under test); gives the cloud capability. */
  cloud?: CloudEndpoint | undefined;
  /** The router's USP Agent and its broker; gives the usp capability (a scenario acting as its Controller). */
  usp?: UspTargetOptions | undefined;
}

/** Optional bench instruments that give a hardware target stimuli and power. */
export interface Instruments {
  /**
   * A shell command that power-cycles the device (a relay, `uhubctl -a cycle -l 1-1 -p 2`). Exit code 0 =
   * done; anything else marks the target broken.
   */
  powerCycleCommand?: string | undefined;
  /** A second modem (serial path) that sends SMS to the device under test: the "incoming SMS" stimulus. */
  smsModemPath?: string | undefined;
  smsModemBinding?: BindingInterface | undefined;
  /** The device under test's phone number; default its goform `msisdn`. */
  msisdn?: string | undefined;
}

/** A router over HTTP. No stimuli: a real router cannot be told to lose signal without an instrument. */
export async function connectRouter(options: RouterTargetOptions): Promise<HardwareTarget> {
  if (options.api === 'ubus') return connectUbusRouter(options);
  const client = new GoformClient({ baseUrl: options.url, password: options.password });
  guardDestructive(client, options.allowDestructive ?? false, options.url);
  await client.login();
  const g = await client.generation();
  const id = `router:${client.baseUrl}`;
  const smsModem = options.instruments?.smsModemPath ? await connectModem({ path: options.instruments.smsModemPath, binding: options.instruments.smsModemBinding }) : null;
  const usp = options.usp ? await connectUsp(options.usp, options.allowDestructive ?? false) : null;
  const target = new HardwareTarget(id, { id, kind: 'router', details: { url: client.baseUrl, login: g.passwordEncoding, ad: g.ad } }, async () => {
    await usp?.close();
    await smsModem?.close();
    await client.logout().catch((e: unknown) => {
      // Logging out of a device that rebooted or went away is not an error worth failing close() for.
      if (!(e instanceof BenchError)) throw e;
    });
  });
  const caps: BaseTarget['capabilities'] = { router: client, clock: wallClock };
  if (smsModem) caps.stimuli = smsStimuli(smsModem.require('modem'), options.instruments?.msisdn ?? (await client.get(['msisdn'])).msisdn ?? '');
  if (options.instruments?.powerCycleCommand) caps.power = powerHook(options.instruments.powerCycleCommand, target, async () => void (await client.login()));
  const cloud = options.cloud;
  if (cloud) caps.cloud = { endpoint: () => Promise.resolve(cloud) };
  if (usp) caps.usp = usp;
  target.set(caps);
  return target;
}

export interface ModemTargetOptions {
  path: string;
  baudRate?: number | undefined;
  /** A serialport binding (the mock binding in tests); default the native one. */
  binding?: BindingInterface | undefined;
  allowDestructive?: boolean | undefined;
  /** How long to wait for a vanished port (USB re-enumeration after a modem reboot) to come back, ms. Default 30000. */
  reconnectTimeoutMs?: number | undefined;
}

/** A modem on a serial port (a real ZTE USB modem, a PTY, or a mock-bound port). */
export async function connectModem(options: ModemTargetOptions): Promise<HardwareTarget> {
  const transport = new SerialTransport(options.path, { ...(options.baudRate ? { baudRate: options.baudRate } : {}), ...(options.binding ? { binding: options.binding } : {}) });
  await transport.open();
  const session = new AtSession(transport);
  try {
    await session.init();
  } catch (e) {
    await transport.close();
    throw new BenchError('TRANSPORT_OPEN_FAILED', `[hil:modem] ${options.path} does not answer AT; is it the modem's AT interface?`, { cause: e });
  }
  if (!options.allowDestructive) guardModem(session, options.path);
  const id = `modem:${options.path}`;
  const model = (await session.command('AT+CGMM')).lines[0] ?? '';
  const target = new HardwareTarget(id, { id, kind: 'modem', details: { port: options.path, model } }, () => session.close());
  const watch = (): void => {
    transport.onClose((e) => {
      if (!e) return; // closed by us
      // The port disappeared (a reboot re-enumerating USB): wait for it to come back, re-initialise, or mark the
      // target broken. This is the one retry the driver does, and it is bounded by reconnectTimeoutMs.
      void reconnect(transport, session, options.reconnectTimeoutMs ?? 30_000).then(
        () => watch(),
        (failure: Error) => target.markBroken(new BenchError('TARGET_BROKEN', `[hil:modem] ${options.path} did not come back: ${failure.message}`, { cause: e })),
      );
    });
  };
  watch();
  target.set({ modem: session, clock: wallClock });
  return target;
}

/** Wraps the client's writes: reboot, factory reset and firmware update refuse unless allowed. */
/** A ZWRT router over HTTP(S): the ubus SDK client; power and cloud from the config as for goform routers. */
async function connectUbusRouter(options: RouterTargetOptions): Promise<HardwareTarget> {
  const client = new UbusClient({ baseUrl: options.url, password: options.password, ...(options.allowDestructive ? {} : { refuse: UBUS_DESTRUCTIVE }) });
  await client.login();
  const id = `router:${client.options.baseUrl}`;
  const info = await client.call('uci', 'get', { config: 'zwrt_common_info', section: 'common_config' }).catch((e: unknown) => {
    // The firmware identity is a courtesy for describe(); a router that hides it still works.
    if (e instanceof BenchError) return { values: {} };
    throw e;
  });
  const values = (info.values ?? {}) as Record<string, string>;
  const usp = options.usp ? await connectUsp(options.usp, options.allowDestructive ?? false) : null;
  const target = new HardwareTarget(id, { id, kind: 'router', details: { url: client.options.baseUrl, api: 'ubus', model: values.model_name ?? '', firmware: values.wa_inner_version ?? '' } }, async () => {
    await usp?.close();
    await client.logout().catch((e: unknown) => {
      // Logging out of a device that rebooted or went away is not an error worth failing close() for.
      if (!(e instanceof BenchError)) throw e;
    });
  });
  const caps: BaseTarget['capabilities'] = { ubus: client, clock: wallClock };
  if (options.instruments?.powerCycleCommand) caps.power = powerHook(options.instruments.powerCycleCommand, target, () => client.login());
  const cloud = options.cloud;
  if (cloud) caps.cloud = { endpoint: () => Promise.resolve(cloud) };
  if (usp) caps.usp = usp;
  target.set(caps);
  return target;
}

/** ubus calls that reboot, reset or power off a router (ubus-api.md §6.16): refused on hardware unless allowed. */
const UBUS_DESTRUCTIVE = ['zwrt_mc.device.manager.device_reboot', 'zwrt_mc.device.manager.device_reset', 'zwrt_mc.device.manager.device_poweroff', 'zwrt_mc.device.manager.fac_reset', 'zwrt_mc.device.manager.fac_reboot', 'zwrt_zte_dm.confirm_download'];

function guardDestructive(client: GoformClient, allowed: boolean, where: string): void {
  if (allowed) return;
  const destructive = new Set(['REBOOT_DEVICE', 'RESTORE_FACTORY_SETTINGS', 'IF_UPGRADE', 'TURN_OFF_DEVICE', 'SHUTDOWN_DEVICE']);
  const set = client.set.bind(client);
  client.set = async (goformId, fields) => {
    if (destructive.has(goformId)) {
      throw new BenchError('INVALID_ARGUMENT', `[hil:router] ${goformId} refused on ${where}: destructive on hardware; set allowDestructive in the target config to allow it`);
    }
    return set(goformId, fields);
  };
}

export type { HardwareTarget };

async function reconnect(transport: SerialTransport, session: AtSession, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(10, timeoutMs / 20))));
    try {
      await transport.open();
      await session.init();
      return;
    } catch (e) {
      // Not back yet: keep the reason and try again until the deadline.
      last = e;
    }
  }
  throw last instanceof Error ? last : new Error(`no answer within ${timeoutMs} ms`);
}

/** The one stimulus a bench with a second modem can apply: an incoming SMS, really sent over the network. */
function smsStimuli(sender: AtSession, msisdn: string): StimuliCapability {
  return {
    async apply(name, body) {
      if (name !== 'sms') {
        throw new BenchError('CAPABILITY_MISSING', `[hil:instruments] stimulus "${name}" needs an instrument this bench does not have; only "sms" (a second modem) is wired`, { details: { capability: `stimuli.${name}` } });
      }
      const text = typeof body.text === 'string' ? body.text : '';
      if (!text) throw new BenchError('INVALID_ARGUMENT', '[hil:instruments] sms needs a non-empty "text"');
      if (!msisdn) throw new BenchError('CONFIG_INVALID', '[hil:instruments] the device under test has no known number; set instruments.msisdn');
      return { ok: true, references: await sender.sendSms(msisdn, text) };
    },
  };
}

/** Power through a command hook; a failing command marks the target broken (no silent retry). */
function powerHook(command: string, target: HardwareTarget, afterBoot: () => Promise<void>): PowerCapability {
  return {
    async cycle() {
      try {
        await new Promise<void>((resolve, reject) =>
          execFile('sh', ['-c', command], { timeout: 120_000 }, (e, _out, err) => (e ? reject(new Error(`"${command}" failed: ${err.trim() || e.message}`)) : resolve())),
        );
        await afterBoot();
      } catch (e) {
        const failure = e instanceof Error ? e : new Error(String(e));
        target.markBroken(failure);
        throw new BenchError('TARGET_BROKEN', `[hil:power] power cycle failed; the target is marked broken: ${failure.message}`, { cause: failure });
      }
    },
  };
}

/** One target over a router and the modem inside it: the router's capabilities plus the modem session. */
export function combineTargets(router: HardwareTarget, modem: HardwareTarget): HardwareTarget {
  const id = `${router.id}+${modem.id}`;
  const combined = new HardwareTarget(id, { id, kind: 'combined', details: { ...router.describe().details, ...modem.describe().details } }, async () => {
    await modem.close();
    await router.close();
  });
  const caps: BaseTarget['capabilities'] = {};
  for (const name of router.describe().capabilities) Object.assign(caps, { [name]: router.require(name) });
  caps.modem = modem.require('modem');
  combined.set(caps);
  router.onBroken((e) => combined.markBroken(e));
  modem.onBroken((e) => combined.markBroken(e));
  return combined;
}

/** AT commands that reset, power off or re-flash a modem (27.007 +CFUN with reset, ZTE composition switch). */
const DESTRUCTIVE_AT = /^AT\+CFUN=\s*\d+\s*,\s*1\b|^AT\+CFUN=\s*0\b|^AT\+ZCDRUN|^AT\+ZRESET|^AT\^RESET/i;

function guardModem(session: AtSession, where: string): void {
  const command = session.command.bind(session);
  session.command = (line, opts) => {
    if (DESTRUCTIVE_AT.test(line.trim())) {
      return Promise.reject(new BenchError('INVALID_ARGUMENT', `[hil:modem] ${line} refused on ${where}: destructive on hardware; set allowDestructive in the target config to allow it`));
    }
    return command(line, opts);
  };
}
