import type { DeviceCore } from '../core.js';
import type { DeviceState, Registration, Technology } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

/** BearerPreference values (goform-api.md §4.4); the `5G` ones need an NR device. */
export const BEARER_PREFERENCES = [
  'NETWORK_auto', 'WCDMA_preferred', 'LTE_preferred', 'Only_GSM', 'Only_WCDMA', 'Only_LTE', 'Only_TDSCDMA', 'TD_W',
  'WCDMA_AND_GSM', 'WCDMA_AND_LTE', 'GSM_AND_LTE', 'GSM_WCDMA_LTE', 'CDMA_EVDO_LTE', 'TDSCDMA_AND_WCDMA', 'TDSCDMA_AND_LTE',
  'TDSCDMA_WCDMA_GSM_LTE', 'TDSCDMA_WCDMA_HDR_CDMA_GSM_LTE', 'Only_5G', 'LTE_AND_5G', '4G_AND_5G', 'WL_AND_5G', 'GWL_5G',
  'TGWL_AND_5G', 'TCHGWL_5G',
] as const;
export type BearerPreference = (typeof BEARER_PREFERENCES)[number];

const SCAN_MS = 5000;
const SELECT_MS = 3000; // goform SET_NETWORK: m_netselect_result appears after the selection (§4.4)

export interface SignalValues {
  rsrpDbm?: number | undefined;
  rsrqDb?: number | undefined;
  sinrDb?: number | undefined;
  rssiDbm?: number | undefined;
}

/** Registration, operator selection, bearer preference and the radio itself. */
export interface NetworkApi {
  /** Stimulus: registration as given; the operator follows (roaming = the partner), data policy runs. */
  setRegistration(registration: Registration): void;
  /** Stimulus: lose the network (no service) or get it back, on the home network or, when on the partner, roaming. */
  setNetworkAvailable(available: boolean): void;
  /** Stimulus: change the radio technology; an NR leg appears for ENDC/SA. Emits `technology-changed`. */
  setTechnology(technology: Technology): void;
  setSignal(values: SignalValues): void;
  /**
   * Stimulus: play signal points on the device's scheduler (`atS` seconds from now); busy() until the last.
   * Returns the number of points and the duration in seconds.
   */
  playSignalTrace(points: readonly (SignalValues & { atS: number })[]): { points: number; durationS: number };
  /** Move to another cell; registration URCs with location fire on the AT side. */
  handover(cell: { cellId?: number | undefined; band?: number | undefined; earfcn?: number | undefined; pci?: number | undefined; tac?: number | undefined }): void;
  /** Radio on (attach by the home-or-partner rule) or off (no service): AT+CFUN, flight mode. */
  setRadioEnabled(enabled: boolean): void;
  /** Automatic operator selection: registers by the home-or-partner rule. */
  selectAutomatic(): void;
  /** Deregister and stay off the network until a selection (AT+COPS=2). */
  deregister(): void;
  /**
   * Manual selection, at once (AT+COPS=1). `operator` is MCC+MNC or a long or short name from the scan list.
   * Refuses `sim-absent`/`sim-locked`, `unknown-network` (not in the scan list), `forbidden-network` (stat 3).
   */
  selectManual(operator: string, rat?: number): Outcome;
  /**
   * Manual selection as the web UI asks for it (SET_NETWORK): the result (`scan.result`) is known after 3 virtual
   * seconds, on the device's scheduler. Refuses `invalid` when `numeric` is not an MCCMNC.
   */
  startManualSelection(numeric: string, rat: number): Outcome;
  /** A manual network scan (SCAN_NETWORK): `scan.status` is manual_selecting for 5 virtual seconds. */
  scan(): void;
  /** Bearer preference; the technology follows it. Refuses `needs-5g` for a 5G value on an LTE-only device. */
  setBearerPreference(preference: BearerPreference): Outcome;
  /**
   * Band locks (BAND_SELECT, WAN_PERFORM_NR5G_BAND_LOCK): LTE and 2G/3G masks as hex (bit N-1 = band N), NR as band
   * numbers; a given empty value removes that lock. When the serving band is locked out the device moves to the
   * lowest allowed band (a handover). Refuses `invalid` for a malformed mask or an empty LTE mask.
   */
  setBandLock(input: { lte?: string | undefined; gw?: string | undefined; nr?: readonly number[] | undefined }): Outcome;
  /**
   * Cell locks (LTE_LOCK_CELL_SET, NR5G_LOCK_CELL_SET): the device camps on that cell at once and after every boot;
   * null (or PCI and EARFCN 0) removes the lock. Refuses `needs-5g` for an NR lock on an LTE-only device.
   */
  lockLteCell(cell: { pci: number; earfcn: number } | null): Outcome;
  lockNrCell(cell: { pci: number; arfcn: number; band: number; scs: number } | null): Outcome;
  /** Put the radio on the locked cells and bands (at boot; after a lock). */
  applyLocks(): void;
}

/** Band numbers set in a hex mask (bit N-1 = band N), lowest first. */
export function bandsOfMask(mask: string): number[] {
  const value = BigInt(mask.startsWith('0x') || mask.startsWith('0X') ? mask : `0x${mask}`);
  const bands: number[] = [];
  for (let n = 1n; n <= 256n; n++) if ((value >> (n - 1n)) & 1n) bands.push(Number(n));
  return bands;
}

export function createNetworkArea(core: DeviceCore): NetworkApi {
  const home = (s: DeviceState): boolean => s.radio.operator.mcc === s.homeOperator.mcc && s.radio.operator.mnc === s.homeOperator.mnc;
  const fiveG = (): boolean => core.profile.keyGroups.includes('nr5g');
  const api: NetworkApi = {
    setRegistration(registration) {
      const before = core.state.radio.registration;
      core.mutate((s) => {
        s.radio.registration = registration;
        // Without service the device keeps the network it was on: that is where it is (home, or abroad).
        if (registration === 'roaming') s.radio.operator = s.roamingOperator;
        else if (registration === 'home') s.radio.operator = s.homeOperator;
      });
      if (before !== registration) core.emit('registration-changed', registration);
      core.api.data.enforcePolicy();
    },
    setNetworkAvailable(available) {
      if (!available) return api.setRegistration('none');
      api.setRegistration(home(core.state) ? 'home' : 'roaming');
    },
    setTechnology(technology) {
      const before = core.state.radio.technology;
      core.mutate((s) => {
        s.radio.technology = technology;
        if (technology === 'ENDC' || technology === 'SA') {
          s.radio.nr ??= { rsrpDbm: -90, rsrqDb: -11, sinrDb: 15, band: 'n78', pci: 0x1f4, cellId: 0x1234567 };
        } else {
          s.radio.nr = null;
        }
      });
      if (before !== technology) core.emit('technology-changed', technology);
    },
    setSignal(values) {
      core.mutate((s) => {
        if (values.rsrpDbm !== undefined) s.radio.rsrpDbm = values.rsrpDbm;
        if (values.rsrqDb !== undefined) s.radio.rsrqDb = values.rsrqDb;
        if (values.sinrDb !== undefined) s.radio.sinrDb = values.sinrDb;
        if (values.rssiDbm !== undefined) s.radio.rssiDbm = values.rssiDbm;
        if (s.radio.nr && values.rsrpDbm !== undefined) s.radio.nr.rsrpDbm = Math.max(-156, Math.min(-31, values.rsrpDbm + 4));
      });
    },
    playSignalTrace(points) {
      for (const p of points) core.later(p.atS * 1000, () => api.setSignal(p));
      return { points: points.length, durationS: Math.max(0, ...points.map((p) => p.atS)) };
    },
    handover(cell) {
      core.mutate((s) => {
        const r = s.radio;
        r.cellId = cell.cellId ?? r.cellId;
        r.band = cell.band ?? r.band;
        r.earfcn = cell.earfcn ?? r.earfcn;
        r.pci = cell.pci ?? r.pci;
        r.tac = cell.tac ?? r.tac;
      });
      core.emit('registration-changed', core.state.radio.registration);
    },
    setRadioEnabled(enabled) {
      api.setNetworkAvailable(enabled);
    },
    selectAutomatic() {
      const wasManual = core.state.network.selectionMode === 'manual_select';
      core.mutate((s) => {
        s.network.selectionMode = 'auto_select';
        s.network.manualNetwork = null;
      });
      // 23.122 §4.4.3: automatic selection prefers the home PLMN. Leaving a manual choice goes home when the home
      // network is in reach (in the scan list); otherwise the device stays where it is (abroad: the partner).
      const s = core.state;
      const homeInReach = s.radio.scanResults.some((r) => r.operator.mcc === s.homeOperator.mcc && r.operator.mnc === s.homeOperator.mnc && r.stat !== 3);
      if (wasManual && homeInReach && s.sim.status === 'ready') api.setRegistration('home');
      else api.setNetworkAvailable(true);
    },
    deregister() {
      api.setRegistration('none');
    },
    selectManual(operator, rat) {
      const s = core.state;
      if (s.sim.status === 'absent') return refuse('sim-absent');
      if (s.sim.status !== 'ready') return refuse('sim-locked');
      const found = s.radio.scanResults.find((r) => [r.operator.mcc + r.operator.mnc, r.operator.longName, r.operator.shortName].includes(operator));
      const why = !found ? refuse('unknown-network', `no network "${operator}" in the scan list`) : found.stat === 3 ? refuse('forbidden-network', `network "${operator}" is forbidden`) : null;
      if (why || !found) {
        core.mutate((st) => {
          st.network.scan.result = 'manual_fail';
        });
        return why ?? refuse('unknown-network');
      }
      const numeric = found.operator.mcc + found.operator.mnc;
      core.mutate((st) => {
        st.network.selectionMode = 'manual_select';
        st.network.manualNetwork = { numeric, rat: rat ?? found.rat };
        st.network.scan.result = 'manual_success';
      });
      api.setRegistration(numeric === s.homeOperator.mcc + s.homeOperator.mnc ? 'home' : 'roaming');
      return DONE;
    },
    startManualSelection(numeric, rat) {
      if (!/^\d{5,6}$/.test(numeric)) return refuse('invalid', `${numeric} is not an MCCMNC`);
      core.mutate((s) => {
        s.network.scan.result = '';
        s.network.selectionMode = 'manual_select';
        s.network.manualNetwork = { numeric, rat };
      });
      core.later(SELECT_MS, () => {
        // A failed selection stays manual on the asked network (manual_fail), as the firmware shows it.
        const outcome = api.selectManual(numeric, rat);
        if (outcome.refused) {
          core.mutate((s) => {
            s.network.scan.result = 'manual_fail';
          });
        }
      });
      return DONE;
    },
    scan() {
      core.mutate((s) => {
        s.network.scan.status = 'manual_selecting';
      });
      core.later(SCAN_MS, () => {
        core.mutate((s) => {
          s.network.scan.status = '';
        });
      });
    },
    setBearerPreference(preference) {
      if (!fiveG() && /5G/.test(preference)) return refuse('needs-5g', `BearerPreference ${preference} needs a 5G device`);
      core.mutate((s) => {
        s.network.bearerPreference = preference;
      });
      api.setTechnology(technologyFor(preference, fiveG()));
      return DONE;
    },
    setBandLock({ lte, gw, nr }) {
      for (const [name, mask] of [['lte', lte], ['gw', gw]] as const) {
        if (mask !== undefined && mask !== '' && !/^(0x)?[0-9A-Fa-f]{1,64}$/.test(mask)) return refuse('invalid', `${name} band mask ${mask} is not a hex mask`);
      }
      if (lte !== undefined && lte !== '' && bandsOfMask(lte).length === 0) return refuse('invalid', 'an LTE band mask must allow at least one band');
      if (nr !== undefined && nr.length > 0 && !fiveG()) return refuse('needs-5g', 'an NR band lock needs a 5G device');
      core.mutate((s) => {
        if (lte !== undefined) s.network.bandLockMask = lte;
        if (gw !== undefined) s.network.locks.gwBandMask = gw;
        if (nr !== undefined) s.network.locks.nrBands = [...new Set(nr)].sort((a, b) => a - b);
      });
      api.applyLocks();
      return DONE;
    },
    lockLteCell(cell) {
      const lock = cell === null || (cell.pci === 0 && cell.earfcn === 0) ? null : { ...cell };
      core.mutate((s) => {
        s.network.locks.lteCell = lock;
      });
      api.applyLocks();
      return DONE;
    },
    lockNrCell(cell) {
      if (!fiveG()) return refuse('needs-5g', 'an NR cell lock needs a 5G device');
      core.mutate((s) => {
        s.network.locks.nrCell = cell === null || (cell.pci === 0 && cell.arfcn === 0) ? null : { ...cell };
      });
      api.applyLocks();
      return DONE;
    },
    applyLocks() {
      const s = core.state;
      const locks = s.network.locks;
      const cell: { cellId?: number; band?: number; earfcn?: number; pci?: number } = {};
      const allowed = s.network.bandLockMask === '' ? null : bandsOfMask(s.network.bandLockMask);
      if (allowed && !allowed.includes(s.radio.band)) cell.band = allowed[0]!;
      if (locks.lteCell && (locks.lteCell.pci !== s.radio.pci || locks.lteCell.earfcn !== s.radio.earfcn)) {
        cell.pci = locks.lteCell.pci;
        cell.earfcn = locks.lteCell.earfcn;
        // Another cell: its identity follows from where it is (same eNodeB part, the PCI as the cell part).
        cell.cellId = (s.radio.cellId & 0xfffff00) | (locks.lteCell.pci & 0xff);
      }
      const nr = s.radio.nr;
      const nrChange = nr !== null && ((locks.nrCell !== null && (locks.nrCell.pci !== nr.pci || `n${locks.nrCell.band}` !== nr.band)) || (locks.nrBands.length > 0 && !locks.nrBands.includes(Number(nr.band.slice(1)))));
      if (nrChange) {
        core.mutate((st) => {
          const leg = st.radio.nr!;
          if (locks.nrCell) {
            leg.pci = locks.nrCell.pci;
            leg.band = `n${locks.nrCell.band}`;
          } else {
            leg.band = `n${locks.nrBands[0]!}`;
          }
        });
      }
      if (Object.keys(cell).length > 0) api.handover(cell);
    },
  };
  return api;
}

/** The technology a bearer preference leaves the device on. */
function technologyFor(preference: BearerPreference, fiveG: boolean): Technology {
  if (preference === 'Only_WCDMA' || preference === 'WCDMA_AND_GSM') return 'WCDMA';
  if (preference === 'Only_GSM') return 'GSM';
  if (preference === 'Only_LTE') return 'LTE';
  if (preference === 'Only_5G') return 'SA';
  return fiveG ? 'ENDC' : 'LTE';
}
