import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// TR-369 Records and Msgs (device-management.md §3.1, §3.2): protobuf in and out with the schemas beside this file.
// Decoding is bounded (the MQTT payload size) and never trusts a field to be present.

const root = new protobuf.Root();
root.loadSync([fileURLToPath(new URL('./usp-record-1-4.proto', import.meta.url)), fileURLToPath(new URL('./usp-msg-1-4.proto', import.meta.url))], { keepCase: true });
const RecordType = root.lookupType('usp_record.Record');
const MsgType = root.lookupType('usp.Msg');

/** Largest Record read, bytes; a larger one is dropped (never parsed). */
export const MAX_RECORD_BYTES = 256 * 1024;

/** The Msg types (Header.MsgType) by name. */
export const MSG = {
  ERROR: 0, GET: 1, GET_RESP: 2, NOTIFY: 3, SET: 4, SET_RESP: 5, OPERATE: 6, OPERATE_RESP: 7, ADD: 8, ADD_RESP: 9, DELETE: 10, DELETE_RESP: 11,
  GET_SUPPORTED_DM: 12, GET_SUPPORTED_DM_RESP: 13, GET_INSTANCES: 14, GET_INSTANCES_RESP: 15, NOTIFY_RESP: 16, GET_SUPPORTED_PROTO: 17, GET_SUPPORTED_PROTO_RESP: 18,
} as const;

export interface UspRecord {
  version?: string;
  to_id?: string;
  from_id?: string;
  no_session_context?: { payload?: Uint8Array };
  session_context?: { payload?: Uint8Array[] };
  mqtt_connect?: { version?: number; subscribed_topic?: string };
  disconnect?: { reason?: string; reason_code?: number };
}

export interface UspMsg {
  header?: { msg_id?: string; msg_type?: number };
  body?: { request?: Record<string, unknown>; response?: Record<string, unknown>; error?: { err_code?: number; err_msg?: string; param_errs?: { param_path: string; err_code: number; err_msg: string }[] } };
}

export class RecordError extends Error {}

export function decodeRecord(bytes: Uint8Array): UspRecord {
  if (bytes.length > MAX_RECORD_BYTES) throw new RecordError(`a Record of ${bytes.length} bytes is over ${MAX_RECORD_BYTES}`);
  try {
    return RecordType.toObject(RecordType.decode(bytes), { longs: Number, enums: Number, bytes: Uint8Array, defaults: false, oneofs: false });
  } catch (e) {
    throw new RecordError(`not a USP Record: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function decodeMsg(bytes: Uint8Array): UspMsg {
  try {
    return MsgType.toObject(MsgType.decode(bytes), { longs: Number, enums: Number, defaults: false, oneofs: false });
  } catch (e) {
    throw new RecordError(`not a USP Msg: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function encodeMsg(msg: UspMsg): Uint8Array {
  return MsgType.encode(MsgType.fromObject(msg)).finish();
}

export function encodeRecord(record: UspRecord): Uint8Array {
  return RecordType.encode(RecordType.fromObject(record)).finish();
}

/** A no-session-context Record carrying one Msg (§3.1). */
export function msgRecord(version: string, toId: string, fromId: string, msg: UspMsg): Uint8Array {
  return encodeRecord({ version, to_id: toId, from_id: fromId, no_session_context: { payload: encodeMsg(msg) } });
}
