import { decodeUcs2Hex, encodeUcs2Hex, formatSmsDate } from '../../http/codec.js';
import type { SmsState, SmsTag } from '../../state/device-state.js';
import type { SmsMessageView } from '../../state/device-state.js';
import { BadArg, done, int, ok, optInt, optStr, str, type UbusContext, type UbusObject } from '../method-def.js';

// zwrt_wms (ubus-api.md §6.14) and zwrt_ussd (§6.18). Message times come from the virtual clock, not the
// client's sms_time, so runs stay reproducible.

const MAX_SMS_CHARS = 765;
const NUMBER_RE = /^\+?[0-9*#]{1,20}$/;
/** tp_validity_period codes (§6.14) of the device's validity periods. */
const VALIDITY: Record<SmsState['validityPeriod'], number> = { twelve_hours: 143, one_day: 167, one_week: 173, largest: 255 };

export const wmsObject: UbusObject = {
  group: 'sms',
  methods: {
    zte_libwms_get_sms_data: {
      doc: '{page (0-based), data_per_page, mem_store (1 device, 0 SIM), tags (10 all), order_by}: messages[]',
      handle(c, a) {
        const page = optInt(a, 'page', 0, 100_000) ?? 0;
        const per = optInt(a, 'data_per_page', 1, 5000) ?? 500;
        const memStore = optInt(a, 'mem_store', 0, 2) ?? 1;
        const tags = optInt(a, 'tags', 0, 10) ?? 10;
        const order = optStr(a, 'order_by') ?? 'order by id desc';
        const store = memStore === 0 ? 'sim' : 'device';
        let list = c.state.sms.messages.filter((m) => m.store === store && (tags === 10 || surfaceTag(c, m.tag) === tags));
        list = [...list].sort((x, y) => (/\basc\b/i.test(order) ? x.id - y.id : y.id - x.id));
        return ok({ messages: list.slice(page * per, page * per + per).map((m) => entry(c, m)) });
      },
    },
    zte_libwms_send_sms: {
      doc: '{number, sms_time "yy;MM;dd;HH;mm;ss;±tz", message_body (UCS-2 hex), id, encode_type}: send; poll sms_cmd 4',
      handle(c, a) {
        const numbers = c.dec(str(a, 'number'), 'number').split(';').filter((n) => n !== '');
        if (numbers.length === 0 || numbers.some((n) => !NUMBER_RE.test(n))) throw new BadArg(`number is not a phone number`);
        // GAP: sms_time must use semicolons; commas answer INVALID_ARGUMENT.
        const time = str(a, 'sms_time');
        if (!/^\d{2};\d{2};\d{2};\d{2};\d{2};\d{2};[+-]?\d{1,2}(\.\d+)?;?$/.test(time)) throw new BadArg(`sms_time=${time} is not yy;MM;dd;HH;mm;ss;±tz`);
        const text = ucs2(c.dec(str(a, 'message_body'), 'message_body'), 'message_body');
        if (text.length === 0 || text.length > MAX_SMS_CHARS) throw new BadArg(`message_body has ${text.length} characters; 1..${MAX_SMS_CHARS} allowed`);
        const id = optStr(a, 'id');
        const draftId = id !== undefined && /^\d+$/.test(id) && Number(id) > 0 ? Number(id) : undefined;
        for (const number of numbers) {
          // The daemon accepts the send and reports a failure through sms_cmd 4 (status 2); a full store is refused.
          const sent = c.device.sms.send({ number, text, draftId });
          if (sent.refused === 'store-full') return sent;
        }
        return ok();
      },
    },
    zwrt_wms_get_cmd_status: { read: true,
      doc: '{sms_cmd}: sms_cmd_status_result 1 working, 2 failed, 3 done (1 = ready, 3 settings, 4 send, 5 draft, 6 delete)',
      handle(c, a) {
        const cmd = int(a, 'sms_cmd', 1, 9);
        const result = cmd === 1 ? (c.state.system.poweredOn ? '3' : '1') : cmd === 3 || cmd === 5 ? '3' : (c.state.sms.cmdStatus[String(cmd)] ?? '3');
        return ok({ sms_cmd: c.num(cmd), sms_cmd_status_result: c.num(Number(result)) });
      },
    },
    zwrt_wms_delete_sms: {
      doc: '{id: "3;4;"}: delete messages; poll sms_cmd 6',
      handle(c, a) {
        c.device.sms.delete(idList(a));
        return ok();
      },
    },
    zwrt_wms_modify_tag: {
      doc: '{id: "3;4;", tag}: mark read (tag of a read message) or unread',
      handle(c, a) {
        const ids = idList(a);
        const tag = int(a, 'tag', 0, 1);
        c.device.sms.setTag(ids, deviceTag(c, tag) as SmsTag);
        return ok();
      },
    },
    zwrt_wms_write_sms: {
      doc: '{message: ENC(hex), number: ENC("n1;n2;"), index, encode_type, sms_time, draft_group_id}: save a draft; poll sms_cmd 5',
      handle(c, a) {
        const numbers = c.dec(str(a, 'number'), 'number').split(';').filter((n) => n !== '');
        if (numbers.length === 0 || numbers.some((n) => !NUMBER_RE.test(n))) throw new BadArg('number holds no phone number');
        const text = ucs2(c.dec(str(a, 'message'), 'message'), 'message');
        if (text.length > MAX_SMS_CHARS) throw new BadArg(`message has ${text.length} characters; at most ${MAX_SMS_CHARS}`);
        const index = optStr(a, 'index');
        const replaceId = index !== undefined && /^\d+$/.test(index) && Number(index) > 0 ? Number(index) : undefined;
        const group = optStr(a, 'draft_group_id');
        return done(c.device.sms.saveDraft({ numbers, text, ...(replaceId === undefined ? {} : { replaceId }), ...(group ? { groupId: group } : {}) }));
      },
    },
    zwrt_wms_get_status_rpt_data: {
      doc: '{page, data_per_page}: messages[] of delivery reports',
      handle(c, a) {
        const page = optInt(a, 'page', 0, 100_000) ?? 0;
        const per = optInt(a, 'data_per_page', 1, 5000) ?? 500;
        const reports = [...c.state.sms.reports].reverse().slice(page * per, page * per + per);
        return ok({
          messages: reports.map((r) => ({
            id: String(r.id),
            number: c.enc(r.number),
            content: c.enc(encodeUcs2Hex(r.status)),
            date: formatSmsDate(r.dischargeMs, r.tzHours),
            tag: r.read ? '0' : '1',
          })),
        });
      },
    },
    zwrt_wms_get_wms_capacity: { read: true,
      doc: 'sms_nv_total, sms_nv_rev_total, sms_nv_send_total, sms_nv_draftbox_total, sms_sim_*, unread counts (numbers)',
      handle(c) {
        const msgs = c.state.sms.messages.filter((m) => m.record !== 'router');
        const count = (store: 'device' | 'sim', tags: number[]): number => msgs.filter((m) => m.store === store && tags.includes(m.tag)).reduce((n, m) => n + m.parts.length, 0);
        return ok({
          sms_nv_total: c.num(c.device.sms.capacity('device')),
          sms_nv_rev_total: c.num(count('device', [0, 1])),
          sms_nv_send_total: c.num(count('device', [2, 3])),
          sms_nv_draftbox_total: c.num(count('device', [4])),
          sms_sim_total: c.num(c.device.sms.capacity('sim')),
          sms_sim_rev_total: c.num(count('sim', [0, 1])),
          sms_sim_send_total: c.num(count('sim', [2, 3])),
          sms_sim_draftbox_total: c.num(count('sim', [4])),
          sms_nvused_total: c.num(c.device.sms.memory('device').used),
          sms_dev_unread_num: c.num(msgs.filter((m) => m.store === 'device' && m.tag === 1).length),
          sms_sim_unread_num: c.num(msgs.filter((m) => m.store === 'sim' && m.tag === 1).length),
        });
      },
    },
    zte_wms_get_parameter: { read: true,
      doc: 'sca, mem_store, status_report_on, tp_validity_period (143 12 h, 167 1 day, 173 1 week, 255 max)',
      handle(c) {
        const sms = c.state.sms;
        return ok({ sca: sms.smsc, mem_store: c.num(1), status_report_on: sms.statusReport ? '1' : '0', tp_validity_period: c.num(VALIDITY[sms.validityPeriod]) });
      },
    },
    zte_wms_set_parameter: {
      doc: '{tp_validity_period, sca, status_report_on, mem_store}: poll sms_cmd 3',
      handle(c, a) {
        const smsc = optStr(a, 'sca');
        if (smsc !== undefined && !NUMBER_RE.test(smsc)) throw new BadArg(`sca=${smsc} is not a number`);
        const vp = optInt(a, 'tp_validity_period', 0, 255);
        const validityPeriod = vp === undefined ? undefined : vp <= 143 ? 'twelve_hours' : vp <= 167 ? 'one_day' : vp <= 173 ? 'one_week' : 'largest';
        const report = optStr(a, 'status_report_on');
        if (report !== undefined && report !== '0' && report !== '1') throw new BadArg(`status_report_on=${report} is not 0 or 1`);
        return done(c.device.sms.setCenter({ smsc, validityPeriod, statusReport: report === undefined ? undefined : report === '1' }));
      },
    },
  },
};

export const ussdObject: UbusObject = {
  group: 'ussd',
  methods: {
    libzte_ussd_web_process: {
      doc: '{ussd_data: "*100#"}: send a USSD code; the network answer follows in ussd_data (the answer format is not recorded, §8.13)',
      handle(c, a) {
        const code = str(a, 'ussd_data');
        return done(c.device.sms.ussd(code), { ussd_flag: c.state.sms.ussd.flag });
      },
    },
    libzte_ussd_web_get_result: {
      doc: 'ussd_flag (15 waiting, 16 answered, 1 failed), ussd_data (the answer text), ussd_action',
      handle(c) {
        const u = c.state.sms.ussd;
        return ok({ ussd_flag: u.flag, ussd_data: u.data, ussd_action: u.action });
      },
    },
  },
};

// --- internal ---

/** The tag as this firmware writes it: read/unread swap where 0 means unread (§6.14, §6.22). */
function surfaceTag(c: UbusContext, tag: number): number {
  if (c.switches.smsUnreadTag === 1 || tag > 1) return tag;
  return tag === 1 ? 0 : 1;
}

function deviceTag(c: UbusContext, tag: number): number {
  return surfaceTag(c, tag);
}

function entry(c: UbusContext, m: SmsMessageView): Record<string, unknown> {
  const complete = m.concatTotal === 0 || m.parts.length >= m.concatTotal;
  return {
    id: String(m.id),
    number: c.enc(m.number),
    content: c.enc(encodeUcs2Hex(m.text)),
    date: formatSmsDate(m.timeMs, m.tzHours),
    tag: String(surfaceTag(c, m.tag)),
    mem_store: m.store === 'sim' ? '0' : '1',
    draft_group_id: m.draftGroupId,
    received_all_concat_sms: complete ? '1' : '0',
  };
}

function idList(a: Record<string, unknown>): number[] {
  const v = str(a, 'id');
  // §6.14: ids joined by ';' with a trailing ';' (K sends "12" without it; both are taken).
  const parts = v.split(';').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d{1,9}$/.test(p))) throw new BadArg(`id=${v} is not an id list like "3;4;"`);
  return parts.map(Number);
}

function ucs2(hex: string, name: string): string {
  try {
    return decodeUcs2Hex(hex);
  } catch (e) {
    throw new BadArg(`${name} is not UCS-2 hex: ${e instanceof Error ? e.message : String(e)}`);
  }
}
