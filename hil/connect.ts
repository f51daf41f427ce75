import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { connectRemoteEmulator, createEmulatorTarget } from './drivers/emulator-target.js';
import { combineTargets, connectModem, connectRouter } from './drivers/hardware-targets.js';
import { findModemPort } from './drivers/port-discovery.js';
import { BenchError } from './errors.js';
import type { Target } from './target.js';

// The composition root: a target config (JSON file or CLI shorthand) to a driver. The ONLY place that
// branches on the kind of target.

const singleTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('emulator'),
    profile: z.string().optional(),
    seed: z.number().int().min(0).optional(),
    /** 'paused' for stepped, deterministic runs (scenarios); default running at x10 for interactive SDK use. */
    clockMode: z.enum(['paused', 'running']).optional(),
    /** Virtual seconds per wall second while running (default 10). */
    speed: z.number().gt(0).max(100_000).optional(),
    controlUrl: z.string().url().optional(),
    token: z.string().optional(),
    /** The emulator's cloud channel: a broker URL (a real Mosquitto), or none for an embedded broker. */
    cloud: z.object({ url: z.string().regex(/^(mqtts?|wss?):\/\//, 'an mqtt:// URL').optional(), topicPrefix: z.string().optional(), telemetryIntervalMs: z.number().int().min(100).optional() }).strict().optional(),
    /** The emulator as a TR-069 CPE of this ACS (its journal shows the sessions under surface cwmp). */
    acs: z.object({ url: z.string().regex(/^https?:\/\//, 'an http(s):// URL'), username: z.string().optional(), password: z.string().optional() }).strict().optional(),
    /** The emulator as a TR-369 USP Agent on this MQTT 5 broker; gives the usp capability (the scenario is its Controller). */
    usp: z.object({ url: z.string().regex(/^mqtts?:\/\//, 'an mqtt:// URL') }).strict().optional(),
  }),
  z.object({
    kind: z.literal('router'),
    url: z.string().url(),
    password: z.string().min(1),
    /** The router's web API: goform (default) or ubus (ZWRT firmware). */
    api: z.enum(['goform', 'ubus']).optional(),
    allowDestructive: z.boolean().optional(),
    instruments: z.object({ powerCycleCommand: z.string().min(1).optional(), smsModemPath: z.string().min(1).optional(), msisdn: z.string().optional() }).optional(),
    /** The broker this router's cloud channel reports to, and its device id there: gives the cloud capability. */
    cloud: z.object({ url: z.string().regex(/^(mqtts?|wss?):\/\//, 'an mqtt:// URL'), deviceId: z.string().min(1), topicPrefix: z.string().default('routerlab'), username: z.string().optional(), password: z.string().optional() }).strict().optional(),
    /** The router's USP Agent: its broker, Endpoint ID and request topic, and the Controller it knows. */
    usp: z.object({ url: z.string().regex(/^mqtts?:\/\//, 'an mqtt:// URL'), endpointId: z.string().min(1), agentTopic: z.string().min(1), controllerEndpointId: z.string().optional(), controllerTopic: z.string().optional(), username: z.string().optional(), password: z.string().optional() }).strict().optional(),
  }),
  z.object({ kind: z.literal('modem'), path: z.string().min(1), baudRate: z.number().int().positive().optional(), allowDestructive: z.boolean().optional() }),
]);

/** A router and the modem inside it (the same device over HTTP and serial), one target with both capabilities. */
const combinedSchema = z.object({ kind: z.literal('combined'), router: singleTargetSchema.options[1], modem: singleTargetSchema.options[2] });

/**
 * Targets only load runs take (many goform endpoints, no single device): a fleet of N started for the run, or a
 * bare goform URL. connectTarget refuses them with CONFIG_INVALID.
 */
const loadOnlySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fleet'), count: z.number().int().min(1), profiles: z.array(z.string()).optional() }),
  z.object({ kind: z.literal('goform'), url: z.string().url() }),
]);

export const targetConfigSchema = z.union([singleTargetSchema, combinedSchema, loadOnlySchema]);
export type TargetConfig = z.infer<typeof targetConfigSchema>;

/**
 * Parses a CLI shorthand: `emulator`, `emulator:mc888`, `emulator:http://127.0.0.1:8081`,
 * `router:http://192.168.0.1?password=...`, `modem:/dev/ttyUSB2`, `modem:auto` (the first ZTE port answering
 * AT), `router:<url>?password=...+modem:<path>` (both sides of one device); or a path to a JSON config file.
 */
export function parseTarget(spec: string, defaults: { password?: string | undefined } = {}): TargetConfig {
  if (/^router:.*\+modem:/.test(spec)) {
    const cut = spec.indexOf('+modem:');
    const router = parseTarget(spec.slice(0, cut), defaults);
    const modem = parseTarget(spec.slice(cut + 1));
    if (router.kind !== 'router' || modem.kind !== 'modem') throw new BenchError('CONFIG_INVALID', `[hil] ${spec}: a combination is router:<url>?password=...+modem:<path>`);
    return { kind: 'combined', router, modem };
  }
  if (spec === 'emulator') return { kind: 'emulator' };
  if (spec.startsWith('emulator:')) {
    const rest = spec.slice('emulator:'.length);
    return /^https?:\/\//.test(rest) ? { kind: 'emulator', controlUrl: rest } : { kind: 'emulator', profile: rest };
  }
  if (spec.startsWith('router:')) {
    const url = new URL(spec.slice('router:'.length));
    const password = url.searchParams.get('password') ?? defaults.password;
    if (!password) throw new BenchError('CONFIG_INVALID', `[hil] ${spec}: give the password as ?password=...`);
    const allowDestructive = url.searchParams.get('allowDestructive') === 'true';
    const api = url.searchParams.get('api');
    if (api !== null && api !== 'goform' && api !== 'ubus') throw new BenchError('CONFIG_INVALID', `[hil] ${spec}: api must be goform or ubus`);
    return { kind: 'router', url: url.origin, password, ...(allowDestructive ? { allowDestructive } : {}), ...(api ? { api } : {}) };
  }
  if (spec.startsWith('modem:')) return { kind: 'modem', path: spec.slice('modem:'.length) };
  const fleet = /^fleet:(\d+)(?::([a-z0-9-,]+))?$/.exec(spec);
  if (fleet) return { kind: 'fleet', count: Number(fleet[1]), ...(fleet[2] ? { profiles: fleet[2].split(',') } : {}) };
  if (/^https?:\/\//.test(spec)) return { kind: 'goform', url: spec.replace(/\/+$/, '') };
  if (spec.endsWith('.json')) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(spec, 'utf8'));
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `[hil] cannot read target config ${spec}`, { cause: e });
    }
    const parsed = targetConfigSchema.safeParse(raw);
    if (!parsed.success) throw new BenchError('CONFIG_INVALID', `[hil] ${spec}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }
  throw new BenchError('CONFIG_INVALID', `[hil] unknown target "${spec}"; use emulator[:profile], emulator:<control url>, router:<url>?password=..., modem:<path>, fleet:N, http://<goform host> or a .json config`);
}

export async function connectTarget(config: TargetConfig | string): Promise<Target> {
  const c = typeof config === 'string' ? parseTarget(config) : config;
  switch (c.kind) {
    case 'emulator':
      return c.controlUrl
        ? connectRemoteEmulator(c.controlUrl, { ...(c.token ? { token: c.token } : {}) })
        : // Running clock: the SDK polls asynchronous actions in wall time; scenarios advance it as they need.
          createEmulatorTarget({ ...(c.profile ? { profile: c.profile } : {}), ...(c.seed === undefined ? {} : { seed: c.seed }), clockMode: c.clockMode ?? 'running', ...(c.clockMode === 'paused' ? {} : { speed: c.speed ?? 10 }), ...(c.cloud ? { cloud: c.cloud } : {}), ...(c.acs ? { acs: c.acs } : {}), ...(c.usp ? { usp: c.usp } : {}) });
    case 'router':
      return connectRouter(c);
    case 'modem':
      return connectModem(c.path === 'auto' ? { ...c, path: await findModemPort() } : c);
    case 'fleet':
    case 'goform':
      throw new BenchError('CONFIG_INVALID', `[hil] a ${c.kind} target serves load runs only (routerlab load); scenarios and tools need one device: emulator, router:, modem:`);
    case 'combined': {
      const router = await connectRouter(c.router);
      try {
        return combineTargets(router, await connectModem(c.modem.path === 'auto' ? { ...c.modem, path: await findModemPort() } : c.modem));
      } catch (e) {
        await router.close();
        throw e;
      }
    }
  }
}
