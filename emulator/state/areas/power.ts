import type { DeviceCore } from '../core.js';
import { createInitialState } from '../create-state.js';
import { isDataConnected } from '../derive.js';
import { loadCarrier } from '../profile.js';
import { DONE, refuse, type Outcome } from '../outcome.js';
import { takeOffline } from './wifi.js';

const REBOOT_DOWN_MS = 30_000;

/** Power: battery, reboot, factory reset, and what happens at boot. */
export interface PowerApi {
  isUp(): boolean;
  /** Reboot: down for 30 virtual seconds (`reboot` fires, sessions end), data reconnects on boot when auto_dial. */
  reboot(): void;
  /** Factory reset: settings, SMS on the device and counters return to defaults; identity, SIM, battery stay. Reboots. */
  factoryReset(): void;
  /** Stimulus: battery level, charger, drain. Refuses `no-battery` on a device without one. */
  setBattery(input: { percent?: number | undefined; charger?: boolean | undefined; drainPerHour?: number | undefined }): Outcome;
  /** One simulation step of the battery; a MiFi that died on an empty battery boots again on the charger at 3%. */
  step(seconds: number): void;
}

export function createPowerArea(core: DeviceCore, replace: (next: ReturnType<typeof createInitialState>) => void): PowerApi {
  const goDown = (reason: 'reboot' | 'battery-empty'): void => {
    core.newBoot();
    let dropped: ReturnType<typeof takeOffline> = [];
    core.mutate((s) => {
      s.system.poweredOn = false;
      s.system.offReason = reason;
      s.connection.ppp = 'ppp_disconnected';
      s.connection.connectedSinceMs = null;
      dropped = takeOffline(s, core.now());
    });
    for (const st of dropped) core.emit('station-changed', st);
    core.emit('reboot');
  };
  const boot = (): void => {
    core.mutate((s) => {
      s.system.poweredOn = true;
      s.system.offReason = '';
      s.system.bootedAtMs = core.now();
      s.system.rebootCount++;
      const fota = s.fota;
      if (fota.upgradeState === 'upgrading' && fota.available) {
        fota.previousVersion = fota.currentVersion;
        fota.currentVersion = fota.available.version;
        fota.available = null;
        fota.upgradeResult = 'success';
        fota.upgradeState = 'idle';
        fota.newVersionState = '0';
        fota.lastUpdateMs = core.now();
        fota.downloadedBytes = 0;
      }
    });
    // Cell and band locks hold across reboots (LTE_LOCK_CELL_SET is applied by a reboot on the firmware, §4.4).
    core.api.network.applyLocks();
    if (core.state.network.connectionMode === 'auto_dial' && core.state.network.mobileData) core.api.data.connect();
    core.emit('boot');
  };
  const api: PowerApi = {
    isUp: () => core.state.system.poweredOn,
    reboot() {
      goDown('reboot');
      core.later(REBOOT_DOWN_MS, boot);
    },
    factoryReset() {
      const keep = core.state;
      const fresh = createInitialState({
        id: keep.id,
        profile: core.profile,
        home: loadCarrier(core.profile.homeCarrier),
        roaming: loadCarrier(core.profile.roamingCarrier),
        seed: keep.seed,
        nowMs: core.now(),
      });
      fresh.sim = keep.sim;
      fresh.sms.messages = keep.sms.messages.filter((m) => m.store === 'sim');
      fresh.sms.nextId = keep.sms.nextId;
      fresh.fota.currentVersion = keep.fota.currentVersion;
      fresh.battery = keep.battery;
      fresh.system.restoreFlag = true;
      replace(fresh);
      core.emit('factory-reset');
      api.reboot();
    },
    setBattery(input) {
      if (!core.state.battery.present) return refuse('no-battery', `the ${core.profile.model} has no battery`);
      core.mutate((s) => {
        if (input.percent !== undefined) s.battery.level = s.battery.percent = input.percent;
        if (input.charger !== undefined) s.battery.chargerConnected = input.charger;
        if (input.drainPerHour !== undefined) s.battery.drainPerHour = input.drainPerHour;
      });
      return DONE;
    },
    step(seconds) {
      const s = core.state;
      const b = s.battery;
      if (!b.present) return;
      if (s.system.poweredOn || s.system.offReason === 'battery-empty') {
        if (b.chargerConnected) {
          b.level = Math.min(100, b.level + (b.chargePerHour * seconds) / 3600);
        } else if (s.system.poweredOn) {
          const online = s.stations.filter((x) => x.online).length;
          const load = 1 + 0.1 * online + (isDataConnected(s) ? 0.3 : 0);
          b.level = Math.max(0, b.level - (b.drainPerHour * load * seconds) / 3600);
        }
        b.percent = Math.round(b.level);
      }
      if (b.level <= 0 && !b.chargerConnected && s.system.poweredOn) goDown('battery-empty');
      else if (!s.system.poweredOn && s.system.offReason === 'battery-empty' && b.level >= 3) boot();
    },
  };
  return api;
}
