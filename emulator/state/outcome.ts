// What a device operation answers: done (with what it produced), or a typed refusal that each surface maps to
// its own language in exactly one function (goform failure, +CME/+CMS ERROR, cloud CommandError, a 409 problem).

/** Why the device refused an operation. Stable names; surfaces map each to their own error. */
export const REFUSALS = {
  'sim-absent': 'there is no SIM',
  'sim-locked': 'the SIM waits for its PIN or PUK',
  'sim-not-locked': 'the SIM does not wait for this code',
  'wrong-pin': 'the PIN is wrong',
  'wrong-puk': 'the PUK is wrong',
  'bad-code': 'a PIN must be 4-8 digits and a PUK 8 digits',
  'not-registered': 'the device has no network service',
  'pdp-rejected': 'the network rejects the data connection',
  'data-limit-reached': 'the data limit is reached',
  'roaming-not-allowed': 'the device is roaming and data roaming is off',
  'unknown-network': 'no network with that name or number was found',
  'forbidden-network': 'that network is forbidden',
  'needs-5g': 'the setting needs a 5G device',
  'unknown-station': 'no such connected device',
  'station-offline': 'the station is not online',
  'no-update': 'no new firmware is published',
  'update-busy': 'an update is already running',
  'low-battery': 'the battery is below 30% and no charger is connected',
  'nothing-to-roll-back': 'no update has been installed',
  'no-battery': 'the device has no battery',
  'store-full': 'the message store is full',
  'send-failed': 'the network did not accept the message',
  'unknown-message': 'no message with that index',
  'apn-slot-empty': 'that APN slot is empty',
  'apn-in-use': 'that APN profile is the default in use',
  'already-bound': 'the router is bound to another account',
  'not-bound': 'the router is not bound to an account',
  'wrong-token': 'the token is not the one the router was bound with',
  'wrong-password': 'the password is wrong',
  'device-down': 'the device is rebooting or off',
  invalid: 'a value is not acceptable',
} as const;

export type RefusalCode = keyof typeof REFUSALS;

export interface Refused {
  readonly refused: RefusalCode;
  /** Says what was refused and why, for logs and problem bodies. */
  readonly message: string;
}

/** An operation's answer: `T` when done (never has `refused`), or a Refused. */
export type Outcome<T extends object = Done> = (T & { readonly refused?: undefined }) | Refused;
export type Done = Record<never, never>;

export const DONE: Done = Object.freeze({});

export function refuse(code: RefusalCode, message: string = REFUSALS[code]): Refused {
  return { refused: code, message };
}

export function isRefused(outcome: object): outcome is Refused {
  return typeof (outcome as { refused?: unknown }).refused === 'string';
}
