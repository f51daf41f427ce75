// The TR-181 data model's table entries (device-management.md §2): one parameter or one multi-instance object each,
// as data. Reads derive from the device state; writes are DeviceApi operations. Imports only emulator/state.
import type { DeviceApi, StateView } from '../state/device-api.js';
import type { Outcome } from '../state/outcome.js';

/** The xsd types of CWMP values (§2.1). */
export type XsdType = 'string' | 'boolean' | 'int' | 'unsignedInt' | 'long' | 'unsignedLong' | 'dateTime' | 'base64' | 'hexBinary';

/** How a parameter may be asked to notify (TR-181 activeNotify, §1.7). */
export type ActiveNotify = 'normal' | 'canDeny' | 'forceEnabled' | 'forceDefaultEnabled';

/** What reads and writes see: the device and the facts of the management surface that asks (CWMP or USP). */
export interface DmContext {
  device: DeviceApi;
  state: StateView;
  nowMs: number;
  /** Where this CPE answers connection requests (ManagementServer.ConnectionRequestURL); "" without one. */
  connectionRequestUrl: string;
}

export type Value = string | number | boolean;

export interface ParamDef {
  /** Full path with `{i}` for each table instance, e.g. `Device.WiFi.SSID.{i}.SSID`. */
  path: string;
  type: XsdType;
  /** SetParameterValues may change it. */
  writable?: boolean;
  /** Passwords, keys, PINs: always read back as "" (§2.1). */
  hidden?: boolean;
  /** In every Inform (forcedInform, §1.4). */
  forced?: boolean;
  notify?: ActiveNotify;
  /** Allowed values of an enumeration. */
  values?: readonly string[];
  /** Range of a number, length of a string. */
  min?: number;
  max?: number;
  maxLength?: number;
  get(c: DmContext, idx: readonly number[]): Value;
  /** The write, as one DeviceApi operation (the value already checked against type, enumeration and range). */
  set?(c: DmContext, value: Value, idx: readonly number[]): Outcome;
}

/** A multi-instance object (`...{i}.`): its instance numbers, and AddObject/DeleteObject when writable. */
export interface TableDef {
  /** e.g. `Device.Cellular.AccessPoint.{i}.` */
  path: string;
  instances(c: DmContext, idx: readonly number[]): readonly number[];
  add?(c: DmContext, idx: readonly number[]): Outcome<{ instance: number }>;
  remove?(c: DmContext, idx: readonly number[]): Outcome;
}
