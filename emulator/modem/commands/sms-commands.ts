import { SMS_REPORT_CAPACITY } from '../../state/areas/sms.js';
import type { DeepReadonly, SmsReport, SmsStore } from '../../state/device-state.js';
import { cmsError, error, ok, prompt, type AtReply } from '../at-engine.js';
import type { AtCommand, AtContext } from '../modem-context.js';
import { concatOf, deliverPart, submitPart, decodePdu, encodePdu, type Pdu } from '../pdu.js';
import { textTimestamp, tpduLength } from '../mapping.js';
import { atOutcome } from '../refusals.js';
import { reportFields, reportPdu } from '../status-reports.js';
import { STORE_OF, type IndexedPart } from '../sms-index.js';

// SMS per 27.005 (modem-at.md §3.7): message format, memories, new-message indications, send, list, read, delete.

const STAT_PDU: Record<number, number> = { 1: 0, 0: 1, 4: 2, 2: 3, 3: 3 };
const STAT_TEXT = ['REC UNREAD', 'REC READ', 'STO UNSENT', 'STO SENT', 'ALL'];
const MEMORIES = ['ME', 'SM', 'MT'];
/** "SR" (status reports) can be read and deleted, not written to or received into (27.005 §3.2.2 <mem1>). */
const READ_MEMORIES = [...MEMORIES, 'SR'];

const store = (c: AtContext, which: 0 | 1 | 2): SmsStore => STORE_OF[c.settings.cpms[which]] ?? 'device';
const readingReports = (c: AtContext): boolean => c.settings.cpms[0] === 'SR';
/** TP-SRR (23.040 §9.2.3.5) of a first octet: the sender asks for a status report. */
const asksReport = (firstOctet: number): boolean => (firstOctet & 0x20) !== 0;

/** Refuses SMS commands without a usable SIM (27.005 §3.2.5 codes). */
function simGuard(c: AtContext): AtReply | null {
  const st = c.modem.device.state.sim.status;
  if (st === 'absent') return cmsError(310);
  if (st === 'pin') return cmsError(311);
  if (st === 'puk') return cmsError(316);
  return null;
}

/** The PDU a stored part reads back as: DELIVER for received messages, SUBMIT for sent and drafts. */
export function storedPdu(c: Pick<AtContext, 'modem'>, p: IndexedPart): string {
  const m = p.message;
  const s = c.modem.device.state;
  const ref = m.id & 0xff;
  const received = m.tag === 0 || m.tag === 1;
  const pdu = received
    ? deliverPart({ from: m.number, smsc: s.sms.smsc, timestamp: { utcMs: m.timeMs, tzQuarters: Math.round(m.tzHours * 4) }, concatRef: ref }, p)
    : submitPart({ to: m.number, concatRef: ref, validityCode: 0xa7 }, p);
  return encodePdu(pdu).hex;
}

function listEntry(c: AtContext, p: IndexedPart): string[] {
  const stat = STAT_PDU[p.message.tag]!;
  if (c.settings.cmgf === 0) {
    const hex = storedPdu(c, p);
    return [`+CMGL: ${p.index},${stat},,${tpduLength(hex)}`, hex];
  }
  const text = c.modem.encodeString(p.text, c.settings);
  const time = stat <= 1 ? `,"${textTimestamp(p.message)}"` : '';
  return [`+CMGL: ${p.index},"${STAT_TEXT[stat]}","${p.message.number}",${time}`, text];
}

function markRead(c: AtContext, parts: IndexedPart[]): void {
  const unread = parts.filter((p) => p.message.tag === 1).map((p) => p.message.id);
  if (unread.length > 0) c.modem.device.sms.setTag([...new Set(unread)], 0);
}

/** Sends one submitted part; a concatenated message is stored once its last part arrives. */
function submit(c: AtContext, pdu: Pdu): AtReply {
  if (pdu.type !== 'submit') return cmsError(304);
  const d = c.modem.device;
  // Each part goes to the network on its own: one that cannot be sent is refused before it is collected.
  const refused = d.sms.sendRefusal();
  if (refused) return atOutcome(c, refused, 'cms');
  // Each part is a SUBMIT of its own with its own TP-MR; the message is kept once its last part is in.
  const reference = d.sms.nextReference();
  const concat = concatOf(pdu);
  const text = concat ? c.modem.assembler.add(pdu.destination.value, concat, pdu.text) : pdu.text;
  const outcome = text === null ? {} : d.sms.send({ number: pdu.destination.value, text, reference, report: asksReport(pdu.firstOctet) });
  return atOutcome(c, outcome, 'cms', `+CMGS: ${reference}`);
}

/** +CPMS counts: used,total of a memory (parts for ME/SM, reports for SR). */
function usage(c: AtContext, mem: string): string {
  if (mem === 'SR') return `${c.modem.device.state.sms.reports.length},${SMS_REPORT_CAPACITY}`;
  const { used, total } = c.modem.device.sms.memory(STORE_OF[mem]!);
  return `${used},${total}`;
}

/** A status report read from SR memory (27.005 §3.4.2/§3.4.3): PDU, or the text-mode report fields. */
function reportEntry(c: AtContext, command: '+CMGL' | '+CMGR', index: number, r: DeepReadonly<SmsReport>): string[] {
  const stat = r.read ? 1 : 0;
  const head = command === '+CMGL' ? `+CMGL: ${index},` : '+CMGR: ';
  if (c.settings.cmgf === 0) {
    const hex = reportPdu(c.modem.device.state, r);
    return [`${head}${stat},,${tpduLength(hex)}`, hex];
  }
  return [`${head}"${STAT_TEXT[stat]}",${reportFields(r)}`];
}

export const smsCommands: AtCommand[] = [
  {
    name: '+CSMS',
    read: () => ok('+CSMS: 0,1,1,1'),
    test: () => ok('+CSMS: (0,1)'),
    set: (_c, inv) => (inv.args[0] === '0' || inv.args[0] === '1' ? ok('+CSMS: 1,1,1') : cmsError(303)),
  },
  {
    name: '+CMGF',
    read: (c) => ok(`+CMGF: ${c.settings.cmgf}`),
    test: () => ok('+CMGF: (0,1)'),
    set: (c, inv) => {
      if (inv.args[0] !== '0' && inv.args[0] !== '1') return cmsError(303);
      c.settings.cmgf = inv.args[0] === '1' ? 1 : 0;
      return ok();
    },
  },
  {
    name: '+CSCS',
    read: (c) => ok(`+CSCS: "${c.settings.cscs}"`),
    test: () => ok('+CSCS: ("IRA","GSM","UCS2","8859-1")'),
    set: (c, inv) => {
      const cs = (inv.args[0] ?? '').toUpperCase();
      if (!['IRA', 'GSM', 'UCS2', '8859-1'].includes(cs)) return c.settings.cmee ? { kind: 'error', lines: [], cme: 4 } : error();
      c.settings.cscs = cs;
      return ok();
    },
  },
  {
    name: '+CSCA',
    read: (c) => {
      const smsc = c.modem.device.state.sms.smsc;
      return ok(`+CSCA: "${c.modem.encodeString(smsc, c.settings)}",${smsc.startsWith('+') ? 145 : 129}`);
    },
    set: (c, inv) => {
      const smsc = c.modem.decodeString(inv.args[0] ?? '', c.settings);
      if (smsc === null) return cmsError(304);
      return atOutcome(c, c.modem.device.sms.setCenter({ smsc }), 'cms');
    },
  },
  {
    name: '+CPMS',
    read: (c) => ok(`+CPMS: ${c.settings.cpms.map((mem) => `"${mem}",${usage(c, mem)}`).join(',')}`),
    test: () => ok('+CPMS: ("ME","SM","MT","SR"),("ME","SM","MT"),("ME","SM","MT")'),
    set: (c, inv) => {
      const mems = inv.args.map((m) => m.toUpperCase());
      if (mems.length === 0 || mems.length > 3 || mems.some((m, i) => !(i === 0 ? READ_MEMORIES : MEMORIES).includes(m))) return cmsError(302);
      mems.forEach((m, i) => (c.settings.cpms[i] = m));
      return ok(`+CPMS: ${c.settings.cpms.map((mem) => usage(c, mem)).join(',')}`);
    },
  },
  {
    name: '+CNMI',
    read: (c) => ok(`+CNMI: ${c.settings.cnmi.join(',')}`),
    test: () => ok('+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)'),
    set: (c, inv) => {
      const values = inv.args.map(Number);
      const limits = [2, 3, 2, 2, 1];
      if (values.length === 0 || values.some((v, i) => !Number.isInteger(v) || v < 0 || v > (limits[i] ?? -1))) return cmsError(303);
      values.forEach((v, i) => (c.settings.cnmi[i] = v));
      return ok();
    },
  },
  {
    name: '+CSMP',
    read: (c) => ok(`+CSMP: ${c.settings.csmp.join(',')}`),
    set: (c, inv) => {
      const v = inv.args.map(Number);
      if (v.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return cmsError(305);
      v.forEach((n, i) => i < 4 && (c.settings.csmp[i] = n));
      return ok();
    },
  },
  {
    name: '+CSDH',
    read: (c) => ok(`+CSDH: ${c.settings.csdh}`),
    set: (c, inv) => ((c.settings.csdh = inv.args[0] === '1' ? 1 : 0), ok()),
  },
  {
    name: '+CMGL',
    exec: (c) => list(c, c.settings.cmgf === 0 ? '0' : 'REC UNREAD'),
    set: (c, inv) => list(c, inv.args[0] ?? ''),
    test: (c) => ok(c.settings.cmgf === 0 ? '+CMGL: (0-4)' : '+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")'),
  },
  {
    name: '+CMGR',
    set: (c, inv) => {
      const guard = simGuard(c);
      if (guard) return guard;
      if (readingReports(c)) {
        const slot = c.modem.index.reports().find((r) => r.index === Number(inv.args[0]));
        if (!slot) return cmsError(321);
        const lines = reportEntry(c, '+CMGR', slot.index, slot.report);
        c.modem.device.sms.readReports([slot.report.id]);
        return ok(...lines);
      }
      const part = c.modem.index.find(store(c, 0), Number(inv.args[0]));
      if (!part) return cmsError(321);
      const stat = STAT_PDU[part.message.tag]!;
      markRead(c, [part]);
      if (c.settings.cmgf === 0) {
        const hex = storedPdu(c, part);
        return ok(`+CMGR: ${stat},,${tpduLength(hex)}`, hex);
      }
      const time = stat <= 1 ? `,,"${textTimestamp(part.message)}"` : ',';
      return ok(`+CMGR: "${STAT_TEXT[stat]}","${part.message.number}"${time}`, c.modem.encodeString(part.text, c.settings));
    },
  },
  {
    name: '+CMGD',
    test: (c) => ok(`+CMGD: (${(readingReports(c) ? c.modem.index.reports() : c.modem.index.parts(store(c, 0))).map((p) => p.index).join(',')}),(0-4)`),
    set: (c, inv) => {
      const guard = simGuard(c);
      if (guard) return guard;
      const index = Number(inv.args[0]);
      const flag = Number(inv.args[1] ?? '0');
      if (!Number.isInteger(flag) || flag < 0 || flag > 4) return cmsError(303);
      const sms = c.modem.device.sms;
      if (readingReports(c)) {
        const reports = c.modem.index.reports();
        // A report is a received message: flags 1-3 delete the read ones, 4 all.
        const gone = flag > 0 ? reports.filter((r) => flag === 4 || r.report.read) : reports.filter((r) => r.index === index);
        if (flag === 0 && gone.length === 0) return cmsError(321);
        sms.deleteReports(gone.map((r) => r.report.id));
        return ok();
      }
      const parts = c.modem.index.parts(store(c, 0));
      if (flag > 0) {
        // 27.005 §3.5.4: 1 all read, 2 read + sent, 3 read + sent + unsent, 4 all.
        const tags = [[], [0], [0, 2, 3], [0, 2, 3, 4], [0, 1, 2, 3, 4]][flag]!;
        sms.delete([...new Set(parts.filter((p) => tags.includes(p.message.tag)).map((p) => p.message.id))]);
        return ok();
      }
      // One index is one part: the other parts of the message keep their own indices.
      const part = parts.find((p) => p.index === index);
      if (!part) return cmsError(321);
      sms.deletePart(part.message.id, part.seq);
      return ok();
    },
  },
  {
    name: '+CMGS',
    test: () => ok(),
    set: (c, inv) => {
      const guard = simGuard(c);
      if (guard) return guard;
      if (c.settings.cmgf === 0) {
        const length = Number(inv.args[0]);
        if (!Number.isInteger(length) || length < 7 || length > 164) return cmsError(304);
        return prompt(false, (body) => {
          const hex = body.replace(/[\s\r\n]/g, '');
          let pdu: Pdu;
          try {
            pdu = decodePdu(hex);
          } catch {
            // An undecodable PDU is the client's error: +CMS ERROR 304 (invalid PDU mode parameter).
            return cmsError(304);
          }
          if (tpduLength(hex) !== length) return cmsError(304);
          return submit(c, pdu);
        });
      }
      const to = c.modem.decodeString(inv.args[0] ?? '', c.settings);
      if (!to || !/^\+?[0-9*#]{1,20}$/.test(to)) return cmsError(305);
      return prompt(true, (body) => {
        const text = c.modem.decodeString(body.replace(/\r/g, '\n'), c.settings);
        if (text === null) return cmsError(305);
        const sent = c.modem.device.sms.send({ number: to, text, report: asksReport(c.settings.csmp[0] ?? 17) });
        return atOutcome(c, sent, 'cms', ...(sent.refused ? [] : [`+CMGS: ${sent.reference}`]));
      });
    },
  },
  {
    name: '+CMGW',
    set: (c, inv) => {
      const guard = simGuard(c);
      if (guard) return guard;
      if (c.settings.cmgf === 0) {
        return prompt(false, (body) => {
          let pdu: Pdu;
          try {
            pdu = decodePdu(body.replace(/[\s\r\n]/g, ''));
          } catch {
            // Same as CMGS: a bad PDU is answered with 304.
            return cmsError(304);
          }
          if (pdu.type !== 'submit') return cmsError(304);
          const saved = c.modem.device.sms.saveDraft({ numbers: [pdu.destination.value], text: pdu.text });
          return saved.refused ? atOutcome(c, saved, 'cms') : ok(`+CMGW: ${c.modem.index.indexOf(saved.messages[0]!)}`);
        });
      }
      const to = c.modem.decodeString(inv.args[0] ?? '', c.settings) ?? '';
      if (!/^\+?[0-9*#]{1,20}$/.test(to)) return cmsError(305);
      return prompt(true, (body) => {
        const text = c.modem.decodeString(body.replace(/\r/g, '\n'), c.settings);
        if (text === null) return cmsError(305);
        const saved = c.modem.device.sms.saveDraft({ numbers: [to], text });
        return saved.refused ? atOutcome(c, saved, 'cms') : ok(`+CMGW: ${c.modem.index.indexOf(saved.messages[0]!)}`);
      });
    },
  },
  {
    name: '+CMSS',
    set: (c, inv) => {
      const part = c.modem.index.find(store(c, 1), Number(inv.args[0]));
      if (!part) return cmsError(321);
      const m = part.message;
      // 27.005 §3.5.2: the message stays in storage (STO SENT); sending to another number leaves it as it was.
      const outcome = c.modem.device.sms.send({ number: inv.args[1] ?? m.number, text: m.text, report: asksReport(c.settings.csmp[0] ?? 17), ...(inv.args[1] === undefined ? { storedId: m.id } : {}) });
      return atOutcome(c, outcome, 'cms', ...(outcome.refused ? [] : [`+CMSS: ${outcome.reference}`]));
    },
  },
  { name: '+CNMA', exec: () => ok(), set: () => ok() },
];

function list(c: AtContext, which: string): AtReply {
  const guard = simGuard(c);
  if (guard) return guard;
  const want = which.toUpperCase();
  const statIndex = c.settings.cmgf === 0 ? Number(want) : STAT_TEXT.indexOf(want);
  if (!Number.isInteger(statIndex) || statIndex < 0 || statIndex > 4) return cmsError(c.settings.cmgf === 0 ? 304 : 305);
  if (readingReports(c)) {
    const reports = c.modem.index.reports().filter((r) => statIndex === 4 || (r.report.read ? 1 : 0) === statIndex);
    const lines = reports.flatMap((r) => reportEntry(c, '+CMGL', r.index, r.report));
    c.modem.device.sms.readReports(reports.map((r) => r.report.id));
    return ok(...lines);
  }
  const parts = c.modem.index.parts(store(c, 0)).filter((p) => statIndex === 4 || STAT_PDU[p.message.tag] === statIndex);
  const lines = parts.flatMap((p) => listEntry(c, p));
  markRead(c, parts);
  return ok(...lines);
}

