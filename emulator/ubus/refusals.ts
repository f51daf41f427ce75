import type { RefusalCode, Refused } from '../state/outcome.js';
import { UBUS_STATUS } from './codec.js';

// The one mapping of a device refusal to the ubus surface's language: a ubus status code (ubus-api.md §3.3).
// ZWRT daemons answer bad or impossible requests with INVALID_ARGUMENT (§3.3: wrong SMS fields, bad sms_time);
// a state the request cannot change now is NOT_SUPPORTED or UNKNOWN_ERROR as rpcd's status table names them.

const STATUS: Record<RefusalCode, number> = {
  'sim-absent': UBUS_STATUS.NOT_SUPPORTED,
  'sim-locked': UBUS_STATUS.NOT_SUPPORTED,
  'sim-not-locked': UBUS_STATUS.INVALID_ARGUMENT,
  'wrong-pin': UBUS_STATUS.INVALID_ARGUMENT,
  'wrong-puk': UBUS_STATUS.INVALID_ARGUMENT,
  'bad-code': UBUS_STATUS.INVALID_ARGUMENT,
  'not-registered': UBUS_STATUS.UNKNOWN_ERROR,
  'pdp-rejected': UBUS_STATUS.UNKNOWN_ERROR,
  'data-limit-reached': UBUS_STATUS.UNKNOWN_ERROR,
  'roaming-not-allowed': UBUS_STATUS.UNKNOWN_ERROR,
  'unknown-network': UBUS_STATUS.INVALID_ARGUMENT,
  'forbidden-network': UBUS_STATUS.INVALID_ARGUMENT,
  'needs-5g': UBUS_STATUS.NOT_SUPPORTED,
  'unknown-station': UBUS_STATUS.NOT_FOUND,
  'station-offline': UBUS_STATUS.NOT_FOUND,
  'no-update': UBUS_STATUS.NO_DATA,
  'update-busy': UBUS_STATUS.UNKNOWN_ERROR,
  'low-battery': UBUS_STATUS.UNKNOWN_ERROR,
  'nothing-to-roll-back': UBUS_STATUS.NO_DATA,
  'no-battery': UBUS_STATUS.NOT_SUPPORTED,
  'store-full': UBUS_STATUS.UNKNOWN_ERROR,
  'send-failed': UBUS_STATUS.UNKNOWN_ERROR,
  'unknown-message': UBUS_STATUS.NOT_FOUND,
  'apn-slot-empty': UBUS_STATUS.NOT_FOUND,
  'apn-in-use': UBUS_STATUS.INVALID_ARGUMENT,
  'already-bound': UBUS_STATUS.INVALID_ARGUMENT,
  'not-bound': UBUS_STATUS.INVALID_ARGUMENT,
  'wrong-token': UBUS_STATUS.INVALID_ARGUMENT,
  'wrong-password': UBUS_STATUS.INVALID_ARGUMENT,
  'device-down': UBUS_STATUS.TIMEOUT,
  invalid: UBUS_STATUS.INVALID_ARGUMENT,
};

export function refusalStatus(refused: Refused): number {
  return STATUS[refused.refused];
}
