import type { DeviceHistoryView } from './history.js';
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import type { CloudStatus } from '../cloud/channel.js';
import { DEFAULT_PAUSED_ORIGIN_MS, type VirtualClock } from '../clock/virtual-clock.js';
import type { DeviceApi } from '../state/device-api.js';
import { deviceStateSchema, type DeviceState } from '../state/device-state.js';
import { listProfiles, loadProfile, quirksSchema, type DeviceProfile } from '../state/profile.js';
import { atFaultsSchema, goformFaultsSchema, type Faults } from '../instrument/faults.js';
import { ruleRoutes } from './rule-routes.js';
import { acsColumn, cloudColumn, countRows, deviceRowSchema, fleetDevicesQuery, pageOf, rowOf, type DeviceRow } from './fleet-view.js';
import { compileFilter, type Journal, type JournalFilter } from '../instrument/journal.js';
import type { TextMatch } from '../../hil/rule-spec.js';
import { defineRoute, problem, ProblemError, validationProblem, type ControlRoute } from './route.js';
import { durationMs, durationSchema } from './durations.js';
import { applied, STIMULI, type StimulusDef } from './stimuli.js';

export { durationMs, durationSchema } from './durations.js';

// Every route of the control API (/api/v1): devices, state, stimuli, time, faults, snapshots, journal.

export interface ControlDevice {
  device: DeviceApi;
  faults: Faults;
  /** Where this device's surfaces listen, once they do (for remote targets). */
  endpoints: { goformUrl?: string; modemTcp?: string };
  /** The cloud channel's counters, when the device has one. */
  cloud?: () => CloudStatus | null;
  /** The device's TR-069 CPE, when it is one (serve --acs, fleet --acs). */
  cwmp?: (() => CwmpHandle | null) | undefined;
}

/** What the control API asks of a CPE (emulator/cwmp/cpe.ts). */
export interface CwmpHandle {
  informNow(): void;
  connectionRequest(): 'ok' | 'busy';
  status(): { sessions: number; lastError: string | null };
}

/** One line of the device list; built without waking a device that a fleet keeps put away. */
export interface DeviceSummary {
  id: string;
  profile: string;
  model: string;
  /** The web API the device speaks on its HTTP port (`goformUrl`): goform or ubus. */
  api: 'goform' | 'ubus';
  imei: string;
  goformUrl?: string;
  modemTcp?: string;
}

const summarySchema = z.object({ id: z.string(), profile: z.string(), model: z.string(), api: z.enum(['goform', 'ubus']), imei: z.string(), goformUrl: z.string().optional(), modemTcp: z.string().optional() });

/** Which devices a fleet-wide stimulus reaches. Criteria combine (a device must meet all given). */
export const selectionSchema = z.object({
  ids: z.array(z.string()).min(1).max(100_000).optional(),
  /** Index range [from, to) within the fleet. */
  from: z.number().int().min(0).optional(),
  to: z.number().int().min(1).optional(),
  profile: z.string().optional(),
  /** A deterministic share of the devices: the same percent and seed pick the same devices every run. */
  percent: z.number().gt(0).max(100).optional(),
  seed: z.number().int().min(0).optional(),
}).strict();
export type DeviceSelection = z.infer<typeof selectionSchema>;

/** Where the control API finds devices: one emulated router, or a fleet that wakes devices on demand. */
export interface DeviceDirectory {
  /** The device, woken if it was put away; undefined when there is no such id. */
  get(id: string): ControlDevice | undefined;
  list(query: { offset: number; limit: number; q?: string | undefined }): { total: number; items: DeviceSummary[] };
  /** Ids matching a selection, in index order. */
  select(selection: DeviceSelection): string[];
  /** Devices that are always live (never put away): the control API records their chart history from the start. */
  live?(): Iterable<[string, ControlDevice]>;
  /** Every device as a row of the fleet page, read without waking put-away devices. */
  rows(): DeviceRow[];
}

/** A directory over devices that are always live (the single emulator). */
export function mapDirectory(devices: ReadonlyMap<string, ControlDevice>): DeviceDirectory {
  const summary = ({ device: d, endpoints }: ControlDevice): DeviceSummary => ({ id: d.state.id, profile: d.profile.name, model: d.profile.model, api: d.profile.api, imei: d.state.identity.imei, ...endpoints });
  const matches = (c: ControlDevice, q: string | undefined): boolean => !q || [c.device.state.id, c.device.profile.name, c.device.state.identity.imei].some((v) => v.includes(q));
  return {
    get: (id) => devices.get(id),
    live: () => devices.entries(),
    rows: () => [...devices.values()].map((c) => rowOf(c.device.state, c.device.profile.name, cloudOf(c), acsOf(c))),
    list({ offset, limit, q }) {
      const all = [...devices.values()].filter((c) => matches(c, q));
      return { total: all.length, items: all.slice(offset, offset + limit).map(summary) };
    },
    select(sel) {
      return [...devices.values()]
        .filter((c, i) => (!sel.ids || sel.ids.includes(c.device.state.id)) && (sel.profile === undefined || c.device.profile.name === sel.profile) && i >= (sel.from ?? 0) && i < (sel.to ?? Infinity))
        .filter((c) => sel.percent === undefined || pick(c.device.state.id, sel.seed ?? 0) < sel.percent / 100)
        .map((c) => c.device.state.id);
    },
  };
}

const cloudOf = (c: ControlDevice): DeviceRow['cloud'] => cloudColumn(c.cloud?.() ?? null);
const acsOf = (c: ControlDevice): DeviceRow['acs'] => acsColumn(c.cwmp?.()?.status() ?? null);

/** A stable pseudo-random number in [0, 1) for (id, seed): how `percent` picks devices. */
export function pick(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d) >>> 0;
  h ^= h >>> 12;
  return (h >>> 0) / 0x1_0000_0000;
}

export interface ControlContext {
  devices: DeviceDirectory;
  /** Told of every stimulus applied through the API (the event stream marks them on the dashboard's charts). */
  onStimulus?: ((deviceId: string, name: string, body: unknown) => void) | undefined;
  clock: VirtualClock;
  journal: Journal;
  /** What a device's charts showed before a page opened (history.ts); none when absent. */
  history?: ((id: string) => DeviceHistoryView) | undefined;
}

const ok = { ok: true } as const;
const okSchema = z.object({ ok: z.literal(true) });

export function controlRoutes(ctx: ControlContext): ControlRoute[] {
  const handle = (params: Record<string, string>): ControlDevice => {
    const id = params.id ?? '';
    const d = ctx.devices.get(id);
    if (!d) throw problem(404, 'Unknown device', `no device "${id}"; GET /api/v1/devices lists them`);
    return d;
  };
  const dev = (params: Record<string, string>): DeviceApi => handle(params).device;
  const stimulus = (st: StimulusDef): ControlRoute =>
    defineRoute({
      method: 'post',
      path: `/devices/{id}/stimuli/${st.path}`,
      summary: st.summary,
      tag: 'stimuli',
      body: st.body,
      response: okSchema,
      handler: ({ params, body: b }) => {
        const result = st.apply(handle(params), b as never) ?? ok;
        ctx.onStimulus?.(params.id ?? '', st.path, b);
        return result;
      },
    });
  // The same stimulus for many devices at once (a cohort of a fleet): each device gets it as if posted to its
  // own route; refusals are counted and the first few reported, the rest still get it.
  const fleetStimulus = (st: StimulusDef): ControlRoute =>
    defineRoute({
      method: 'post',
      path: `/fleet/stimuli/${st.path}`,
      summary: `${st.summary}, on every selected device`,
      tag: 'fleet',
      body: z.object({ select: selectionSchema, params: st.body }).strict(),
      response: z.object({ ok: z.literal(true), selected: z.number(), applied: z.number(), ids: z.array(z.string()), failed: z.array(z.object({ id: z.string(), detail: z.string() })) }),
      handler: ({ body }) => {
        const b = body as { select: DeviceSelection; params: never };
        const ids = ctx.devices.select(b.select);
        let applied = 0;
        // The devices it reached, in index order: a test follows exactly those (a percent pick is not a range).
        const reached: string[] = [];
        const failed: { id: string; detail: string }[] = [];
        for (const id of ids) {
          const d = ctx.devices.get(id);
          if (!d) continue;
          try {
            st.apply(d, structuredClone(b.params));
            ctx.onStimulus?.(id, st.path, b.params);
            applied++;
            reached.push(id);
          } catch (e) {
            if (!(e instanceof ProblemError)) throw e;
            if (failed.length < 20) failed.push({ id, detail: e.problem.detail });
          }
        }
        return { ok: true, selected: ids.length, applied, ids: reached, failed };
      },
    });

  const routes: ControlRoute[] = [
    defineRoute({
      method: 'get',
      path: '/devices',
      summary: 'List the emulated devices (paged: offset, limit; q filters on id, profile or IMEI; X-Total-Count has the total)',
      tag: 'devices',
      query: z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100), q: z.string().max(64).optional() }),
      response: z.array(summarySchema),
      handler: ({ query, c }) => {
        const q = query as { offset: number; limit: number; q?: string };
        const page = ctx.devices.list(q);
        c.header('X-Total-Count', String(page.total));
        return page.items;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}',
      summary: 'One device: identity, where its surfaces listen, and its cloud channel',
      tag: 'devices',
      response: summarySchema.extend({ cloud: z.unknown().nullable() }),
      handler: ({ params }) => {
        const h = handle(params);
        const d = h.device;
        return { id: d.state.id, profile: d.profile.name, model: d.profile.model, api: d.profile.api, imei: d.state.identity.imei, ...h.endpoints, cloud: h.cloud?.() ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}/state',
      summary: 'The whole state of a device as one JSON document',
      tag: 'state',
      response: deviceStateSchema,
      handler: ({ params }) => dev(params).state,
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}/history',
      summary: 'What the charts show from before a page opened: the "state" summaries of the event stream (one per change, oldest first, at most 720) and the stimuli applied through this API (at most 200)',
      tag: 'events',
      response: z.object({ samples: z.array(z.record(z.string(), z.unknown())), marks: z.array(z.object({ virtualMs: z.number(), name: z.string(), body: z.unknown() })), dropped: z.number() }),
      handler: ({ params }) => {
        handle(params);
        return ctx.history?.(params.id ?? '') ?? { samples: [], marks: [], dropped: 0 };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/devices/{id}/state',
      summary: 'Change any part of the state (merge patch: objects merge, other values replace, null sets null); the result is validated as a whole',
      tag: 'state',
      body: z.record(z.string(), z.unknown()),
      response: deviceStateSchema,
      handler: ({ params, body }) => {
        const d = dev(params);
        const merged = mergePatch(structuredClone(d.state), body);
        const parsed = deviceStateSchema.safeParse(merged);
        if (!parsed.success) throw validationProblem('body', parsed.error);
        if (parsed.data.id !== d.state.id) throw problem(400, 'Invalid request', 'body.id: the device id cannot change', [{ field: 'body.id', message: 'read-only' }]);
        applied(d.replaceState(parsed.data));
        return d.state;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}/snapshot',
      summary: 'Snapshot of the full device state (save it to start a later run from this field state)',
      tag: 'state',
      response: z.object({ format: z.literal('routerlab-snapshot/1'), virtualMs: z.number(), state: deviceStateSchema }),
      handler: ({ params }) => ({ format: 'routerlab-snapshot/1', virtualMs: ctx.clock.now(), state: dev(params).state }),
    }),
    defineRoute({
      method: 'post',
      path: '/devices/{id}/restore',
      summary: 'Restore a snapshot (the state is validated; the device id is kept)',
      tag: 'state',
      body: z.object({ format: z.literal('routerlab-snapshot/1'), virtualMs: z.number().optional(), state: deviceStateSchema }),
      response: okSchema,
      handler: ({ params, body }) => {
        applied(dev(params).replaceState((body as { state: DeviceState }).state));
        return ok;
      },
    }),

    defineRoute({
      method: 'get',
      path: '/fixtures/signal-traces',
      summary: 'Names of the signal traces in fixtures/signal-traces (for the signal-trace stimulus)',
      tag: 'stimuli',
      response: z.array(z.string()),
      handler: () => readdirSync(new URL('../../fixtures/signal-traces/', import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort(),
    }),
    ...STIMULI.map(stimulus),

    defineRoute({
      method: 'post',
      path: '/devices/{id}/reset',
      summary: 'Start the device over as a fresh one of a profile and seed (default: its profile, seed 1): state, pending effects, sessions, faults; the clock paused or running if asked. What a runner calls between scenarios',
      tag: 'state',
      body: z.object({
        profile: z.string().regex(/^[a-z0-9-]+$/, 'a profile name such as mf79u (GET /api/v1/profiles lists them)').optional(),
        seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
        clock: z.enum(['keep', 'paused', 'running']).optional(),
        /** Virtual time to start from (epoch ms); `fresh`: the time a fresh paused emulator starts at. */
        at: z.union([z.number().int().min(0), z.literal('fresh')]).optional(),
        /** Empty the journal (one device's bench: its journal expectations count this run only). */
        journal: z.enum(['keep', 'clear']).optional(),
      }).strict(),
      response: z.object({ ok: z.literal(true), profile: z.string(), seed: z.number(), virtualMs: z.number() }),
      handler: ({ params, body }) => {
        const b = body as { profile?: string; seed?: number; clock?: 'keep' | 'paused' | 'running'; at?: number | 'fresh'; journal?: 'keep' | 'clear' };
        const h = handle(params);
        let profile: DeviceProfile | undefined;
        if (b.profile !== undefined) {
          if (!listProfiles().includes(b.profile)) throw problem(400, 'Invalid request', `body.profile: no profile "${b.profile}"; profiles: ${listProfiles().join(', ')}`, [{ field: 'body.profile', message: 'unknown profile' }]);
          profile = loadProfile(b.profile);
        }
        if (b.clock === 'paused') ctx.clock.pause();
        if (b.at !== undefined) ctx.clock.rebase(b.at === 'fresh' ? DEFAULT_PAUSED_ORIGIN_MS : b.at);
        if (b.clock === 'running') ctx.clock.resume();
        h.device.reset({ profile, seed: b.seed ?? 1 });
        h.faults.reset();
        if (b.journal === 'clear') ctx.journal.clear();
        return { ok: true as const, profile: h.device.profile.name, seed: b.seed ?? 1, virtualMs: ctx.clock.now() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/profiles',
      summary: 'The device profiles a reset can start from',
      tag: 'state',
      response: z.array(z.string()),
      handler: () => listProfiles(),
    }),
    defineRoute({
      method: 'get',
      path: '/devices/{id}/faults',
      summary: 'The faults in force on the goform and AT surfaces, and the firmware quirks',
      tag: 'faults',
      response: z.object({ goform: goformFaultsSchema, at: atFaultsSchema, quirks: quirksSchema }),
      handler: ({ params }) => {
        const h = handle(params);
        return { goform: h.faults.goform, at: h.faults.at, quirks: h.device.profile.quirks };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/devices/{id}/faults/goform',
      summary: 'Faults on the goform surface: latency, error answers, dropped connections, slow bodies',
      tag: 'faults',
      body: goformFaultsSchema.partial(),
      response: goformFaultsSchema,
      handler: ({ params, body }) => {
        const h = handle(params);
        h.faults.goform = { ...h.faults.goform, ...(body as object) };
        return h.faults.goform;
      },
    }),
    defineRoute({
      method: 'put',
      path: '/devices/{id}/faults/at',
      summary: 'Faults on the AT surface: no answer, garbage lines, delayed final result',
      tag: 'faults',
      body: atFaultsSchema.partial(),
      response: atFaultsSchema,
      handler: ({ params, body }) => {
        const h = handle(params);
        h.faults.at = { ...h.faults.at, ...(body as object) };
        return h.faults.at;
      },
    }),
    defineRoute({
      method: 'put',
      path: '/devices/{id}/quirks',
      summary: 'Switch firmware quirks (goform-api.md §7) on or off at run time',
      tag: 'faults',
      body: quirksSchema.partial(),
      response: quirksSchema,
      handler: ({ params, body }) => {
        const d = dev(params);
        d.setQuirks(body as Partial<DeviceProfile['quirks']>);
        return d.profile.quirks;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/{id}/faults',
      summary: 'Clear every injected fault',
      tag: 'faults',
      response: okSchema,
      handler: ({ params }) => {
        handle(params).faults.reset();
        return ok;
      },
    }),

    ...ruleRoutes(handle, ctx),
    defineRoute({
      method: 'get',
      path: '/fleet/summary',
      summary: 'How many devices have each registration, technology, connection, battery band, FOTA state, online state, cloud and ACS connection and profile',
      tag: 'fleet',
      response: z.object({ total: z.number(), virtualMs: z.number(), counts: z.record(z.string(), z.record(z.string(), z.number())) }),
      handler: () => {
        const rows = ctx.devices.rows();
        return { total: rows.length, virtualMs: ctx.clock.now(), counts: countRows(rows) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/fleet/devices',
      summary: 'The devices as rows (registration, connection, battery, FOTA, online, cloud, ACS), filtered with where=column:value,..., sorted, paged (X-Total-Count has the total)',
      tag: 'fleet',
      query: fleetDevicesQuery,
      response: z.array(deviceRowSchema),
      handler: ({ query, c }) => {
        try {
          const { total, items } = pageOf(ctx.devices.rows(), query as z.infer<typeof fleetDevicesQuery>);
          c.header('X-Total-Count', String(total));
          return items;
        } catch (e) {
          if (e instanceof RangeError) throw problem(400, 'Invalid request', `query.${e.message}`, [{ field: 'query.where', message: e.message }]);
          throw e;
        }
      },
    }),

    defineRoute({
      method: 'get',
      path: '/time',
      summary: 'The virtual clock: now, mode and speed',
      tag: 'time',
      response: timeSchema,
      handler: () => timeOf(ctx.clock),
    }),
    defineRoute({ method: 'post', path: '/time/pause', summary: 'Pause virtual time', tag: 'time', body: z.object({}), response: timeSchema, handler: () => (ctx.clock.pause(), timeOf(ctx.clock)) }),
    defineRoute({ method: 'post', path: '/time/resume', summary: 'Let virtual time follow wall time again', tag: 'time', body: z.object({}), response: timeSchema, handler: () => (ctx.clock.resume(), timeOf(ctx.clock)) }),
    defineRoute({
      method: 'post',
      path: '/time/speed',
      summary: 'Set the speed (virtual seconds per wall second)',
      tag: 'time',
      body: z.object({ speed: z.number().gt(0).max(100_000) }),
      response: timeSchema,
      handler: ({ body }) => (ctx.clock.setSpeed((body as { speed: number }).speed), timeOf(ctx.clock)),
    }),
    defineRoute({
      method: 'post',
      path: '/time/advance',
      summary: 'Advance virtual time by a duration; everything due on the way happens',
      tag: 'time',
      body: z.object({ by: durationSchema }),
      response: timeSchema,
      handler: ({ body }) => (ctx.clock.advance(durationMs((body as { by: z.infer<typeof durationSchema> }).by)), timeOf(ctx.clock)),
    }),

    defineRoute({
      method: 'get',
      path: '/journal',
      summary: 'Journal entries (goform requests, AT commands and URCs), oldest first, filtered',
      tag: 'journal',
      query: journalQuery,
      response: z.object({ total: z.number(), size: z.number(), capacity: z.number(), entries: z.array(z.record(z.string(), z.unknown())) }),
      handler: ({ query }) => ({ total: ctx.journal.total, size: ctx.journal.size, capacity: ctx.journal.capacity, entries: ctx.journal.query(toFilter(query)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/journal.jsonl',
      summary: 'The journal as JSON lines (same filters)',
      tag: 'journal',
      query: journalQuery,
      handler: ({ query, c }) => c.body(ctx.journal.query(toFilter(query)).map((e) => JSON.stringify(e)).join('\n') + '\n', 200, { 'Content-Type': 'application/x-ndjson' }),
    }),
  ];
  return [...routes, ...STIMULI.map(fleetStimulus)];
}

const timeSchema = z.object({ nowMs: z.number(), iso: z.string(), mode: z.enum(['running', 'paused']), speed: z.number() });

function timeOf(clock: VirtualClock): z.infer<typeof timeSchema> {
  const nowMs = clock.now();
  return { nowMs, iso: new Date(nowMs).toISOString(), mode: clock.mode, speed: clock.speed };
}

/**
 * Journal filters. `name` matches as the journal does (equal, one key of a cmd list, or a line's first word: `+CMTI`
 * finds the URC `+CMTI: "ME",3`); `namePattern` is a regular expression; `param.KEY=VALUE` and
 * `paramPattern.KEY=REGEX` match the request's parameters (every one given must match).
 */
export const journalQuery = z.object({
  device: z.string().optional(),
  surface: z.enum(['goform', 'ubus', 'at', 'cloud', 'cwmp', 'usp']).optional(),
  name: z.string().optional(),
  namePattern: z.string().optional(),
  kind: z.string().optional(),
  client: z.string().optional(),
  fromMs: z.coerce.number().optional(),
  toMs: z.coerce.number().optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
}).catchall(z.string());

function toFilter(q: Record<string, unknown>): JournalFilter {
  const v = q as z.infer<typeof journalQuery>;
  const params: Record<string, TextMatch> = {};
  for (const [k, value] of Object.entries(q)) {
    if (typeof value !== 'string') continue;
    if (k.startsWith('param.')) params[k.slice(6)] = value;
    else if (k.startsWith('paramPattern.')) params[k.slice(13)] = { pattern: value };
  }
  const filter: JournalFilter = { deviceId: v.device, surface: v.surface, name: v.namePattern ? { pattern: v.namePattern } : v.name, kind: v.kind, client: v.client, fromVirtualMs: v.fromMs, toVirtualMs: v.toMs, afterSeq: v.afterSeq, limit: v.limit, params };
  try {
    compileFilter(filter);
  } catch (e) {
    if (e instanceof RangeError) throw problem(400, 'Invalid request', `query: ${e.message}`, [{ field: 'query', message: e.message }]);
    throw e;
  }
  return filter;
}

/**
 * Merge patch in the shape of RFC 7386, except that null sets null: the state has no optional fields, only
 * nullable ones (radio.nr, fota.available...), so deleting would never validate.
 */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) base[k] = mergePatch(base[k], v);
  return base;
}
