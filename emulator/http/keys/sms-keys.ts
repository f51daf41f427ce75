import type { StateView, SmsMessageView as SmsMessage, SmsStore } from '../../state/device-state.js';
import { defineKeys, str } from './key-def.js';

// goform-api.md §3.7 and §5: the plain SMS keys (aggregates live in aggregates.ts).

const unread = (s: StateView, store?: SmsStore): number =>
  s.sms.messages.filter((m) => m.tag === 1 && (store === undefined || m.store === store)).length;

export function smsCapacity(s: StateView): Record<string, string> {
  const by = (store: SmsStore, pick: (m: SmsMessage) => boolean): string =>
    // One slot per part, as modem memory counts (modem-at.md §10): both surfaces are full together.
    str(s.sms.messages.reduce((n, m) => (m.store === store && pick(m) ? n + m.parts.length : n), 0));
  const received = (m: SmsMessage): boolean => m.tag === 0 || m.tag === 1;
  const sent = (m: SmsMessage): boolean => m.tag === 2 || m.tag === 3;
  const draft = (m: SmsMessage): boolean => m.tag === 4;
  return {
    sms_nv_total: str(s.sms.deviceCapacity),
    sms_sim_total: str(s.sms.simCapacity),
    sms_nvused_total: by('device', () => true),
    sms_nv_rev_total: by('device', received),
    sms_nv_send_total: by('device', sent),
    sms_nv_draftbox_total: by('device', draft),
    sms_sim_rev_total: by('sim', received),
    sms_sim_send_total: by('sim', sent),
    sms_sim_draftbox_total: by('sim', draft),
  };
}

const capacityKey = (key: string) => (c: { state: StateView }): string => smsCapacity(c.state)[key] ?? '';

export const smsKeys = defineKeys('sms', {
  sms_unread_num: (c) => str(unread(c.state)),
  sms_dev_unread_num: (c) => str(unread(c.state, 'device')),
  sms_sim_unread_num: (c) => str(unread(c.state, 'sim')),
  sms_received_flag: (c) => str(c.state.sms.receivedFlag),
  sts_received_flag: (c) => str(c.state.sms.statusReportFlag),
  sms_db_change: () => '1',
  sms_nv_total: capacityKey('sms_nv_total'),
  sms_sim_total: capacityKey('sms_sim_total'),
  sms_nvused_total: capacityKey('sms_nvused_total'),
  sms_nv_rev_total: capacityKey('sms_nv_rev_total'),
  sms_nv_send_total: capacityKey('sms_nv_send_total'),
  sms_nv_draftbox_total: capacityKey('sms_nv_draftbox_total'),
  sms_sim_rev_total: capacityKey('sms_sim_rev_total'),
  sms_sim_send_total: capacityKey('sms_sim_send_total'),
  sms_sim_draftbox_total: capacityKey('sms_sim_draftbox_total'),
  sms_para_sca: (c) => c.state.sms.smsc,
});

export const ussdKeys = defineKeys('ussd', {
  ussd_write_flag: (c) => c.state.sms.ussd.flag,
});
