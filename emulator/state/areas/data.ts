import type { DeviceCore } from '../core.js';
import { dataLimitUsed, isRegistered } from '../derive.js';
import type { DataLimitState } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

const CONNECT_DELAY_MS = 2000;
const DISCONNECT_DELAY_MS = 500;

/** The mobile data connection, the data policy (auto_dial, roaming, limit) and the traffic counters. */
export interface DataApi {
  /**
   * The user asks for data: mobile data is switched on and the device dials (connected after 2 virtual s).
   * Refuses `not-registered`, `pdp-rejected`, `data-limit-reached`, `roaming-not-allowed`; a refused dial
   * counts in `connection.dialFailures`. Done at once when already connected or connecting.
   */
  connect(): Outcome;
  /** Hang up (down after 0.5 virtual s). `userInitiated` switches mobile data off; a drop by the network does not. */
  disconnect(userInitiated?: boolean): void;
  setConnectionMode(mode: 'auto_dial' | 'manual_dial', dataRoaming?: boolean): void;
  /** The app's switches: mobile data on dials, off hangs up; data roaming follows the policy. */
  setPreferences(input: { mobileData?: boolean | undefined; dataRoaming?: boolean | undefined }): void;
  /** Data limit settings (partial); the policy runs after (raising the limit lets auto_dial connect again). */
  setDataLimit(input: Partial<DataLimitState>): void;
  /** Zero the session and monthly counters (RESET_DATA_COUNTER). */
  resetCounters(): void;
  /** Set the month's used amount (FLOW_CALIBRATION_MANUAL): bytes, or seconds of connection time. */
  calibrate(input: { bytes: number } | { seconds: number }): void;
  /** Stimulus: traffic at once. */
  addUsage(rxBytes: number, txBytes?: number): void;
  /** Stimulus: the billing month starts again. */
  monthlyReset(): void;
  /** Stimulus: the network rejects PDP activation (drops the connection), or accepts it again. */
  setPdpRejected(rejected: boolean): void;
  /**
   * The data policy: down when not registered or roaming without data roaming; up again when allowed, mobile
   * data on and auto_dial. Every rule that changes one of those inputs runs it.
   */
  enforcePolicy(): void;
}

export function createDataArea(core: DeviceCore): DataApi {
  const api: DataApi = {
    connect() {
      const s = core.state;
      core.mutate((st) => {
        st.network.mobileData = true;
      });
      const why = !isRegistered(s)
        ? refuse('not-registered')
        : s.connection.pdpRejected
          ? refuse('pdp-rejected')
          : // A reached data limit keeps the connection down until the limit is raised, switched off or the month resets.
            (dataLimitUsed(s) ?? 0) >= 1
            ? refuse('data-limit-reached')
            : s.radio.registration === 'roaming' && !s.network.dataRoaming
              ? refuse('roaming-not-allowed')
              : null;
      if (why) {
        core.mutate((st) => {
          st.connection.dialFailures++;
        });
        return why;
      }
      if (s.connection.ppp === 'ppp_connected' || s.connection.ppp === 'ppp_connecting') return DONE;
      core.mutate((st) => {
        st.connection.ppp = 'ppp_connecting';
      });
      core.later(CONNECT_DELAY_MS, () => {
        if (core.state.connection.ppp !== 'ppp_connecting') return;
        core.mutate((st) => {
          st.connection.ppp = 'ppp_connected';
          st.connection.connectedSinceMs = core.now();
          st.traffic.realtimeRxBytes = 0;
          st.traffic.realtimeTxBytes = 0;
          st.traffic.realtimeSeconds = 0;
        });
      });
      return DONE;
    },
    disconnect(userInitiated = true) {
      if (userInitiated && core.state.network.mobileData) {
        core.mutate((st) => {
          st.network.mobileData = false;
        });
      }
      if (core.state.connection.ppp === 'ppp_disconnected') return;
      core.mutate((st) => {
        st.connection.ppp = 'ppp_disconnecting';
      });
      core.later(DISCONNECT_DELAY_MS, () => {
        core.mutate((st) => {
          st.connection.ppp = 'ppp_disconnected';
          st.connection.connectedSinceMs = null;
          st.traffic.rxBytesPerSecond = 0;
          st.traffic.txBytesPerSecond = 0;
        });
        // Dropped by the network (not the user): if service came back meanwhile, auto_dial connects again.
        if (!userInitiated) api.enforcePolicy();
      });
    },
    setConnectionMode(mode, dataRoaming) {
      core.mutate((s) => {
        s.network.connectionMode = mode;
        if (dataRoaming !== undefined) s.network.dataRoaming = dataRoaming;
      });
      api.enforcePolicy();
    },
    setPreferences({ mobileData, dataRoaming }) {
      if (dataRoaming !== undefined) {
        core.mutate((s) => {
          s.network.dataRoaming = dataRoaming;
        });
      }
      if (mobileData === true) api.connect();
      else if (mobileData === false) api.disconnect(true);
      api.enforcePolicy();
    },
    setDataLimit(input) {
      core.mutate((s) => {
        Object.assign(s.dataLimit, input);
      });
      api.enforcePolicy();
    },
    resetCounters() {
      core.mutate((s) => {
        const t = s.traffic;
        t.realtimeRxBytes = t.realtimeTxBytes = t.realtimeSeconds = 0;
        t.monthlyRxBytes = t.monthlyTxBytes = t.monthlySeconds = 0;
      });
      api.enforcePolicy();
    },
    calibrate(input) {
      core.mutate((s) => {
        if ('bytes' in input) {
          // The device keeps rx and tx apart; calibration sets the total.
          s.traffic.monthlyRxBytes = Math.round(input.bytes);
          s.traffic.monthlyTxBytes = 0;
        } else {
          s.traffic.monthlySeconds = Math.round(input.seconds);
        }
      });
    },
    addUsage(rxBytes, txBytes = 0) {
      core.mutate((s) => {
        s.traffic.monthlyRxBytes += rxBytes;
        s.traffic.monthlyTxBytes += txBytes;
        if (s.connection.ppp === 'ppp_connected') {
          s.traffic.realtimeRxBytes += rxBytes;
          s.traffic.realtimeTxBytes += txBytes;
        }
      });
    },
    monthlyReset() {
      core.mutate((s) => {
        s.traffic.lastMonthTotalBytes = s.traffic.monthlyRxBytes + s.traffic.monthlyTxBytes;
        s.traffic.monthlyRxBytes = 0;
        s.traffic.monthlyTxBytes = 0;
        s.traffic.monthlySeconds = 0;
      });
      api.enforcePolicy();
    },
    setPdpRejected(rejected) {
      core.mutate((s) => {
        s.connection.pdpRejected = rejected;
        if (rejected) s.connection.dialFailures++;
      });
      if (rejected) api.disconnect(false);
      else api.enforcePolicy();
    },
    enforcePolicy() {
      const s = core.state;
      const allowed = isRegistered(s) && (s.radio.registration !== 'roaming' || s.network.dataRoaming);
      if (!allowed && s.connection.ppp !== 'ppp_disconnected') api.disconnect(false);
      if (allowed && s.connection.ppp === 'ppp_disconnected' && s.network.mobileData && s.network.connectionMode === 'auto_dial') {
        if ((dataLimitUsed(s) ?? 0) < 1 && !s.connection.pdpRejected) api.connect();
      }
    },
  };
  return api;
}
