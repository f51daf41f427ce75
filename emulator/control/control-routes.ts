import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CloudStatus } from '../cloud/channel.js';
import type { VirtualClock } from '../clock/virtual-clock.js';
import type { DeviceApi } from '../state/device-api.js';
import { deviceStateSchema, registrationSchema, simStatusSchema, technologySchema, type DeviceState } from '../state/device-state.js';
import { isRefused, type Outcome } from '../state/outcome.js';
import { quirksSchema, type DeviceProfile } from '../state/profile.js';
import { atFaultsSchema, goformFaultsSchema, type Faults } from '../instrument/faults.js';
import type { Journal, JournalFilter } from '../instrument/journal.js';
import { defineRoute, problem, ProblemError, validationProblem, type ControlRoute } from './route.js';

// Every route of the control API (/api/v1): devices, state, stimuli, time, faults, snapshots, journal.

export interface ControlDevice {
  device: DeviceApi;
  faults: Faults;
  /** Where this device's surfaces listen, once they do (for remote targets). */
  endpoints: { goformUrl?: string; modemTcp?: string };
  /** The cloud channel's counters, when the device has one. */
  cloud?: () => CloudStatus | null;
}

/** One line of the device list; built without waking a device that a fleet keeps put away. */
export interface DeviceSummary {
  id: string;
  profile: string;
  model: string;
  imei: string;
  goformUrl?: string;
  modemTcp?: string;
}

const summarySchema = z.object({ id: z.string(), profile: z.string(), model: z.string(), imei: z.string(), goformUrl: z.string().optional(), modemTcp: z.string().optional() });

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
}

/** A directory over devices that are always live (the single emulator). */
export function mapDirectory(devices: ReadonlyMap<string, ControlDevice>): DeviceDirectory {
  const summary = ({ device: d, endpoints }: ControlDevice): DeviceSummary => ({ id: d.state.id, profile: d.profile.name, model: d.profile.model, imei: d.state.identity.imei, ...endpoints });
  const matches = (c: ControlDevice, q: string | undefined): boolean => !q || [c.device.state.id, c.device.profile.name, c.device.state.identity.imei].some((v) => v.includes(q));
  return {
    get: (id) => devices.get(id),
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
}

const ok = { ok: true } as const;

/** The one mapping of a device refusal on the control API: 409 with the device's reason (400 for a bad state). */
function applied(outcome: Outcome<object>, prefix = ''): void {
  if (!isRefused(outcome)) return;
  if (outcome.refused === 'invalid') throw problem(400, 'Invalid request', `body: ${outcome.message}`);
  throw problem(409, 'Not applicable', `${prefix}${outcome.message}`);
}
const okSchema = z.object({ ok: z.literal(true) });
const mac = z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a MAC address like 02:00:00:00:00:01');
const number = z.string().regex(/^\+?[0-9]{1,20}$|^[A-Za-z0-9 ]{1,11}$/, 'a phone number or an alphanumeric sender of up to 11 characters');
const BARS_TO_RSRP = [-125, -115, -107, -99, -90, -80];

/** A duration: milliseconds, or text such as "90s", "5m", "2h", "1d". */
export const durationSchema = z.union([
  z.number().int().min(0).max(366 * 86_400_000),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 2h or 1d'),
]);

export function durationMs(d: z.infer<typeof durationSchema>): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d)!;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

export function controlRoutes(ctx: ControlContext): ControlRoute[] {
  const handle = (params: Record<string, string>): ControlDevice => {
    const id = params.id ?? '';
    const d = ctx.devices.get(id);
    if (!d) throw problem(404, 'Unknown device', `no device "${id}"; GET /api/v1/devices lists them`);
    return d;
  };
  const dev = (params: Record<string, string>): DeviceApi => handle(params).device;
  const stimuli: { path: string; summary: string; body: z.ZodType; apply: (d: ControlDevice, b: never) => unknown }[] = [];
  const stimulus = <S extends z.ZodType>(path: string, summary: string, body: S, apply: (d: ControlDevice, b: z.infer<S>) => unknown): ControlRoute => {
    stimuli.push({ path, summary, body, apply: apply });
    return defineRoute({
      method: 'post',
      path: `/devices/{id}/stimuli/${path}`,
      summary,
      tag: 'stimuli',
      body,
      response: okSchema,
      handler: ({ params, body: b }) => {
        const result = apply(handle(params), b as z.infer<S>) ?? ok;
        ctx.onStimulus?.(params.id ?? '', path, b);
        return result;
      },
    });
  };
  // The same stimulus for many devices at once (a cohort of a fleet): each device gets it as if posted to its
  // own route; refusals are counted and the first few reported, the rest still get it.
  const fleetStimulus = (st: (typeof stimuli)[number]): ControlRoute =>
    defineRoute({
      method: 'post',
      path: `/fleet/stimuli/${st.path}`,
      summary: `${st.summary}, on every selected device`,
      tag: 'fleet',
      body: z.object({ select: selectionSchema, params: st.body }).strict(),
      response: z.object({ ok: z.literal(true), selected: z.number(), applied: z.number(), failed: z.array(z.object({ id: z.string(), detail: z.string() })) }),
      handler: ({ body }) => {
        const b = body as { select: DeviceSelection; params: never };
        const ids = ctx.devices.select(b.select);
        let applied = 0;
        const failed: { id: string; detail: string }[] = [];
        for (const id of ids) {
          const d = ctx.devices.get(id);
          if (!d) continue;
          try {
            st.apply(d, structuredClone(b.params));
            ctx.onStimulus?.(id, st.path, b.params);
            applied++;
          } catch (e) {
            if (!(e instanceof ProblemError)) throw e;
            if (failed.length < 20) failed.push({ id, detail: e.problem.detail });
          }
        }
        return { ok: true, selected: ids.length, applied, failed };
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
        return { id: d.state.id, profile: d.profile.name, model: d.profile.model, imei: d.state.identity.imei, ...h.endpoints, cloud: h.cloud?.() ?? null };
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
    stimulus('signal', 'Set signal strength: values in dB/dBm, or 0-5 bars', z.object({
      rsrpDbm: z.number().min(-140).max(-44).optional(),
      rsrqDb: z.number().min(-20).max(-3).optional(),
      sinrDb: z.number().min(-20).max(40).optional(),
      rssiDbm: z.number().min(-120).max(-25).optional(),
      bars: z.number().int().min(0).max(5).optional(),
    }).refine((b) => Object.keys(b).length > 0, 'give at least one of rsrpDbm, rsrqDb, sinrDb, rssiDbm, bars'), (d, b) => {
      const rsrp = b.bars !== undefined ? BARS_TO_RSRP[b.bars]! : b.rsrpDbm;
      d.device.network.setSignal({ rsrpDbm: rsrp, rsrqDb: b.rsrqDb, sinrDb: b.sinrDb, rssiDbm: b.rssiDbm ?? (b.bars !== undefined ? rsrp! + 28 : undefined) });
    }),
    stimulus('signal-trace', 'Play a signal trace (inline points or a fixture name) on the virtual clock', z.object({
      fixture: z.string().regex(/^[a-z0-9-]+$/).optional(),
      points: z.array(z.object({ atS: z.number().min(0), rsrpDbm: z.number().min(-140).max(-44), rsrqDb: z.number().min(-20).max(-3).optional(), sinrDb: z.number().min(-20).max(40).optional(), rssiDbm: z.number().min(-120).max(-25).optional() })).min(1).optional(),
    }).refine((b) => (b.fixture === undefined) !== (b.points === undefined), 'give exactly one of fixture or points'), (d, b) => {
      const points = b.points ?? loadTrace(b.fixture!);
      return { ok: true, ...d.device.network.playSignalTrace(points) };
    }),
    stimulus('handover', 'Hand over to another cell and/or band', z.object({
      cellId: z.number().int().min(0).max(0xfffffff).optional(),
      band: z.number().int().min(1).max(255).optional(),
      earfcn: z.number().int().min(0).max(262143).optional(),
      pci: z.number().int().min(0).max(503).optional(),
      tac: z.number().int().min(0).max(0xffff).optional(),
    }), (d, b) => d.device.network.handover(b)),
    stimulus('technology', 'Change the radio technology (LTE, ENDC, SA, WCDMA, GSM)', z.object({ technology: technologySchema }), (d, b) => d.device.network.setTechnology(b.technology)),
    stimulus('registration', 'Change registration: home, roaming, searching, denied, none (no service)', z.object({ registration: registrationSchema }), (d, b) => d.device.network.setRegistration(b.registration)),
    stimulus('sim', 'Change the SIM: ready, absent (removed), pin or puk (locked), network-locked', z.object({ status: simStatusSchema }), (d, b) => d.device.sim.setStatus(b.status)),
    stimulus('battery', 'Battery level, charger and drain rate', z.object({
      percent: z.number().int().min(0).max(100).optional(),
      charger: z.boolean().optional(),
      drainPerHour: z.number().min(0).max(1000).optional(),
    }).refine((b) => Object.keys(b).length > 0, 'give at least one of percent, charger, drainPerHour'), (d, b) => {
      applied(d.device.power.setBattery(b), `device ${d.device.state.id}: `);
    }),
    stimulus('sms', 'Incoming SMS: single, long (multi-part), unicode, or a flood of `count` messages', z.object({
      from: number,
      text: z.string().min(1).max(1530),
      store: z.enum(['device', 'sim']).optional(),
      count: z.number().int().min(1).max(1000).optional(),
      /** Virtual ms between the parts of a multi-part message (0: all parts at once). */
      partGapMs: z.number().int().min(0).max(86_400_000).optional(),
    }), (d, b) => {
      const ids: number[] = [];
      let refused = 0;
      for (let i = 0; i < (b.count ?? 1); i++) {
        const text = b.count && b.count > 1 ? `${b.text} #${i + 1}` : b.text;
        const r = d.device.sms.receive({ number: b.from, text, store: b.store ?? 'device', partGapMs: b.partGapMs });
        if (r.refused) refused++;
        else ids.push(r.message.id);
      }
      return { ok: true, ids, refused };
    }),
    stimulus('sms-storage-full', 'Fill an SMS store to capacity', z.object({ store: z.enum(['device', 'sim']) }), (d, b) => ({ ok: true, ...d.device.sms.fill(b.store) })),
    stimulus('sms-delivery-report', 'How the network answers delivery reports of SMS sent from now on: outcome and virtual delay', z.object({
      status: z.enum(['delivered', 'failed', 'expired']),
      delayMs: z.number().int().min(0).max(604_800_000).optional(),
    }), (d, b) => d.device.sms.setReportPlan({ status: b.status, delayMs: b.delayMs ?? 5000 })),
    stimulus('sms-send-failure', 'Make sending SMS fail (or work again)', z.object({ enabled: z.boolean() }), (d, b) => d.device.sms.setSendFailure(b.enabled)),
    stimulus('network', 'Drop the network (no service) or restore it', z.object({ state: z.enum(['drop', 'restore']) }), (d, b) => d.device.network.setNetworkAvailable(b.state === 'restore')),
    stimulus('pdp-reject', 'Make the network reject PDP/APN activation (or accept it again)', z.object({ enabled: z.boolean() }), (d, b) => d.device.data.setPdpRejected(b.enabled)),
    stimulus('data-usage', 'Add data usage at once (a jump in the counters)', z.object({ rxBytes: z.number().int().min(0).max(1e15), txBytes: z.number().int().min(0).max(1e15).optional() }), (d, b) => d.device.data.addUsage(b.rxBytes, b.txBytes ?? 0)),
    stimulus('monthly-reset', 'Start a new accounting month', z.object({}), (d) => d.device.data.monthlyReset()),
    stimulus('station', 'A client joins, leaves, or a blocked client tries to join', z.object({
      action: z.enum(['join', 'leave']),
      mac,
      hostname: z.string().max(64).optional(),
      ssidIndex: z.union([z.literal(0), z.literal(1)]).optional(),
      medium: z.enum(['wifi', 'lan']).optional(),
    }), (d, b) => {
      if (b.action === 'leave') {
        applied(d.device.wifi.leave(b.mac));
        return ok;
      }
      const st = d.device.wifi.join(b);
      return { ok: true, online: st.online, ip: st.ip, blockedAttempts: st.blockedAttempts };
    }),
    stimulus('firmware', 'Publish a new firmware version on the update server', z.object({
      version: z.string().min(1).max(64),
      sizeBytes: z.number().int().min(1).max(2 ** 32),
      description: z.string().max(2000),
      mandatory: z.boolean().optional(),
    }), (d, b) => d.device.fota.publish({ version: b.version, sizeBytes: b.sizeBytes, description: b.description, mandatory: b.mandatory ?? false })),
    stimulus('fota-fault', 'FOTA faults: stall the download, fail the checksum, lose power during install, roll back', z.object({ fault: z.enum(['none', 'stall', 'checksum', 'power-loss', 'rollback']) }), (d, b) => {
      applied(d.device.fota.setFault(b.fault), 'nothing to roll back to: ');
    }),
    stimulus('reboot', 'Reboot the device (down for 30 virtual seconds)', z.object({}), (d) => d.device.power.reboot()),
    stimulus('factory-reset', 'Factory reset (identity, SIM and SIM messages stay)', z.object({}), (d) => d.device.power.factoryReset()),

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
  return [...routes, ...stimuli.map(fleetStimulus)];
}

const timeSchema = z.object({ nowMs: z.number(), iso: z.string(), mode: z.enum(['running', 'paused']), speed: z.number() });

function timeOf(clock: VirtualClock): z.infer<typeof timeSchema> {
  const nowMs = clock.now();
  return { nowMs, iso: new Date(nowMs).toISOString(), mode: clock.mode, speed: clock.speed };
}

export const journalQuery = z.object({
  device: z.string().optional(),
  surface: z.enum(['goform', 'at', 'cloud']).optional(),
  name: z.string().optional(),
  client: z.string().optional(),
  fromMs: z.coerce.number().optional(),
  toMs: z.coerce.number().optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

function toFilter(q: Record<string, unknown>): JournalFilter {
  const v = q as z.infer<typeof journalQuery>;
  return { deviceId: v.device, surface: v.surface, name: v.name, client: v.client, fromVirtualMs: v.fromMs, toVirtualMs: v.toMs, afterSeq: v.afterSeq, limit: v.limit };
}

const traceSchema = z.object({ _meta: z.object({ source: z.string() }).loose(), points: z.array(z.object({ atS: z.number().min(0), rsrpDbm: z.number(), rsrqDb: z.number().optional(), sinrDb: z.number().optional(), rssiDbm: z.number().optional() })).min(1) });

function loadTrace(name: string): z.infer<typeof traceSchema>['points'] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(new URL(`../../fixtures/signal-traces/${name}.json`, import.meta.url), 'utf8'));
  } catch {
    // A missing or unreadable fixture is the caller's error: answered as a 400 naming the field.
    throw problem(400, 'Invalid request', `body.fixture: no signal trace "${name}" in fixtures/signal-traces`, [{ field: 'body.fixture', message: 'unknown trace' }]);
  }
  return traceSchema.parse(raw).points;
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
