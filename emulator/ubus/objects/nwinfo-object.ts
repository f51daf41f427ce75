import { isRegistered, signalBars } from '../../state/derive.js';
import type { StateView } from '../../state/device-api.js';
import { encodeUcs2Hex } from '../../http/codec.js';
import { BadArg, done, int, ok, oneOf, optInt, str, type UbusContext, type UbusObject } from '../method-def.js';

// zte_nwinfo_api (ubus-api.md §6.5-§6.9): radio status, network mode, band and cell locks, manual selection.
// Value types follow the MC7510 live sample (§3.7): numbers for ids and levels, strings for SNR, band text, bars.

/** net_select values the stock UI and clients send (§6.6). */
export const NET_SELECT = ['4G_AND_5G', 'LTE_AND_5G', 'Only_5G', 'Only_LTE', 'WL_AND_5G'] as const;

export const nwinfoObject: UbusObject = {
  group: 'radio',
  methods: {
    nwinfo_get_netinfo: { read: true, doc: 'radio status: network type, operator, signal, cell, CA, NR leg, locks (§6.5)', handle: (c) => ok(netinfo(c)) },
    nwinfo_set_netselect: {
      doc: '{net_select}: network mode, read back as net_select (§6.6)',
      handle: (c, a) => done(c.device.network.setBearerPreference(oneOf(a, 'net_select', NET_SELECT))),
    },
    nwinfo_set_mode: {
      doc: '{operate_mode: low_power|online}: radio off or on (§6.6, MU5250)',
      handle(c, a) {
        c.device.network.setRadioEnabled(oneOf(a, 'operate_mode', ['low_power', 'online']) === 'online');
        return ok();
      },
    },
    nwinfo_set_gwl_bandlock: {
      doc: '{is_lte_band, lte_band_mask (decimal, bit N-1 = band N), is_gw_band, gw_band_mask} (§6.7)',
      handle(c, a) {
        // GAP: the mask is a decimal number as a string; a comma list would ask for the wrong bands, so it is refused.
        const lte = a.is_lte_band === '0' || a.is_lte_band === 0 ? undefined : decimalMask(str(a, 'lte_band_mask'), 'lte_band_mask');
        const gw = a.is_gw_band === '1' || a.is_gw_band === 1 ? decimalMask(str(a, 'gw_band_mask'), 'gw_band_mask') : undefined;
        if (lte === undefined && gw === undefined) throw new BadArg('neither is_lte_band nor is_gw_band is 1');
        return done(c.device.network.setBandLock({ lte, gw }));
      },
    },
    nwinfo_set_lte_ext_band: {
      doc: '{lte_band: "1,3,20"}: the enabled LTE bands (§6.7)',
      handle: (c, a) => done(c.device.network.setBandLock({ lte: maskOfList(bandList(str(a, 'lte_band'), 'lte_band')) })),
    },
    nwinfo_set_nrbandlock: {
      doc: '{nr5g_type, nr5g_band: "78,3"}: NR bands (§6.7; nr5g_type is ignored, as G reports)',
      handle: (c, a) => done(c.device.network.setBandLock({ nr: bandList(str(a, 'nr5g_band'), 'nr5g_band') })),
    },
    nwinfo_set_sa_bandlock: {
      doc: '{nr5g_sa_band_lock: "1,3,78"} (§6.7)',
      handle: (c, a) => done(c.device.network.setBandLock({ nr: bandList(str(a, 'nr5g_sa_band_lock'), 'nr5g_sa_band_lock') })),
    },
    nwinfo_reset_band_cell_setting: {
      doc: '{}: band and cell locks cleared (§6.7)',
      handle(c) {
        const network = c.device.network;
        const bands = network.setBandLock({ lte: '', gw: '', nr: [] });
        if (bands.refused) return bands;
        network.lockLteCell(null);
        if (c.device.profile.keyGroups.includes('nr5g')) network.lockNrCell(null);
        return ok();
      },
    },
    nwinfo_lock_lte_cell: {
      doc: '{lock_lte_pci, lock_lte_earfcn}; "0","0" unlocks; read back as lock_lte_cell (§6.8)',
      handle(c, a) {
        const pci = int(a, 'lock_lte_pci', 0, 503);
        const earfcn = int(a, 'lock_lte_earfcn', 0, 262143);
        return done(c.device.network.lockLteCell(pci === 0 && earfcn === 0 ? null : { pci, earfcn }));
      },
    },
    nwinfo_lock_nr_cell: {
      doc: '{lock_nr_pci, lock_nr_earfcn, lock_nr_cell_band[, lock_nr_cell_scs]}; zeros unlock; read back as lock_nr_cell (§6.8)',
      handle(c, a) {
        const pci = int(a, 'lock_nr_pci', 0, 1007);
        const arfcn = int(a, 'lock_nr_earfcn', 0, 3279165);
        const band = int(a, 'lock_nr_cell_band', 0, 1024);
        const scs = optInt(a, 'lock_nr_cell_scs', 0, 480) ?? 30;
        return done(c.device.network.lockNrCell(pci === 0 && arfcn === 0 ? null : { pci, arfcn, band: Math.max(1, band), scs }));
      },
    },
    nwinfo_manual_scan: {
      doc: '{}: start a manual network scan; poll nwinfo_m_netselect_status (§6.9)',
      handle(c) {
        c.device.network.scan();
        return ok();
      },
    },
    nwinfo_m_netselect_status: { read: true,
      doc: 'm_netselect_status: "manual_selecting" while the scan runs (§6.9)',
      handle: (c) => ok({ m_netselect_status: c.state.network.scan.status }),
    },
    nwinfo_m_netselect_contents: { read: true,
      doc: 'm_netselect_contents: state,"short name",mccmnc,rat; per network (§6.9)',
      handle: (c) => ok({ m_netselect_contents: c.state.radio.scanResults.map((r) => `${r.stat},"${r.operator.shortName}",${r.operator.mcc}${r.operator.mnc},${r.rat};`).join('') }),
    },
    nwinfo_manual_register: {
      doc: '{m_mcc_mnc, m_rat}: register on a network; poll nwinfo_m_netselect_result (§6.9)',
      handle(c, a) {
        const numeric = str(a, 'm_mcc_mnc');
        if (!/^\d{5,6}$/.test(numeric)) throw new BadArg(`m_mcc_mnc=${numeric} is not an MCCMNC`);
        // The stock UI only offers these access technologies (§6.9).
        const rat = int(a, 'm_rat', 0, 14);
        if (![0, 2, 7, 9, 11, 12, 13, 14].includes(rat)) throw new BadArg(`m_rat=${rat} is not one of 0,2,7,9,11,12,13,14`);
        return done(c.device.network.startManualSelection(numeric, Math.min(rat, 13)));
      },
    },
    nwinfo_m_netselect_result: { read: true,
      doc: 'm_netselect_result: manual_success / manual_fail once known (§6.9)',
      handle: (c) => ok({ m_netselect_result: c.state.network.scan.result }),
    },
  },
};

/** The nwinfo_get_netinfo answer: every key of §6.5 from the one radio state. */
export function netinfo(c: UbusContext): Record<string, unknown> {
  const s = c.state;
  const r = s.radio;
  const reg = isRegistered(s);
  const lte = reg && r.technology !== 'SA' && r.technology !== 'WCDMA' && r.technology !== 'GSM';
  const nr = reg && r.nr ? r.nr : null;
  const n = (v: number): number | string => c.num(v);
  const locks = s.network.locks;
  const out: Record<string, unknown> = {
    network_type: networkType(s),
    signalbar: String(signalBars(s)),
    network_provider: reg ? r.operator.shortName : '',
    network_provider_fullname: reg ? r.operator.longName : '',
    spn_name_data: s.sim.status === 'ready' ? encodeUcs2Hex(s.homeOperator.longName) : '',
    spn_b1_flag: '1',
    spn_b2_flag: '1',
    rmcc: reg ? n(Number(r.operator.mcc)) : n(0),
    rmnc: reg ? n(Number(r.operator.mnc)) : n(0),
    simcard_roam: !reg ? '' : r.registration !== 'roaming' ? 'Home' : r.operator.mcc === s.homeOperator.mcc ? 'Internal' : 'International',
    net_select: s.network.bearerPreference,
    net_select_mode: s.network.selectionMode,
    cell_id: n(reg ? r.cellId : 0),
    lac_code: n(reg ? r.tac : 0),
    lte_pci: n(lte ? r.pci : 0),
    wan_active_channel: n(reg ? r.earfcn : 0),
    lte_action_channel: n(lte ? r.earfcn : 0),
    wan_active_band: reg ? (r.technology === 'SA' && nr ? `NR5G BAND ${nr.band.slice(1)}` : `LTE BAND ${r.band}`) : '',
    lte_rsrp: n(lte ? r.rsrpDbm : 0),
    lte_rsrq: n(lte ? r.rsrqDb : 0),
    lte_rssi: n(lte ? r.rssiDbm : 0),
    lte_snr: lte ? r.sinrDb.toFixed(1) : '',
    lte_bandwidth: lte ? '20' : '',
    bandwidth: lte ? '20' : '',
    rssi: n(reg && !lte && !nr ? r.rssiDbm : 0),
    rscp: n(reg && r.technology === 'WCDMA' ? r.rssiDbm - 3 : 0),
    ecio: n(reg && r.technology === 'WCDMA' ? -6 : 0),
    lte_band: enabledLteBands(s),
    lteca: lte && r.caActive ? `${r.pci},${r.band},${r.tac},${r.earfcn},20.0;${scc(s).pci},${scc(s).band},2,${scc(s).earfcn},15.0;` : '',
    ltecasig: lte && r.caActive ? `${(r.rsrpDbm - 5).toFixed(1)}, ${r.rsrqDb.toFixed(1)},${Math.max(-20, r.sinrDb - 3).toFixed(1)},${(r.rssiDbm + 4).toFixed(1)},0,2;` : '',
    lteca_state: n(lte && r.caActive ? 1 : 0),
    // §6.12: the stock UI reads nrca.length unchecked, so it is always present.
    nrca: '',
    nr5g_action_band: nr ? (c.switches.nrBandPrefix ? nr.band : nr.band.slice(1)) : '',
    nr5g_action_channel: n(nr ? nrArfcn(nr.band) : 0),
    nr5g_pci: n(nr ? nr.pci : 0),
    // §6.5: 0xFFFFFFF is "unknown" under EN-DC; the NR cell id is known in SA.
    nr5g_cell_id: n(nr ? (r.technology === 'ENDC' ? 0xfffffff : nr.cellId) : 0),
    nr5g_bandwidth: nr ? '100' : '',
    nr5g_rsrp: n(nr ? nr.rsrpDbm : 0),
    nr5g_rsrq: n(nr ? nr.rsrqDb : 0),
    nr5g_snr: nr ? nr.sinrDb.toFixed(1) : '',
    nr5g_rssi: n(nr ? Math.min(-25, nr.rsrpDbm + 29) : 0),
    lte_neighbor_cell: lte ? `${(r.pci + 1) % 504},${r.earfcn};` : '',
    nr_neighbor_cell: nr ? `${(nr.pci + 1) % 1008},${nrArfcn(nr.band)};` : '',
    lte_band_lock: s.network.bandLockMask === '' ? '' : `0x${BigInt(`0x${s.network.bandLockMask.replace(/^0x/i, '')}`).toString(16)}`,
    gw_band_lock: locks.gwBandMask === '' ? '' : `0x${BigInt(`0x${locks.gwBandMask.replace(/^0x/i, '')}`).toString(16)}`,
    nr5g_sa_band_lock: locks.nrBands.join(','),
    nr5g_nsa_band_lock: locks.nrBands.join(','),
    lock_lte_cell: locks.lteCell ? `${locks.lteCell.pci},${locks.lteCell.earfcn}` : '0,0',
    lock_nr_cell: locks.nrCell ? `${locks.nrCell.pci},${locks.nrCell.arfcn},${locks.nrCell.band}` : '0,0,0',
    nitz_sync_flag: '1',
    ant_ext_to_inter_flag: '0',
  };
  return out;
}

// --- internal ---

function networkType(s: StateView): string {
  if (!s.system.poweredOn || s.sim.status !== 'ready' || s.radio.registration === 'none') return 'no_service';
  if (s.radio.registration === 'searching' || s.radio.registration === 'denied') return 'limited_service';
  switch (s.radio.technology) {
    case 'LTE':
      return s.radio.caActive ? 'LTE_CA' : 'LTE';
    case 'ENDC':
      return 'ENDC';
    case 'SA':
      return 'SA';
    case 'WCDMA':
      return 'WCDMA';
    case 'GSM':
      return 'GSM';
  }
}

/** The secondary LTE carrier while CA is active: another band of the operator, derived from the primary. */
function scc(s: StateView): { pci: number; band: number; earfcn: number } {
  const band = s.radio.band === 3 ? 20 : 3;
  return { pci: (s.radio.pci + 48) % 504, band, earfcn: band === 3 ? 1725 : 6200 };
}

/** A representative NR-ARFCN inside the band (38.104 §5.4.2.3 raster), for the channel keys. */
function nrArfcn(band: string): number {
  const table: Record<string, number> = { n1: 428000, n3: 368500, n7: 531000, n28: 154570, n41: 504990, n77: 650016, n78: 640704, n79: 720000 };
  return table[band] ?? 640704;
}

/** The enabled LTE bands (§6.5: lte_band is the allowed list, not the serving band). */
function enabledLteBands(s: StateView): string {
  const mask = s.network.bandLockMask;
  if (mask === '') return '1,3,7,8,20,28,38';
  const value = BigInt(`0x${mask.replace(/^0x/i, '')}`);
  const bands: number[] = [];
  for (let b = 1; b <= 256; b++) if ((value >> BigInt(b - 1)) & 1n) bands.push(b);
  return bands.join(',');
}

function decimalMask(text: string, name: string): string {
  if (!/^\d{1,80}$/.test(text)) throw new BadArg(`${name}=${text} is not a decimal band mask`);
  const value = BigInt(text);
  if (value === 0n) throw new BadArg(`${name}=0 allows no band`);
  return value.toString(16);
}

function bandList(text: string, name: string): number[] {
  const parts = text.split(',').map((b) => b.trim().replace(/^[nN]/, '')).filter((b) => b !== '');
  if (parts.length === 0 || parts.some((b) => !/^\d{1,4}$/.test(b) || Number(b) < 1 || Number(b) > 1024)) {
    throw new BadArg(`${name}=${text} is not a list of bands like 1,3,78`);
  }
  return parts.map(Number);
}

function maskOfList(bands: number[]): string {
  if (bands.some((b) => b > 256)) throw new BadArg(`LTE band ${Math.max(...bands)} is above 256`);
  return bands.reduce((m, b) => m | (1n << BigInt(b - 1)), 0n).toString(16);
}
