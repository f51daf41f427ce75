import { activeApnProfile, isRegistered, signalBars } from '../../state/derive.js';
import type { StateView } from '../../state/device-state.js';
import { encodeUcs2Hex } from '../codec.js';
import { defineKeys, str, type ReadContext } from './key-def.js';

// goform-api.md §3.2 radio and network keys, §3.10 WAN mode keys.

export const radioKeys = defineKeys(
  'radio',
  {
    network_type: (c) => networkType(c.state),
    sub_network_type: (c) => networkType(c.state),
    signalbar: (c) => str(signalBars(c.state)),
    rssi: (c) => radioValue(c, c.state.radio.rssiDbm),
    rscp: (c) => (is3g(c.state) && isRegistered(c.state) ? str(c.state.radio.rssiDbm - 3) : ''),
    ecio: (c) => (is3g(c.state) && isRegistered(c.state) ? '-6' : ''),
    lte_rsrp: (c) => lteValue(c, c.state.radio.rsrpDbm),
    lte_rsrq: (c) => lteValue(c, c.state.radio.rsrqDb),
    lte_rssi: (c) => lteValue(c, c.state.radio.rssiDbm),
    lte_snr: (c) => lteValue(c, c.state.radio.sinrDb),
    sinr: (c) => lteValue(c, c.state.radio.sinrDb),
    cell_id: (c) => (isRegistered(c.state) ? c.state.radio.cellId.toString(16) : ''),
    lac_code: (c) => (isRegistered(c.state) ? c.state.radio.tac.toString(16) : ''),
    enodeb_id: (c) => (isRegistered(c.state) ? str(c.state.radio.cellId >> 8) : ''),
    lte_pci: (c) => (isRegistered(c.state) && !is3g(c.state) ? c.state.radio.pci.toString(16) : ''),
    Z_PCI: (c) => (isRegistered(c.state) && !is3g(c.state) ? c.state.radio.pci.toString(16) : ''),
    lte_band: (c) => (isRegistered(c.state) && !is3g(c.state) ? str(c.state.radio.band) : ''),
    lte_ca_pcell_band: (c) => (isRegistered(c.state) && !is3g(c.state) ? str(c.state.radio.band) : ''),
    wan_active_band: (c) => (isRegistered(c.state) ? `LTE BAND ${c.state.radio.band}` : ''),
    wan_active_channel: (c) => (isRegistered(c.state) ? str(c.state.radio.earfcn) : ''),
    Z_dl_earfcn: (c) => (isRegistered(c.state) ? str(c.state.radio.earfcn) : ''),
    wan_lte_ca: (c) => (c.state.radio.caActive ? 'ca_activated' : ''),
    lte_ca_pcell_bandwidth: (c) => (isRegistered(c.state) && !is3g(c.state) ? '20.0' : ''),
    bandwidth: (c) => (isRegistered(c.state) && !is3g(c.state) ? '20MHz' : ''),
    lte_ca_pcell_arfcn: (c) => (isRegistered(c.state) && !is3g(c.state) ? str(c.state.radio.earfcn) : ''),
    // Per-antenna values (MC888-style): the main value with a fixed per-branch offset.
    ...Object.fromEntries([1, 2, 3, 4].flatMap((i) => [
      [`lte_rsrp_${i}`, (c: ReadContext) => lteValue(c, c.state.radio.rsrpDbm - (i - 1))],
      [`lte_snr_${i}`, (c: ReadContext) => lteValue(c, c.state.radio.sinrDb - (i - 1))],
    ])),
    tx_power: (c) => (isRegistered(c.state) ? '10' : ''),
    ngbr_cell_info: (c) =>
      isRegistered(c.state) && !is3g(c.state)
        ? `${c.state.radio.earfcn},${((c.state.radio.pci + 1) % 504).toString(16)},-14,${c.state.radio.rsrpDbm - 9},-75`
        : '',
    network_provider: (c) => (isRegistered(c.state) ? c.state.radio.operator.shortName : ''),
    network_provider_fullname: (c) => (isRegistered(c.state) ? c.state.radio.operator.longName : ''),
    spn_name_data: (c) => (c.state.sim.status === 'ready' ? encodeUcs2Hex(c.state.homeOperator.longName) : ''),
    spn_b1_flag: () => '1',
    spn_b2_flag: () => '1',
    simcard_roam: (c) => simcardRoam(c.state),
    roam_setting_option: (c) => (c.state.network.dataRoaming ? 'on' : 'off'),
    rmcc: (c) => (isRegistered(c.state) ? c.state.radio.operator.mcc : ''),
    rmnc: (c) => (isRegistered(c.state) ? c.state.radio.operator.mnc : ''),
    mdm_mcc: (c) => (isRegistered(c.state) ? c.state.radio.operator.mcc : ''),
    mdm_mnc: (c) => (isRegistered(c.state) ? c.state.radio.operator.mnc : ''),
    hmcc: (c) => c.state.homeOperator.mcc,
    hmnc: (c) => c.state.homeOperator.mnc,
    hplmn: (c) => c.state.homeOperator.mcc + c.state.homeOperator.mnc,
    ppp_status: (c) => c.state.connection.ppp,
    wan_connect_status: (c) => (c.state.connection.ppp === 'ppp_connected' ? 'pdp_connected' : 'pdp_disconnected'),
    ppp_dial_conn_fail_counter: (c) => str(c.state.connection.dialFailures),
    ppp_dial_fail_times: (c) => str(c.state.connection.dialFailures),
    current_network_mode: (c) => networkType(c.state),
    rplmn_num: (c) => (isRegistered(c.state) ? c.state.radio.operator.mcc + c.state.radio.operator.mnc : ''),
    dial_mode: (c) => c.state.network.connectionMode,
    ConnectionMode: (c) => c.state.network.connectionMode,
    net_select: (c) => c.state.network.bearerPreference,
    net_select_mode: (c) => c.state.network.selectionMode,
    m_netselect_save: (c) => c.state.network.selectionMode,
    m_netselect_status: (c) => c.state.network.scan.status,
    m_netselect_result: (c) => c.state.network.scan.result,
    m_netselect_contents: (c) => scanContents(c.state),
    lte_band_lock: (c) => c.state.network.bandLockMask,
    gw_band_lock: (c) => c.state.network.locks.gwBandMask,
    lte_pci_lock: (c) => str(c.state.network.locks.lteCell?.pci ?? 0),
    lte_earfcn_lock: (c) => str(c.state.network.locks.lteCell?.earfcn ?? 0),
    // Older UFI and ZXIC home pages (§9.1).
    cur_rsrq: (c) => (isRegistered(c.state) ? str(c.state.radio.rsrqDb) : ''),
    detail_cell_rsrq: (c) => (isRegistered(c.state) ? str(c.state.radio.rsrqDb) : ''),
    detail_cell_sinr: (c) => (isRegistered(c.state) ? str(c.state.radio.sinrDb) : ''),
    detail_cell_pci: (c) => (isRegistered(c.state) ? str(c.state.radio.pci) : ''),
    wan_ipaddr: (c) => (c.state.connection.ppp === 'ppp_connected' ? c.state.connection.wanIpv4 : ''),
    ipv6_wan_ipaddr: (c) => (c.state.connection.ppp === 'ppp_connected' ? c.state.connection.wanIpv6 : ''),
    prefer_dns_auto: (c) => (c.state.connection.ppp === 'ppp_connected' ? c.state.connection.dns[0] : ''),
    standby_dns_auto: (c) => (c.state.connection.ppp === 'ppp_connected' ? c.state.connection.dns[1] : ''),
    pdp_type: (c) => activeApnProfile(c.state).pdpType,
    pdp_type_ui: (c) => activeApnProfile(c.state).pdpType,
    ipv6_pdp_type: (c) => activeApnProfile(c.state).pdpType,
    ipv6_prefer_dns_auto: (c) => (c.state.connection.ppp === 'ppp_connected' ? '2a01:598::53' : ''),
    wan_apn: (c) => activeApnProfile(c.state).apn,
  },
  { public: ['network_provider', 'ppp_dial_conn_fail_counter'] },
);

/** NR leg keys (5G CPE), goform-api.md §3.2; placeholders stay after the leg drops with staleNrFields (§7.23). */
export const nrKeys = defineKeys('nr5g', {
  Z5g_rsrp: (c) => nrValue(c, (nr) => str(nr.rsrpDbm), '-140'),
  Z5g_rsrq: (c) => nrValue(c, (nr) => str(nr.rsrqDb), '-20'),
  Z5g_SINR: (c) => nrValue(c, (nr) => nr.sinrDb.toFixed(1), '-20.0'),
  Z5g_snr: (c) => nrValue(c, (nr) => str(nr.sinrDb), '-3276.8'),
  nr5g_pci: (c) => nrValue(c, (nr) => nr.pci.toString(16), ''),
  Z5g_PCI: (c) => nrValue(c, (nr) => nr.pci.toString(16), ''),
  nr5g_cell_id: (c) => nrValue(c, (nr) => nr.cellId.toString(16), ''),
  nr5g_action_band: (c) => nrValue(c, (nr) => nr.band, ''),
  nr5g_action_channel: (c) => nrValue(c, () => '636666', ''),
  Z5g_dlEarfcn: (c) => nrValue(c, () => '636666', ''),
  Z5g_CELL_ID: (c) => nrValue(c, (nr) => nr.cellId.toString(16), ''),
  '5g_rx0_rsrp': (c) => nrValue(c, (nr) => str(nr.rsrpDbm), ''),
  '5g_rx1_rsrp': (c) => nrValue(c, (nr) => str(nr.rsrpDbm - 2), ''),
  nr5g_band_lock: (c) => c.state.network.locks.nrBands.join(','),
  nr5g_sa_band_lock: (c) => c.state.network.locks.nrBands.join(','),
  nr5g_nsa_band_lock: (c) => c.state.network.locks.nrBands.join(','),
  nr5g_cell_lock: (c) => {
    const l = c.state.network.locks.nrCell;
    return l ? `${l.pci},${l.arfcn},${l.band},${l.scs}` : '';
  },
  pm_sensor_mdm: () => '45',
  pm_modem_5g: () => '48',
});

function is3g(s: StateView): boolean {
  return s.radio.technology === 'WCDMA' || s.radio.technology === 'GSM';
}

function networkType(s: StateView): string {
  if (!s.system.poweredOn || s.sim.status !== 'ready') return 'No Service';
  switch (s.radio.registration) {
    case 'none':
      return 'No Service';
    case 'searching':
    case 'denied':
      return 'Limited Service';
    default:
      break;
  }
  switch (s.radio.technology) {
    case 'LTE':
      return s.radio.caActive ? 'LTE_A' : 'LTE';
    case 'ENDC':
      return 'ENDC';
    case 'SA':
      return 'SA';
    case 'WCDMA':
      return 'HSPA+';
    case 'GSM':
      return 'EDGE';
  }
}

/** Home, Internal (national roaming) or International (goform-api.md §3.2 simcard_roam). */
function simcardRoam(s: StateView): string {
  if (!isRegistered(s)) return '';
  if (s.radio.registration !== 'roaming') return 'Home';
  return s.radio.operator.mcc === s.homeOperator.mcc ? 'Internal' : 'International';
}

function scanContents(s: StateView): string {
  return s.radio.scanResults
    .map((r) => `${r.stat},${r.operator.longName},${r.operator.mcc}${r.operator.mnc},${r.rat},0`)
    .join(';');
}

function radioValue(c: ReadContext, value: number): string {
  return isRegistered(c.state) ? str(value) : '';
}

function lteValue(c: ReadContext, value: number): string {
  return isRegistered(c.state) && !is3g(c.state) ? str(value) : '';
}

function nrValue(
  c: ReadContext,
  pick: (nr: NonNullable<StateView['radio']['nr']>) => string,
  placeholder: string,
): string {
  const nr = c.state.radio.nr;
  if (nr && isRegistered(c.state)) return pick(nr);
  return c.device.profile.quirks.staleNrFields ? placeholder : '';
}
