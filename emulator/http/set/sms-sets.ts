import { decodeUcs2Hex } from '../codec.js';
import { BadField, SUCCESS, done, idList, need, oneOf, optional, type SetDef } from './set-def.js';

// goform-api.md §4.7 SMS and USSD, §5 encodings and the sms_cmd polling protocol.
// Message times come from the virtual clock, not the client's sms_time, so runs stay reproducible.

const MAX_SMS_CHARS = 765; // §5.2: the UI caps messages at 765 GSM-7 characters (5 parts)
const NUMBER_RE = /^\+?[0-9*#]{1,20}$/;

function body(hex: string): string {
  try {
    return decodeUcs2Hex(hex);
  } catch (e) {
    throw new BadField(e instanceof Error ? e.message : 'bad hex');
  }
}

function number(value: string, name: string): string {
  if (!NUMBER_RE.test(value)) throw new BadField(`${name}=${value} is not a phone number`);
  return value;
}

export const smsSets: Record<string, SetDef> = {
  SEND_SMS: {
    handle(ctx) {
      const to = number(need(ctx, 'Number'), 'Number');
      const text = body(need(ctx, 'MessageBody'));
      if (text.length === 0 || text.length > MAX_SMS_CHARS) throw new BadField(`MessageBody has ${text.length} characters; 1..${MAX_SMS_CHARS} allowed`);
      const id = optional(ctx, 'ID');
      const draftId = id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
      // §5.4: the firmware accepts the send and reports a failure through sms_cmd_status_info (result 2); a full
      // store is refused at once.
      const sent = ctx.device.sms.send({ number: to, text, draftId });
      return sent.refused === 'store-full' ? sent : SUCCESS;
    },
  },
  SAVE_SMS: {
    handle(ctx) {
      const numbers = need(ctx, 'SMSNumber').split(';').filter((n) => n !== '').map((n) => number(n, 'SMSNumber'));
      if (numbers.length === 0) throw new BadField('SMSNumber is empty');
      const text = body(need(ctx, 'SMSMessage'));
      if (text.length > MAX_SMS_CHARS) throw new BadField(`SMSMessage has ${text.length} characters; at most ${MAX_SMS_CHARS}`);
      const index = optional(ctx, 'Index');
      const replaceId = index !== undefined && /^\d+$/.test(index) ? Number(index) : undefined;
      const group = optional(ctx, 'draft_group_id');
      return done(ctx.device.sms.saveDraft({
        numbers,
        text,
        ...(replaceId === undefined ? {} : { replaceId }),
        ...(group ? { groupId: group } : {}),
      }));
    },
  },
  DELETE_SMS: {
    handle(ctx) {
      ctx.device.sms.delete(idList(ctx, 'msg_id'));
      return SUCCESS;
    },
  },
  ALL_DELETE_SMS: {
    handle(ctx) {
      // §9.3: which_cgi must name a location and a box (native_inbox, sim_draftbox...); anything else deletes nothing.
      const which = need(ctx, 'which_cgi');
      const m = /^(native|sim)_(inbox|outbox|sendbox|draftbox|all)$/.exec(which);
      if (!m) throw new BadField(`which_cgi=${which} is not <native|sim>_<inbox|outbox|sendbox|draftbox|all>`);
      const store = m[1] === 'sim' ? 'sim' : 'device';
      const tags = { inbox: [0, 1], outbox: [2, 3], sendbox: [2, 3], draftbox: [4], all: [0, 1, 2, 3, 4] }[m[2] as 'inbox'];
      const ids = ctx.state.sms.messages.filter((msg) => msg.store === store && tags.includes(msg.tag)).map((msg) => msg.id);
      ctx.device.sms.delete(ids);
      return SUCCESS;
    },
  },
  SET_MSG_READ: {
    handle(ctx) {
      const ids = idList(ctx, 'msg_id');
      const tag = oneOf(ctx, 'tag', ['0', '1']);
      ctx.device.sms.setTag(ids, tag === '0' ? 0 : 1);
      return SUCCESS;
    },
  },
  SET_MESSAGE_CENTER: {
    handle(ctx) {
      const smsc = number(need(ctx, 'MessageCenter'), 'MessageCenter');
      const saveTime = oneOf(ctx, 'save_time', ['twelve_hours', 'one_day', 'one_week', 'largest']);
      const report = oneOf(ctx, 'status_save', ['0', '1']);
      return done(ctx.device.sms.setCenter({ smsc, validityPeriod: saveTime, statusReport: report === '1' }));
    },
  },
  USSD_PROCESS: {
    handle(ctx) {
      const op = oneOf(ctx, 'USSD_operator', ['ussd_send', 'ussd_reply', 'ussd_cancel']);
      if (op === 'ussd_cancel') {
        ctx.device.sms.cancelUssd();
        return SUCCESS;
      }
      const code = need(ctx, op === 'ussd_send' ? 'USSD_send_number' : 'USSD_reply_number');
      const outcome = ctx.device.sms.ussd(code);
      // Without service the firmware still accepts the request; ussd_write_flag "1" tells the UI it failed.
      if (outcome.refused === 'invalid') return outcome;
      return SUCCESS;
    },
  },
};
