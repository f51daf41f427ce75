import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { registrationSchema, simStatusSchema, technologySchema } from '../state/device-state.js';
import { isRefused, type Outcome } from '../state/outcome.js';
import type { ControlDevice } from './control-routes.js';
import { problem } from './route.js';

// The stimuli: what a test bench changes in the world around the device. One table: the control API's routes
// (/devices/{id}/stimuli/NAME and /fleet/stimuli/NAME), the scenario loader's checks of a `stimulus:` step and the
// generated reference are all made from it.

export interface StimulusDef {
  path: string;
  summary: string;
  body: z.ZodType;
  apply: (d: ControlDevice, b: never) => unknown;
}

const define = <S extends z.ZodType>(path: string, summary: string, body: S, apply: (d: ControlDevice, b: z.infer<S>) => unknown): StimulusDef => ({ path, summary, body, apply: apply });

/** The one mapping of a device refusal on the control API: 409 with the device's reason (400 for a bad state). */
export function applied(outcome: Outcome<object>, prefix = ''): void {
  if (!isRefused(outcome)) return;
  if (outcome.refused === 'invalid') throw problem(400, 'Invalid request', `body: ${outcome.message}`);
  throw problem(409, 'Not applicable', `${prefix}${outcome.message}`);
}
const mac = z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a MAC address like 02:00:00:00:00:01');
const number = z.string().regex(/^\+?[0-9]{1,20}$|^[A-Za-z0-9 ]{1,11}$/, 'a phone number or an alphanumeric sender of up to 11 characters');
const BARS_TO_RSRP = [-125, -115, -107, -99, -90, -80];
const ok = { ok: true } as const;

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

export const STIMULI: StimulusDef[] = [
  define('signal', 'Set signal strength: values in dB/dBm, or 0-5 bars', z.object({
    rsrpDbm: z.number().min(-140).max(-44).optional(),
    rsrqDb: z.number().min(-20).max(-3).optional(),
    sinrDb: z.number().min(-20).max(40).optional(),
    rssiDbm: z.number().min(-120).max(-25).optional(),
    bars: z.number().int().min(0).max(5).optional(),
  }).refine((b) => Object.keys(b).length > 0, 'give at least one of rsrpDbm, rsrqDb, sinrDb, rssiDbm, bars'), (d, b) => {
    const rsrp = b.bars !== undefined ? BARS_TO_RSRP[b.bars]! : b.rsrpDbm;
    d.device.network.setSignal({ rsrpDbm: rsrp, rsrqDb: b.rsrqDb, sinrDb: b.sinrDb, rssiDbm: b.rssiDbm ?? (b.bars !== undefined ? rsrp! + 28 : undefined) });
  }),
  define('signal-trace', 'Play a signal trace (inline points or a fixture name) on the virtual clock', z.object({
    fixture: z.string().regex(/^[a-z0-9-]+$/).optional(),
    points: z.array(z.object({ atS: z.number().min(0), rsrpDbm: z.number().min(-140).max(-44), rsrqDb: z.number().min(-20).max(-3).optional(), sinrDb: z.number().min(-20).max(40).optional(), rssiDbm: z.number().min(-120).max(-25).optional() })).min(1).optional(),
  }).refine((b) => (b.fixture === undefined) !== (b.points === undefined), 'give exactly one of fixture or points'), (d, b) => {
    const points = b.points ?? loadTrace(b.fixture!);
    return { ok: true, ...d.device.network.playSignalTrace(points) };
  }),
  define('handover', 'Hand over to another cell and/or band', z.object({
    cellId: z.number().int().min(0).max(0xfffffff).optional(),
    band: z.number().int().min(1).max(255).optional(),
    earfcn: z.number().int().min(0).max(262143).optional(),
    pci: z.number().int().min(0).max(503).optional(),
    tac: z.number().int().min(0).max(0xffff).optional(),
  }), (d, b) => d.device.network.handover(b)),
  define('technology', 'Change the radio technology (LTE, ENDC, SA, WCDMA, GSM)', z.object({ technology: technologySchema }), (d, b) => d.device.network.setTechnology(b.technology)),
  define('registration', 'Change registration: home, roaming, searching, denied, none (no service)', z.object({ registration: registrationSchema }), (d, b) => d.device.network.setRegistration(b.registration)),
  define('sim', 'Change the SIM: ready, absent (removed), pin or puk (locked), network-locked', z.object({ status: simStatusSchema }), (d, b) => d.device.sim.setStatus(b.status)),
  define('battery', 'Battery level, charger and drain rate', z.object({
    percent: z.number().int().min(0).max(100).optional(),
    charger: z.boolean().optional(),
    drainPerHour: z.number().min(0).max(1000).optional(),
  }).refine((b) => Object.keys(b).length > 0, 'give at least one of percent, charger, drainPerHour'), (d, b) => {
    applied(d.device.power.setBattery(b), `device ${d.device.state.id}: `);
  }),
  define('sms', 'Incoming SMS: single, long (multi-part), unicode, or a flood of `count` messages', z.object({
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
  define('sms-storage-full', 'Fill an SMS store to capacity', z.object({ store: z.enum(['device', 'sim']) }), (d, b) => ({ ok: true, ...d.device.sms.fill(b.store) })),
  define('sms-delivery-report', 'How the network answers delivery reports of SMS sent from now on: outcome and virtual delay', z.object({
    status: z.enum(['delivered', 'failed', 'expired']),
    delayMs: z.number().int().min(0).max(604_800_000).optional(),
  }), (d, b) => d.device.sms.setReportPlan({ status: b.status, delayMs: b.delayMs ?? 5000 })),
  define('sms-send-failure', 'Make sending SMS fail (or work again)', z.object({ enabled: z.boolean() }), (d, b) => d.device.sms.setSendFailure(b.enabled)),
  define('network', 'Drop the network (no service) or restore it', z.object({ state: z.enum(['drop', 'restore']) }), (d, b) => d.device.network.setNetworkAvailable(b.state === 'restore')),
  define('pdp-reject', 'Make the network reject PDP/APN activation (or accept it again)', z.object({ enabled: z.boolean() }), (d, b) => d.device.data.setPdpRejected(b.enabled)),
  define('data-usage', 'Add data usage at once (a jump in the counters)', z.object({ rxBytes: z.number().int().min(0).max(1e15), txBytes: z.number().int().min(0).max(1e15).optional() }), (d, b) => d.device.data.addUsage(b.rxBytes, b.txBytes ?? 0)),
  define('monthly-reset', 'Start a new accounting month', z.object({}), (d) => d.device.data.monthlyReset()),
  define('station', 'A client joins, leaves, or a blocked client tries to join', z.object({
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
  define('firmware', 'Publish a new firmware version on the update server', z.object({
    version: z.string().min(1).max(64),
    sizeBytes: z.number().int().min(1).max(2 ** 32),
    description: z.string().max(2000),
    mandatory: z.boolean().optional(),
  }), (d, b) => d.device.fota.publish({ version: b.version, sizeBytes: b.sizeBytes, description: b.description, mandatory: b.mandatory ?? false })),
  define('fota-fault', 'FOTA faults: stall the download, fail the checksum, lose power during install, roll back', z.object({ fault: z.enum(['none', 'stall', 'checksum', 'power-loss', 'rollback']) }), (d, b) => {
    applied(d.device.fota.setFault(b.fault), 'nothing to roll back to: ');
  }),
  define('reboot', 'Reboot the device (down for 30 virtual seconds)', z.object({}), (d) => d.device.power.reboot()),
  define('power-outage', 'Mains power fails and comes back: the device goes down and boots again (on a fleet: every selected router at once, a boot storm)', z.object({}), (d) => d.device.power.reboot()),
  define('acs-url', 'Point the device at another ACS (ManagementServer.URL; a CPE starts over with 0 BOOTSTRAP)', z.object({
    url: z.string().regex(/^https?:\/\/\S+$/, 'an http(s):// URL').max(256),
    username: z.string().max(256).optional(),
    password: z.string().max(256).optional(),
  }), (d, b) => {
    applied(d.device.management.configure({ url: b.url, ...(b.username === undefined ? {} : { username: b.username }), ...(b.password === undefined ? {} : { password: b.password }) }));
    return ok;
  }),
  define('cwmp-inform', 'Make the CPE open a session with the ACS now (2 PERIODIC when no other event is pending)', z.object({}), (d) => {
    const cpe = d.cwmp?.();
    if (!cpe) throw problem(409, 'Not applicable', 'the device is not a TR-069 CPE (start it with --acs URL)');
    cpe.informNow();
    return { ok: true, status: cpe.status() };
  }),
  define('connection-request', 'A connection request from the ACS, as if authenticated: a session starts with 6 CONNECTION REQUEST (busy while one runs)', z.object({}), (d) => {
    const cpe = d.cwmp?.();
    if (!cpe) throw problem(409, 'Not applicable', 'the device is not a TR-069 CPE (start it with --acs URL)');
    return { ok: true, answer: cpe.connectionRequest() };
  }),
  define('factory-reset', 'Factory reset (identity, SIM and SIM messages stay)', z.object({}), (d) => d.device.power.factoryReset()),
];
