import type { DeviceCore } from '../core.js';
import { isRegistered } from '../derive.js';
import { partsOf, type SmsMessage, type SmsPart, type SmsReport, type SmsReportStatus, type SmsState, type SmsStore, type SmsTag } from '../device-state.js';
import { DONE, refuse, type Outcome, type Refused } from '../outcome.js';

const SMS_SEND_DELAY_MS = 1000;
const USSD_ANSWER_MS = 2000;
/**
 * Virtual ms between the parts of a long incoming SMS. A network delivers each part as its own SMS-DELIVER, one
 * transfer acknowledged before the next (24.011 §5.3), typically seconds apart; tools that read part by part
 * (ModemManager, python-gsmmodem) are built for that. A stimulus can still ask for all parts at once (0).
 */
export const DEFAULT_PART_GAP_MS = 3000;
/** SR memory holds this many status reports; the oldest make room for a new one. */
export const SMS_REPORT_CAPACITY = 100;
/** TP-ST values (23.040 §9.2.3.15): received by the SME, not obtainable (permanent), validity period expired. */
export const REPORT_STATUS_CODE: Record<SmsReportStatus, number> = { delivered: 0x00, failed: 0x43, expired: 0x46 };

/** The SMS store (device and SIM memories), sending, the SMS centre settings and USSD. */
export interface SmsApi {
  /** Slots used in a store: one per part held (a concatenated SMS takes one per part, 27.005 §3.5.4). */
  count(store: SmsStore): number;
  capacity(store: SmsStore): number;
  /**
   * Slots of a store as modem memory shows them (+CPMS): the router's own sent records (AT+CMGS sends without
   * storing) are not in it, and take room from it, so used never exceeds total and both surfaces are full together.
   */
  memory(store: SmsStore): { used: number; total: number };
  /**
   * An incoming SMS arrives part by part: each part is stored (unread) in its own slot and `sms-received` fires per
   * part. `partGapMs` spaces the parts on the virtual clock (default DEFAULT_PART_GAP_MS; 0: all at once); until the last arrives the message is
   * partial (goform's `received_all_concat_sms` "0"). Refuses `store-full` (the network keeps it) when the parts do
   * not fit; a later part that finds the store full is lost. `read` stores it as read (tag 0): a message the user
   * had opened before a scenario or replay starts.
   */
  receive(input: { number: string; text: string; store?: SmsStore | undefined; timeMs?: number | undefined; partGapMs?: number | undefined; read?: boolean | undefined }): Outcome<{ message: SmsMessage }>;
  /**
   * Send an SMS: the router keeps a sent copy (tag 2) at once, and the send status (sms_cmd 4) moves from "1"
   * processing to "3" success, or "2" failed with the copy's tag 3, after a virtual second (goform-api.md §5.4).
   * Refuses `not-registered` or `send-failed` when the send will fail; the failed copy is still the router's
   * record. A `draftId` is the draft this message was sent from (deleted). Refuses `store-full` (nothing sent)
   * when device memory has no room for the sent copy. The copy is the router's own record (`record: 'router'`): its
   * sent box shows it, modem memory (+CMGL, +CPMS) does not, as AT+CMGS sends without storing (27.005 §3.5.1).
   * `storedId` sends a message stored in memory (AT+CMSS): it stays stored, as STO SENT, and no copy is made.
   * `report` asks for a status report (default: the SMS centre setting `statusReport`): one arrives in SR memory
   * after the report plan's delay (`sms-status-report`). `reference` is the TP-MR the sender gave the SUBMIT
   * (default: the next one); the answer carries it.
   */
  send(input: { number: string; text: string; draftId?: number | undefined; storedId?: number | undefined; report?: boolean | undefined; reference?: number | undefined }): Outcome<{ message: SmsMessage; reference: number }>;
  /** The next TP-MR (0-255, wrapping) for a SUBMIT; a part-by-part sender takes one per part. */
  nextReference(): number;
  /** Why a send would fail on the network side now (`not-registered`, `send-failed`), or null: a part-by-part sender asks. */
  sendRefusal(): Refused | null;
  /**
   * Save a draft per number (one group for several numbers); `replaceId` is the draft it replaces. Refuses
   * `store-full` when the drafts would not fit in device memory.
   */
  saveDraft(input: { numbers: string[]; text: string; replaceId?: number | undefined; groupId?: string | undefined }): Outcome<{ messages: SmsMessage[] }>;
  /** Delete whole messages (every part) by id; answers how many existed. */
  delete(ids: readonly number[]): { deleted: number };
  /** Delete one part of a message (AT+CMGD of its index); the message goes with its last part. False if absent. */
  deletePart(id: number, seq: number): boolean;
  /** Mark messages read (0) or unread (1); the new-message flag clears once nothing is unread. */
  setTag(ids: readonly number[], tag: SmsTag): void;
  /** SMS centre settings (SET_MESSAGE_CENTER, AT+CSCA). Refuses `invalid` for an SMSC that is not a number. */
  setCenter(input: { smsc?: string | undefined; validityPeriod?: SmsState['validityPeriod'] | undefined; statusReport?: boolean | undefined }): Outcome;
  /** Stimulus: sending fails (or works again). */
  setSendFailure(failing: boolean): void;
  /** Stimulus: how the network answers status reports from now on (outcome and virtual delay after sending). */
  setReportPlan(plan: { status: SmsReportStatus; delayMs: number }): void;
  /** Delete status reports from SR memory; answers how many existed. */
  deleteReports(ids: readonly number[]): { deleted: number };
  /** Mark status reports read; the report flag (sts_received_flag) clears once none is unread. */
  readReports(ids: readonly number[]): void;
  /** Stimulus: fill a store to capacity with read filler messages; answers how many were added. */
  fill(store: SmsStore): { added: number };
  /**
   * A USSD request: the network answers after 2 virtual seconds (`sms.ussd` and `ussd-answer`). Refuses
   * `invalid` (not a USSD string) and `not-registered`; then `sms.ussd.flag` is "1" (no answer will come).
   */
  ussd(code: string): Outcome;
  /** End a USSD dialogue. */
  cancelUssd(): void;
}

export function createSmsArea(core: DeviceCore): SmsApi {
  const slotsOf = (m: SmsMessage): number => m.parts.length;
  const joined = (parts: readonly SmsPart[]): string => parts.map((p) => p.text).join('');
  const add = (input: { number: string; parts: SmsPart[]; total: number; tag: SmsTag; store: SmsStore; draftGroupId?: string; timeMs?: number | undefined; record?: SmsMessage['record'] | undefined }): SmsMessage => {
    const s = core.state;
    const concat = input.total > 1 ? input.total : 0;
    const message: SmsMessage = {
      id: s.sms.nextId,
      number: input.number,
      text: joined(input.parts),
      tag: input.tag,
      store: input.store,
      timeMs: input.timeMs ?? core.now(),
      tzHours: s.system.tzHours,
      draftGroupId: input.draftGroupId ?? '',
      concatTotal: concat,
      concatReceived: concat === 0 ? 0 : input.parts.length,
      record: input.record ?? 'memory',
      parts: input.parts,
    };
    core.mutate((st) => {
      st.sms.messages.push(message);
      st.sms.nextId++;
    });
    return message;
  };
  const addText = (input: Omit<Parameters<typeof add>[0], 'parts' | 'total'> & { text: string }): SmsMessage => {
    const parts = partsOf(input.text);
    return add({ ...input, parts, total: parts.length });
  };
  /** A later part of an incoming message joins its record (or is lost when the record or the room is gone). */
  const arrive = (id: number, part: SmsPart): void => {
    const m = core.state.sms.messages.find((x) => x.id === id);
    if (!m || api.count(m.store) >= api.capacity(m.store)) return;
    core.mutate((s) => {
      const live = s.sms.messages.find((x) => x.id === id)!;
      live.parts = [...live.parts, part].sort((a, b) => a.seq - b.seq);
      live.text = joined(live.parts);
      live.concatReceived = live.parts.length;
      live.tag = 1;
      s.sms.receivedFlag = true;
    });
    core.emit('sms-received', core.state.sms.messages.find((x) => x.id === id)!, part.seq);
  };
  const report = (message: SmsMessage, reference: number): void => {
    const plan = core.state.sms.reportPlan;
    const submittedMs = core.now();
    core.later(plan.delayMs, () => {
      const entry: SmsReport = {
        id: core.state.sms.nextReportId,
        reference,
        number: message.number,
        messageId: message.id,
        status: plan.status,
        submittedMs,
        dischargeMs: core.now(),
        tzHours: core.state.system.tzHours,
        read: false,
      };
      core.mutate((s) => {
        s.sms.reports = [...s.sms.reports, entry].slice(-SMS_REPORT_CAPACITY);
        s.sms.nextReportId++;
        s.sms.statusReportFlag = true;
      });
      core.emit('sms-status-report', entry);
    });
  };
  const api: SmsApi = {
    count: (store) => core.state.sms.messages.reduce((n, m) => (m.store === store ? n + slotsOf(m) : n), 0),
    capacity: (store) => (store === 'device' ? core.state.sms.deviceCapacity : core.state.sms.simCapacity),
    memory(store) {
      let used = 0;
      let router = 0;
      for (const m of core.state.sms.messages) {
        if (m.store !== store) continue;
        if (m.record === 'router') router += slotsOf(m);
        else used += slotsOf(m);
      }
      return { used, total: Math.max(used, api.capacity(store) - router) };
    },
    receive(input) {
      const store = input.store ?? 'device';
      const parts = partsOf(input.text);
      if (api.count(store) + parts.length > api.capacity(store)) return refuse('store-full', `the ${store} message store is full`);
      const gap = input.partGapMs ?? DEFAULT_PART_GAP_MS;
      const first = gap > 0 ? parts.slice(0, 1) : parts;
      const message = add({ number: input.number, parts: first, total: parts.length, tag: input.read ? 0 : 1, store, timeMs: input.timeMs });
      core.mutate((s) => {
        s.sms.receivedFlag = true;
      });
      for (const part of first) core.emit('sms-received', message, part.seq);
      parts.slice(first.length).forEach((part, i) => core.later(gap * (i + 1), () => arrive(message.id, part)));
      return { message };
    },
    send(input) {
      // The sent copy is kept in device memory: a full store refuses the send (and keeps the draft it came from).
      const from = [input.draftId, input.storedId].map((id) => core.state.sms.messages.find((m) => m.id === id && m.store === 'device')).find((m) => m !== undefined);
      const needed = input.storedId !== undefined && from ? 0 : partsOf(input.text).length - (from ? slotsOf(from) : 0);
      if (api.count('device') + needed > api.capacity('device')) return refuse('store-full', 'the device message store is full; delete messages first');
      if (input.draftId !== undefined) api.delete([input.draftId]);
      const why = api.sendRefusal();
      const stored = input.storedId === undefined ? undefined : core.state.sms.messages.find((m) => m.id === input.storedId);
      let message: SmsMessage;
      if (stored) {
        core.mutate(() => {
          stored.tag = 2;
        });
        message = stored;
      } else {
        message = addText({ number: input.number, text: input.text, tag: 2, store: 'device', record: 'router' });
      }
      const reference = input.reference ?? api.nextReference();
      core.mutate((s) => {
        s.sms.cmdStatus['4'] = '1';
      });
      core.later(SMS_SEND_DELAY_MS, () => {
        core.mutate((s) => {
          s.sms.cmdStatus['4'] = why ? '2' : '3';
          const stored = s.sms.messages.find((m) => m.id === message.id);
          if (stored && why) stored.tag = 3;
        });
      });
      if (why) return why;
      // 23.040 §9.2.3.5 TP-SRR: only a SUBMIT that asked gets a status report.
      if (input.report ?? core.state.sms.statusReport) report(message, reference);
      return { message, reference };
    },
    nextReference() {
      const next = (core.state.sms.reference + 1) & 0xff;
      core.mutate((s) => {
        s.sms.reference = next;
      });
      return next;
    },
    sendRefusal() {
      if (!isRegistered(core.state)) return refuse('not-registered');
      return core.state.sms.sendFailure ? refuse('send-failed') : null;
    },
    saveDraft(input) {
      const replaced = input.replaceId === undefined ? undefined : core.state.sms.messages.find((m) => m.id === input.replaceId && m.store === 'device');
      const needed = partsOf(input.text).length * input.numbers.length - (replaced ? slotsOf(replaced) : 0);
      if (api.count('device') + needed > api.capacity('device')) return refuse('store-full', 'the device message store is full; delete messages first');
      if (input.replaceId !== undefined) api.delete([input.replaceId]);
      const groupId = input.numbers.length > 1 ? (input.groupId ?? String(core.state.sms.nextId)) : '';
      const saved = input.numbers.map((number) => addText({ number, text: input.text, tag: 4, store: 'device', draftGroupId: groupId }));
      core.mutate((s) => {
        s.sms.cmdStatus['5'] = '3';
      });
      return { messages: saved };
    },
    delete(ids) {
      const wanted = new Set(ids);
      const before = core.state.sms.messages.length;
      core.mutate((s) => {
        s.sms.messages = s.sms.messages.filter((m) => !wanted.has(m.id));
        s.sms.cmdStatus['6'] = '3';
      });
      return { deleted: before - core.state.sms.messages.length };
    },
    deletePart(id, seq) {
      const m = core.state.sms.messages.find((x) => x.id === id);
      if (!m?.parts.some((p) => p.seq === seq)) return false;
      if (m.parts.length === 1) {
        api.delete([id]);
        return true;
      }
      core.mutate(() => {
        m.parts = m.parts.filter((p) => p.seq !== seq);
        m.text = joined(m.parts);
        if (m.concatTotal > 0) m.concatReceived = m.parts.length;
      });
      return true;
    },
    setTag(ids, tag) {
      const wanted = new Set(ids);
      core.mutate((s) => {
        for (const m of s.sms.messages) if (wanted.has(m.id)) m.tag = tag;
        if (!s.sms.messages.some((m) => m.tag === 1)) s.sms.receivedFlag = false;
        // Clients poll sms_cmd 5 after SET_MSG_READ too (§4.7): it reaches success.
        s.sms.cmdStatus['5'] = '3';
      });
    },
    setCenter(input) {
      if (input.smsc !== undefined && !/^\+?\d{3,20}$/.test(input.smsc)) return refuse('invalid', `${input.smsc} is not an SMS centre number`);
      core.mutate((s) => {
        if (input.smsc !== undefined) s.sms.smsc = input.smsc;
        if (input.validityPeriod !== undefined) s.sms.validityPeriod = input.validityPeriod;
        if (input.statusReport !== undefined) s.sms.statusReport = input.statusReport;
        s.sms.cmdStatus['3'] = '3';
      });
      return DONE;
    },
    setSendFailure(failing) {
      core.mutate((s) => {
        s.sms.sendFailure = failing;
      });
    },
    setReportPlan(plan) {
      core.mutate((s) => {
        s.sms.reportPlan = { status: plan.status, delayMs: plan.delayMs };
      });
    },
    deleteReports(ids) {
      const wanted = new Set(ids);
      const before = core.state.sms.reports.length;
      core.mutate((s) => {
        s.sms.reports = s.sms.reports.filter((r) => !wanted.has(r.id));
        if (!s.sms.reports.some((r) => !r.read)) s.sms.statusReportFlag = false;
      });
      return { deleted: before - core.state.sms.reports.length };
    },
    readReports(ids) {
      const wanted = new Set(ids);
      core.mutate((s) => {
        for (const r of s.sms.reports) if (wanted.has(r.id)) r.read = true;
        if (!s.sms.reports.some((r) => !r.read)) s.sms.statusReportFlag = false;
      });
    },
    fill(store) {
      let added = 0;
      while (api.count(store) < api.capacity(store)) addText({ number: '+0', text: `storage filler ${++added}`, tag: 0, store });
      return { added };
    },
    ussd(code) {
      if (!/^[0-9*#]{1,40}$/.test(code)) return refuse('invalid', `${code} is not a USSD string`);
      const registered = isRegistered(core.state);
      core.mutate((s) => {
        s.sms.ussd = { flag: registered ? '15' : '1', data: '', action: '', dcs: '' };
      });
      if (!registered) return refuse('not-registered');
      core.later(USSD_ANSWER_MS, () => {
        if (core.state.sms.ussd.flag !== '15') return;
        const text = ussdAnswer(code, core.state.homeOperator.shortName);
        core.mutate((s) => {
          s.sms.ussd = { flag: '16', data: text, action: '0', dcs: '72' };
        });
        core.emit('ussd-answer', text);
      });
      return DONE;
    },
    cancelUssd() {
      core.mutate((s) => {
        s.sms.ussd = { flag: '13', data: '', action: '', dcs: '' };
      });
    },
  };
  return api;
}

/** A deterministic network answer for a USSD code. */
function ussdAnswer(code: string, operator: string): string {
  if (code === '*100#' || code === '*101#') return `${operator}: your balance is 12.34 EUR.`;
  return `${operator}: request ${code} received.`;
}
