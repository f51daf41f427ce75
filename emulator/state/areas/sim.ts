import { PIN_RE, PUK_RE, type DeviceCore } from '../core.js';
import type { SimStatus } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

/** SIM, PIN and PUK (27.007 §8.3 +CPIN semantics: 3 PIN tries, then the PUK with 10 tries). */
export interface SimApi {
  /**
   * Unlock a SIM waiting for its PIN. Refuses `sim-absent`, `sim-not-locked` (not waiting for a PIN), `bad-code` (not
   * 4-8 digits, no try counted), `wrong-pin` (one try less; the third wrong PIN locks to PUK).
   * Done: the SIM is ready, `sim-changed` and `registration-changed` fire and the data policy runs.
   */
  enterPin(pin: string): Outcome;
  /**
   * Unblock a SIM waiting for its PUK and set a new PIN. Refuses `sim-absent`, `sim-not-locked`, `bad-code` (PUK
   * not 8 digits or PIN not 4-8, no try counted), `wrong-puk` (one try less). Done as enterPin.
   */
  enterPuk(puk: string, newPin: string): Outcome;
  /**
   * Switch the PIN request on or off, or change the PIN (`newPin`), proving the current PIN. Refuses
   * `bad-code`, `sim-absent`, `sim-locked` (not ready), `wrong-pin` (one try less, as enterPin).
   */
  setPinLock(input: { enabled: boolean; pin: string; newPin?: string | undefined }): Outcome;
  /** Stimulus: the SIM is removed, locked or ready; registration and data follow. */
  setStatus(status: SimStatus): void;
}

export function createSimArea(core: DeviceCore): SimApi {
  const changed = (): void => {
    core.emit('sim-changed', core.state.sim.status);
    core.emit('registration-changed', core.state.radio.registration);
    core.api.data.enforcePolicy();
  };
  const wrongPin = (): Outcome => {
    core.mutate((s) => {
      s.sim.pinAttemptsLeft = Math.max(0, s.sim.pinAttemptsLeft - 1);
      if (s.sim.pinAttemptsLeft === 0) s.sim.status = 'puk';
    });
    if (core.state.sim.status === 'puk') changed();
    return refuse('wrong-pin');
  };
  return {
    enterPin(pin) {
      const st = core.state.sim.status;
      if (st === 'absent') return refuse('sim-absent');
      if (st !== 'pin') return refuse('sim-not-locked', `the SIM is ${st}, not waiting for a PIN`);
      if (!PIN_RE.test(pin)) return refuse('bad-code');
      if (pin !== core.state.sim.pin) return wrongPin();
      core.mutate((s) => {
        s.sim.status = 'ready';
        s.sim.pinAttemptsLeft = 3;
      });
      changed();
      return DONE;
    },
    enterPuk(puk, newPin) {
      const st = core.state.sim.status;
      if (st === 'absent') return refuse('sim-absent');
      if (st !== 'puk') return refuse('sim-not-locked', `the SIM is ${st}, not waiting for a PUK`);
      if (!PUK_RE.test(puk) || !PIN_RE.test(newPin)) return refuse('bad-code');
      if (puk !== core.state.sim.puk) {
        core.mutate((s) => {
          s.sim.pukAttemptsLeft = Math.max(0, s.sim.pukAttemptsLeft - 1);
        });
        return refuse('wrong-puk');
      }
      core.mutate((s) => {
        Object.assign(s.sim, { status: 'ready', pin: newPin, pinAttemptsLeft: 3, pukAttemptsLeft: 10 });
      });
      changed();
      return DONE;
    },
    setPinLock({ enabled, pin, newPin }) {
      if (!PIN_RE.test(pin) || (newPin !== undefined && !PIN_RE.test(newPin))) return refuse('bad-code');
      const st = core.state.sim.status;
      if (st === 'absent') return refuse('sim-absent');
      if (st !== 'ready') return refuse('sim-locked');
      if (pin !== core.state.sim.pin) return wrongPin();
      core.mutate((s) => {
        s.sim.pinAttemptsLeft = 3;
        s.sim.pinEnabled = enabled;
        if (newPin !== undefined) s.sim.pin = newPin;
      });
      return DONE;
    },
    setStatus(status) {
      core.mutate((s) => {
        s.sim.status = status;
        if (status === 'pin') s.sim.pinEnabled = true;
      });
      changed();
    },
  };
}
