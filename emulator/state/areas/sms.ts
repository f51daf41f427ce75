import type { DeviceCore } from '../core.js';
import { isRegistered } from '../derive.js';
import type { SmsMessage, SmsState, SmsStore, SmsTag } from '../device-state.js';
import { DONE, refuse, type Outcome, type Refused } from '../outcome.js';

const SMS_SEND_DELAY_MS = 1000;
const USSD_ANSWER_MS = 2000;

/** The SMS store (device and SIM memories), sending, the SMS centre settings and USSD. */
export interface SmsApi {
  count(store: SmsStore): number;
  capacity(store: SmsStore): number;
  /** An incoming SMS is stored (unread) and `sms-received` fires. Refuses `store-full` (the network keeps it). */
  receive(input: { number: string; text: string; store?: SmsStore | undefined; concatTotal?: number | undefined; timeMs?: number | undefined }): Outcome<{ message: SmsMessage }>;
  /**
   * Send an SMS: the router keeps a sent copy (tag 2) at once, and the send status (sms_cmd 4) moves from "1"
   * processing to "3" success, or "2" failed with the copy's tag 3, after a virtual second (goform-api.md §5.4).
   * Refuses `not-registered` or `send-failed` when the send will fail; the failed copy is still the router's
   * record. A `draftId` is the draft this message was sent from (deleted). Refuses `store-full` (nothing sent)
   * when device memory has no room for the sent copy. The copy is the router's own record (`record: 'router'`): its
   * sent box shows it, modem memory (+CMGL, +CPMS) does not, as AT+CMGS sends without storing (27.005 §3.5.1).
   * `storedId` sends a message stored in memory (AT+CMSS): it stays stored, as STO SENT, and no copy is made.
   */
  send(input: { number: string; text: string; draftId?: number | undefined; storedId?: number | undefined }): Outcome<{ message: SmsMessage }>;
  /** Why a send would fail on the network side now (`not-registered`, `send-failed`), or null: a part-by-part sender asks. */
  sendRefusal(): Refused | null;
  /**
   * Save a draft per number (one group for several numbers); `replaceId` is the draft it replaces. Refuses
   * `store-full` when the drafts would not fit in device memory.
   */
  saveDraft(input: { numbers: string[]; text: string; replaceId?: number | undefined; groupId?: string | undefined }): Outcome<{ messages: SmsMessage[] }>;
  /** Delete messages by id; answers how many existed. */
  delete(ids: readonly number[]): { deleted: number };
  /** Mark messages read (0) or unread (1); the new-message flag clears once nothing is unread. */
  setTag(ids: readonly number[], tag: SmsTag): void;
  /** SMS centre settings (SET_MESSAGE_CENTER, AT+CSCA). Refuses `invalid` for an SMSC that is not a number. */
  setCenter(input: { smsc?: string | undefined; validityPeriod?: SmsState['validityPeriod'] | undefined; statusReport?: boolean | undefined }): Outcome;
  /** Stimulus: sending fails (or works again). */
  setSendFailure(failing: boolean): void;
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
  const add = (input: { number: string; text: string; tag: SmsTag; store: SmsStore; concatTotal: number; draftGroupId?: string; timeMs?: number | undefined; record?: SmsMessage['record'] | undefined }): SmsMessage => {
    const s = core.state;
    const message: SmsMessage = {
      id: s.sms.nextId,
      number: input.number,
      text: input.text,
      tag: input.tag,
      store: input.store,
      timeMs: input.timeMs ?? core.now(),
      tzHours: s.system.tzHours,
      draftGroupId: input.draftGroupId ?? '',
      concatTotal: input.concatTotal,
      concatReceived: input.concatTotal,
      record: input.record ?? 'memory',
    };
    core.mutate((st) => {
      st.sms.messages.push(message);
      st.sms.nextId++;
    });
    return message;
  };
  const api: SmsApi = {
    count: (store) => core.state.sms.messages.filter((m) => m.store === store).length,
    capacity: (store) => (store === 'device' ? core.state.sms.deviceCapacity : core.state.sms.simCapacity),
    receive(input) {
      const store = input.store ?? 'device';
      if (api.count(store) >= api.capacity(store)) return refuse('store-full', `the ${store} message store is full`);
      const message = add({ number: input.number, text: input.text, tag: 1, store, concatTotal: input.concatTotal ?? 0, timeMs: input.timeMs });
      core.mutate((s) => {
        s.sms.receivedFlag = true;
      });
      core.emit('sms-received', message);
      return { message };
    },
    send(input) {
      // The sent copy is kept in device memory: a full store refuses the send (and keeps the draft it came from).
      const fromDraft = [input.draftId, input.storedId].some((id) => id !== undefined && core.state.sms.messages.some((m) => m.id === id && m.store === 'device'));
      if (!fromDraft && api.count('device') >= api.capacity('device')) return refuse('store-full', 'the device message store is full; delete messages first');
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
        message = add({ number: input.number, text: input.text, tag: 2, store: 'device', concatTotal: 0, record: 'router' });
      }
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
      return why ?? { message };
    },
    sendRefusal() {
      if (!isRegistered(core.state)) return refuse('not-registered');
      return core.state.sms.sendFailure ? refuse('send-failed') : null;
    },
    saveDraft(input) {
      const replacing = input.replaceId !== undefined && core.state.sms.messages.some((m) => m.id === input.replaceId && m.store === 'device') ? 1 : 0;
      if (api.count('device') - replacing + input.numbers.length > api.capacity('device')) return refuse('store-full', 'the device message store is full; delete messages first');
      if (input.replaceId !== undefined) api.delete([input.replaceId]);
      const groupId = input.numbers.length > 1 ? (input.groupId ?? String(core.state.sms.nextId)) : '';
      const saved = input.numbers.map((number) => add({ number, text: input.text, tag: 4, store: 'device', concatTotal: 0, draftGroupId: groupId }));
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
    fill(store) {
      let added = 0;
      while (api.count(store) < api.capacity(store)) add({ number: '+0', text: `storage filler ${++added}`, tag: 0, store, concatTotal: 0 });
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
