import { isRefused, type Outcome, type RefusalCode } from '../state/outcome.js';
import { cmeError, cmsError, ok, type AtReply } from './at-engine.js';
import type { AtContext } from './modem-context.js';

// The one mapping of a device refusal on the AT surface: +CME ERROR codes of 27.007 §9.2 for ME and network
// commands, +CMS ERROR codes of 27.005 §3.2.5 for SMS commands. ERROR alone when +CMEE is 0 (the engine's framing).

const CME: Partial<Record<RefusalCode, number>> = {
  'sim-absent': 10,
  'sim-not-locked': 3,
  'wrong-pin': 16,
  'wrong-puk': 16,
  'bad-code': 16,
  'not-registered': 30,
  'pdp-rejected': 148,
  'data-limit-reached': 148,
  'roaming-not-allowed': 148,
  'unknown-network': 111,
  'forbidden-network': 32,
  'needs-5g': 50,
  'apn-in-use': 3,
  'apn-slot-empty': 50,
  invalid: 50,
};

const CMS: Partial<Record<RefusalCode, number>> = {
  'sim-absent': 310,
  'not-registered': 331,
  'send-failed': 500,
  'store-full': 322,
  'unknown-message': 321,
  invalid: 304,
};

/** OK (with `lines`) for a done operation, the refusal's +CME ERROR (or +CMS ERROR for `kind: 'cms'`) otherwise. */
export function atOutcome(c: AtContext, outcome: Outcome<object>, kind: 'cme' | 'cms' = 'cme', ...lines: string[]): AtReply {
  if (!isRefused(outcome)) return ok(...lines);
  if (outcome.refused === 'sim-locked') {
    const puk = c.modem.device.state.sim.status === 'puk';
    return kind === 'cms' ? cmsError(puk ? 316 : 311) : cmeError(puk ? 12 : 11);
  }
  return kind === 'cms' ? cmsError(CMS[outcome.refused] ?? 500) : cmeError(CME[outcome.refused] ?? 100);
}
