import { REPORT_STATUS_CODE } from '../state/areas/sms.js';
import type { DeepReadonly, SmsReport, StateView } from '../state/device-state.js';
import { textTimestamp } from './mapping.js';
import { encodePdu, parseAddress } from './pdu.js';

// SMS-STATUS-REPORT as the modem shows it (23.040 §9.2.2.3; 27.005 §3.4.1 +CDS, §3.4.2 +CMGR/+CMGL of SR memory).

type Report = DeepReadonly<SmsReport>;

/** The report's PDU with its SMSC field. */
export function reportPdu(state: StateView, r: Report): string {
  const stamp = (ms: number) => ({ utcMs: ms, tzQuarters: Math.round(r.tzHours * 4) });
  return encodePdu({
    type: 'status-report',
    smsc: parseAddress(state.sms.smsc),
    // TP-SRQ 0: the report answers a SUBMIT (23.040 §9.2.3.26); TP-MMS: no more messages waiting.
    firstOctet: 0x06,
    mr: r.reference,
    recipient: parseAddress(r.number),
    timestamp: stamp(r.submittedMs),
    dischargeTime: stamp(r.dischargeMs),
    status: REPORT_STATUS_CODE[r.status],
  }).hex;
}

/** Text-mode fields after "+CDS: " or "+CMGR: <stat>,": <fo>,<mr>,<ra>,<tora>,<scts>,<dt>,<st>. */
export function reportFields(r: Report): string {
  const tora = parseAddress(r.number).toa;
  const times = [textTimestamp({ timeMs: r.submittedMs, tzHours: r.tzHours }), textTimestamp({ timeMs: r.dischargeMs, tzHours: r.tzHours })];
  return `6,${r.reference},"${r.number}",${tora},"${times[0]}","${times[1]}",${REPORT_STATUS_CODE[r.status]}`;
}
