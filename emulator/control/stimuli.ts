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
    rsrpDbm: z.number().min(-140).max(-44).optional().describe('LTE reference signal received power, dBm'),
    rsrqDb: z.number().min(-20).max(-3).optional().describe('reference signal received quality, dB'),
    sinrDb: z.number().min(-20).max(40).optional().describe('signal to interference and noise ratio, dB'),
    rssiDbm: z.number().min(-120).max(-25).optional().describe('received signal strength, dBm (default RSRP + 28 with bars)'),
    bars: z.number().int().min(0).max(5).optional().describe('the web UI\'s bars; sets RSRP to a value that shows them'),
  }).refine((b) => Object.keys(b).length > 0, 'give at least one of rsrpDbm, rsrqDb, sinrDb, rssiDbm, bars'), (d, b) => {
    const rsrp = b.bars !== undefined ? BARS_TO_RSRP[b.bars]! : b.rsrpDbm;
    d.device.network.setSignal({ rsrpDbm: rsrp, rsrqDb: b.rsrqDb, sinrDb: b.sinrDb, rssiDbm: b.rssiDbm ?? (b.bars !== undefined ? rsrp! + 28 : undefined) });
  }),
  define('signal-trace', 'Play a signal trace (inline points or a fixture name) on the virtual clock', z.object({
    fixture: z.string().regex(/^[a-z0-9-]+$/).optional().describe('a trace in fixtures/signal-traces by name'),
    points: z.array(z.object({ atS: z.number().min(0), rsrpDbm: z.number().min(-140).max(-44), rsrqDb: z.number().min(-20).max(-3).optional(), sinrDb: z.number().min(-20).max(40).optional(), rssiDbm: z.number().min(-120).max(-25).optional() })).min(1).optional().describe('inline points: atS (virtual seconds from now) and the signal values then'),
  }).refine((b) => (b.fixture === undefined) !== (b.points === undefined), 'give exactly one of fixture or points'), (d, b) => {
    const points = b.points ?? loadTrace(b.fixture!);
    return { ok: true, ...d.device.network.playSignalTrace(points) };
  }),
  define('handover', 'Hand over to another cell and/or band', z.object({
    cellId: z.number().int().min(0).max(0xfffffff).optional().describe('the new cell\'s 28-bit E-UTRAN cell id'),
    band: z.number().int().min(1).max(255).optional().describe('the new LTE band number'),
    earfcn: z.number().int().min(0).max(262143).optional().describe('the new channel (EARFCN)'),
    pci: z.number().int().min(0).max(503).optional().describe('the new physical cell id'),
    tac: z.number().int().min(0).max(0xffff).optional().describe('the new tracking area code'),
  }), (d, b) => d.device.network.handover(b)),
  define('technology', 'Change the radio technology (LTE, ENDC, SA, WCDMA, GSM)', z.object({ technology: technologySchema.describe('the radio access technology the device is on') }), (d, b) => d.device.network.setTechnology(b.technology)),
  define('registration', 'Change registration: home, roaming, searching, denied, none (no service)', z.object({ registration: registrationSchema.describe('the registration state the network gives') }), (d, b) => d.device.network.setRegistration(b.registration)),
  define('sim', 'Change the SIM: ready, absent (removed), pin or puk (locked), network-locked', z.object({ status: simStatusSchema.describe('what the SIM slot holds or asks for') }), (d, b) => d.device.sim.setStatus(b.status)),
  define('battery', 'Battery level, charger and drain rate', z.object({
    percent: z.number().int().min(0).max(100).optional().describe('battery level, %'),
    charger: z.boolean().optional().describe('charger plugged in'),
    drainPerHour: z.number().min(0).max(1000).optional().describe('percent lost per virtual hour on battery'),
  }).refine((b) => Object.keys(b).length > 0, 'give at least one of percent, charger, drainPerHour'), (d, b) => {
    applied(d.device.power.setBattery(b), `device ${d.device.state.id}: `);
  }),
  define('sms', 'Incoming SMS: single, long (multi-part), unicode, or a flood of `count` messages', z.object({
    from: number.describe('the sender\'s number'),
    text: z.string().min(1).max(1530).describe('the text; over one part\'s length it arrives as a multi-part message'),
    store: z.enum(['device', 'sim']).optional().describe('where it is stored (default device)'),
    count: z.number().int().min(1).max(1000).optional().describe('a flood: this many messages, each text ending " #1" .. " #count" so they can be told apart'),
    /** Virtual ms between the parts of a multi-part message (default 3000, as networks deliver them; 0: all at once). */
    partGapMs: z.number().int().min(0).max(86_400_000).optional().describe('virtual ms between the parts of a multi-part message (default 3000, each part its own delivery as networks do it; 0: all parts at once)'),
    read: z.boolean().optional().describe('stored as read (a message opened before the scenario starts; default false: unread)'),
  }), (d, b) => {
    const ids: number[] = [];
    let refused = 0;
    for (let i = 0; i < (b.count ?? 1); i++) {
      const text = b.count && b.count > 1 ? `${b.text} #${i + 1}` : b.text;
      const r = d.device.sms.receive({ number: b.from, text, store: b.store ?? 'device', partGapMs: b.partGapMs, read: b.read });
      if (r.refused) refused++;
      else ids.push(r.message.id);
    }
    return { ok: true, ids, refused };
  }),
  define('sms-storage-full', 'Fill an SMS store to capacity', z.object({ store: z.enum(['device', 'sim']).describe('the store to fill') }), (d, b) => ({ ok: true, ...d.device.sms.fill(b.store) })),
  define('sms-delivery-report', 'How the network answers delivery reports of SMS sent from now on: outcome and virtual delay', z.object({
    status: z.enum(['delivered', 'failed', 'expired']).describe('what the status reports say'),
    delayMs: z.number().int().min(0).max(604_800_000).optional().describe('virtual ms from sending to the report (default 5000)'),
  }), (d, b) => d.device.sms.setReportPlan({ status: b.status, delayMs: b.delayMs ?? 5000 })),
  define('sms-send-failure', 'Make sending SMS fail (or work again)', z.object({ enabled: z.boolean().describe('true: every send fails') }), (d, b) => d.device.sms.setSendFailure(b.enabled)),
  define('network', 'Drop the network (no service) or restore it', z.object({ state: z.enum(['drop', 'restore']).describe('drop: no service; restore: service as before') }), (d, b) => d.device.network.setNetworkAvailable(b.state === 'restore')),
  define('pdp-reject', 'Make the network reject PDP/APN activation (or accept it again)', z.object({ enabled: z.boolean().describe('true: every data connection attempt is rejected') }), (d, b) => d.device.data.setPdpRejected(b.enabled)),
  define('data-usage', 'Add data usage at once (a jump in the counters)', z.object({ rxBytes: z.number().int().min(0).max(1e15).describe('bytes received to add'), txBytes: z.number().int().min(0).max(1e15).optional().describe('bytes sent to add (default 0)') }), (d, b) => d.device.data.addUsage(b.rxBytes, b.txBytes ?? 0)),
  define('monthly-reset', 'Start a new accounting month', z.object({}), (d) => d.device.data.monthlyReset()),
  define('station', 'A client joins, leaves, or a blocked client tries to join', z.object({
    action: z.enum(['join', 'leave']).describe('the client joins or leaves'),
    mac: mac.describe('the client\'s MAC address'),
    hostname: z.string().max(64).optional().describe('the name it gives over DHCP'),
    ssidIndex: z.union([z.literal(0), z.literal(1)]).optional().describe('0: the main SSID, 1: the guest SSID'),
    medium: z.enum(['wifi', 'lan']).optional().describe('Wi-Fi (default) or cable'),
  }), (d, b) => {
    if (b.action === 'leave') {
      applied(d.device.wifi.leave(b.mac));
      return ok;
    }
    const st = d.device.wifi.join(b);
    return { ok: true, online: st.online, ip: st.ip, blockedAttempts: st.blockedAttempts };
  }),
  define('firmware', 'Publish a new firmware version on the update server', z.object({
    version: z.string().min(1).max(64).describe('the new firmware version'),
    sizeBytes: z.number().int().min(1).max(2 ** 32).describe('its download size'),
    description: z.string().max(2000).describe('release notes shown to the user'),
    mandatory: z.boolean().optional().describe('the user may not skip it'),
  }), (d, b) => d.device.fota.publish({ version: b.version, sizeBytes: b.sizeBytes, description: b.description, mandatory: b.mandatory ?? false })),
  define('fota-fault', 'FOTA faults: stall the download, fail the checksum, lose power during install, roll back', z.object({ fault: z.enum(['none', 'stall', 'checksum', 'power-loss', 'rollback']).describe('the fault for the next update (none clears it)') }), (d, b) => {
    applied(d.device.fota.setFault(b.fault), 'nothing to roll back to: ');
  }),
  define('reboot', 'Reboot the device (down for 30 virtual seconds)', z.object({}), (d) => d.device.power.reboot()),
  define('power-outage', 'Mains power fails and comes back: the device goes down and boots again (on a fleet: every selected router at once, a boot storm)', z.object({}), (d) => d.device.power.reboot()),
  define('acs-url', 'Point the device at another ACS (ManagementServer.URL; a CPE starts over with 0 BOOTSTRAP)', z.object({
    url: z.string().regex(/^https?:\/\/\S+$/, 'an http(s):// URL').max(256).describe('the new ACS URL'),
    username: z.string().max(256).optional().describe('CPE username toward it'),
    password: z.string().max(256).optional().describe('CPE password toward it'),
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
