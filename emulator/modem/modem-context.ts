// The modem as AT commands see it: the device, its SMS index and the port's helpers. Commands and the engine
// import this interface, never modem.ts, so the engine (at-engine.ts) knows nothing of the modem.
import type { DeviceApi } from '../state/device-api.js';
import type * as Engine from './at-engine.js';
import type { ConcatAssembler } from './concat-assembler.js';
import type { SmsIndex } from './sms-index.js';

export interface ModemContext extends Engine.PortHost {
  readonly device: DeviceApi;
  readonly index: SmsIndex;
  readonly assembler: ConcatAssembler;
  /** The command table (+CLAC lists it). */
  readonly table: Engine.CommandTable<ModemContext>;
  /** +CFUN level (1 full, 4 RF off, 0 minimum). */
  readonly cfun: number;
  setFunctionality(fun: number): void;
  /** Strings in the port's +CSCS character set: UCS2 is hex of UTF-16BE; IRA/GSM/8859-1 are plain. */
  encodeString(text: string, settings: Engine.AtSettings): string;
  /** The inverse of encodeString; null when a UCS2 string is not whole hex units. */
  decodeString(text: string, settings: Engine.AtSettings): string | null;
  /** A USSD request from a port: the answer comes to that port as +CUSD. */
  ussd(port: Engine.AtPort<ModemContext>, code: string): Engine.AtReply;
}

export type AtContext = Engine.AtContext<ModemContext>;
export type AtCommand = Engine.AtCommand<ModemContext>;
export type AtHandler = Engine.AtHandler<ModemContext>;
export type ModemPort = Engine.AtPort<ModemContext>;
