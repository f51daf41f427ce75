import type { DeviceCore } from '../core.js';
import { isDataConnected } from '../derive.js';
import type { FotaState } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

const CHECK_MS = 3000;
const VERIFY_MS = 2000;
const INSTALL_MS = 10_000;

export type FotaFault = FotaState['fault'] | 'rollback';

/** Firmware update over the air (goform-api.md §3.8, §4.8 IF_UPGRADE): publish, check, download, install. */
export interface FotaApi {
  /** Stimulus: the update server offers a version. */
  publish(input: { version: string; sizeBytes: number; description: string; mandatory?: boolean | undefined }): void;
  /** Ask the update server (3 virtual s, then `new_version_state`). */
  check(): void;
  /**
   * Download and install the offered version. Refuses `no-update`, `update-busy` (downloading or installing),
   * `low-battery` (below 30% on battery; `upgradeState` shows low_battery).
   */
  accept(): Outcome<{ version: string; sizeBytes: number }>;
  cancel(): void;
  /**
   * Install an image already fetched (a TR-069 Download): verified and installed like an OTA update, then a reboot
   * into `version` (the 'power-loss' fault boots the old one, result "fail"). Refuses `update-busy` while an update
   * runs, `low-battery` below 30% on battery, and `invalid` when the 'checksum' fault fails the verification.
   */
  install(image: { version: string; sizeBytes: number }): Outcome;
  setAutoCheck(input: FotaState['autoCheck']): void;
  /** The UI acknowledged the last result (RESULT_RESTORE). */
  clearResult(): void;
  /**
   * Stimulus: 'stall' stops the download, 'checksum' fails verification when it completes, 'power-loss' cuts
   * power during install (the old version boots, upgrade_result "fail"), 'rollback' returns a just updated device
   * to its previous version (refuses `nothing-to-roll-back`).
   */
  setFault(fault: FotaFault): Outcome;
  /** One simulation step of the download (called by the device's tick). */
  step(seconds: number): void;
}

export function createFotaArea(core: DeviceCore): FotaApi {
  const api: FotaApi = {
    publish(input) {
      core.mutate((s) => {
        s.fota.available = { version: input.version, sizeBytes: input.sizeBytes, description: input.description, mandatory: input.mandatory ?? false };
      });
    },
    check() {
      core.mutate((s) => {
        s.fota.upgradeState = 'checking';
        s.fota.newVersionState = 'checking';
      });
      core.later(CHECK_MS, () => {
        core.mutate((s) => {
          const a = s.fota.available;
          s.fota.lastCheckMs = core.now();
          s.fota.upgradeState = 'idle';
          s.fota.newVersionState = a ? (a.mandatory ? 'version_has_new_critical_software' : 'version_has_new_optional_software') : '0';
        });
      });
    },
    accept() {
      const s = core.state;
      const available = s.fota.available;
      if (!available) return refuse('no-update');
      if (s.fota.upgradeState === 'downloading' || s.fota.upgradeState === 'upgrading') return refuse('update-busy', `an update is already ${s.fota.upgradeState}`);
      if (s.battery.present && !s.battery.chargerConnected && s.battery.percent < 30) {
        core.mutate((st) => {
          st.fota.upgradeState = 'low_battery';
        });
        return refuse('low-battery');
      }
      core.mutate((st) => {
        st.fota.upgradeState = 'downloading';
        st.fota.selector = 'accept';
        st.fota.downloadedBytes = 0;
      });
      return { version: available.version, sizeBytes: available.sizeBytes };
    },
    install(image) {
      const s = core.state;
      if (s.fota.upgradeState === 'downloading' || s.fota.upgradeState === 'upgrading') return refuse('update-busy', `an update is already ${s.fota.upgradeState}`);
      if (s.battery.present && s.battery.percent < 30 && !s.battery.chargerConnected) return refuse('low-battery');
      if (s.fota.fault === 'checksum') {
        core.mutate((st) => {
          st.fota.upgradeState = 'verify_failed';
          st.fota.fault = 'none';
        });
        return refuse('invalid', 'the image failed verification');
      }
      core.mutate((st) => {
        st.fota.available = { version: image.version, sizeBytes: Math.max(1, image.sizeBytes), description: '', mandatory: false };
        st.fota.upgradeState = 'upgrading';
      });
      core.later(INSTALL_MS, () => {
        if (core.state.fota.fault === 'power-loss') {
          core.mutate((st) => {
            st.fota.upgradeState = 'idle';
            st.fota.upgradeResult = 'fail';
            st.fota.fault = 'none';
          });
        }
        core.api.power.reboot();
      });
      return DONE;
    },
    cancel() {
      core.mutate((s) => {
        s.fota.selector = s.fota.upgradeState === 'downloading' ? 'downloading_cancel' : 'cancel';
        s.fota.upgradeState = 'idle';
        s.fota.downloadedBytes = 0;
      });
    },
    setAutoCheck(input) {
      core.mutate((s) => {
        s.fota.autoCheck = { ...input };
      });
    },
    clearResult() {
      core.mutate((s) => {
        s.fota.upgradeResult = '';
      });
    },
    setFault(fault) {
      if (fault === 'rollback') {
        const previous = core.state.fota.previousVersion;
        if (!previous) return refuse('nothing-to-roll-back');
        core.mutate((s) => {
          s.fota.currentVersion = previous;
          s.fota.previousVersion = null;
          s.fota.upgradeResult = 'rollback';
          s.fota.fault = 'none';
        });
        core.api.power.reboot();
        return DONE;
      }
      core.mutate((s) => {
        s.fota.fault = fault;
      });
      return DONE;
    },
    step(seconds) {
      const f = core.state.fota;
      if (f.upgradeState !== 'downloading' || !f.available) return;
      if (!isDataConnected(core.state) || f.fault === 'stall') return;
      f.downloadedBytes = Math.min(f.available.sizeBytes, f.downloadedBytes + f.downloadBytesPerSecond * seconds);
      if (f.downloadedBytes < f.available.sizeBytes) return;
      if (f.fault === 'checksum') {
        f.upgradeState = 'verify_failed';
        f.downloadedBytes = 0;
        f.fault = 'none';
        return;
      }
      f.upgradeState = 'download_success';
      core.later(VERIFY_MS, () => {
        core.mutate((s) => {
          s.fota.upgradeState = 'upgrading';
        });
        core.later(INSTALL_MS, () => {
          if (core.state.fota.fault === 'power-loss') {
            core.mutate((s) => {
              s.fota.upgradeState = 'idle';
              s.fota.upgradeResult = 'fail';
              s.fota.downloadedBytes = 0;
              s.fota.fault = 'none';
            });
          }
          core.api.power.reboot();
        });
      });
    },
  };
  return api;
}
