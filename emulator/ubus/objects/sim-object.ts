import type { StateView } from '../../state/device-api.js';
import { isRegistered } from '../../state/derive.js';
import { done, int, ok, str, type UbusContext, type UbusObject } from '../method-def.js';

// zwrt_zte_mdm.api (ubus-api.md §6.3, §6.4): SIM state and codes, IMEI and the firmware identity.

export const mdmObject: UbusObject = {
  methods: {
    get_sim_info: {
      doc: 'sim_iccid, sim_imsi and msisdn (ENC on encrypting firmware), sim_states, pin_status, modem_main_state, mdm_mcc/mnc, attempts left',
      handle: (c) => ok(simInfo(c)),
    },
    get_sim_info_before: {
      doc: 'the SIM state keys readable before login (the real answer is not captured, §8.8)',
      handle(c) {
        const s = c.state;
        return ok({ sim_states: simStates(s), modem_main_state: simMainState(s), pin_status: c.num(s.sim.pinEnabled ? 1 : 0), pin_remaining: c.num(s.sim.pinAttemptsLeft), puk_remaining: c.num(s.sim.pukAttemptsLeft) });
      },
    },
    sim_verify_pin_puk: {
      doc: '{pin_num: ENC, puk_num: "" | ENC}: enter the PIN, or the PUK with a new PIN',
      handle(c, a) {
        const pin = c.dec(str(a, 'pin_num'), 'pin_num');
        const puk = a.puk_num === undefined ? '' : c.dec(str(a, 'puk_num'), 'puk_num');
        return done(puk === '' ? c.device.sim.enterPin(pin) : c.device.sim.enterPuk(puk, pin));
      },
    },
    sim_change_pin_mode: {
      doc: '{pin_num_m: ENC, pin_mode: 1|0}: PIN lock on or off',
      handle(c, a) {
        const pin = c.dec(str(a, 'pin_num_m'), 'pin_num_m');
        return done(c.device.sim.setPinLock({ enabled: int(a, 'pin_mode', 0, 1) === 1, pin }));
      },
    },
    sim_change_pin: {
      doc: '{pin_num: ENC(old), new_pin_num: ENC(new)}',
      handle(c, a) {
        const pin = c.dec(str(a, 'pin_num'), 'pin_num');
        const newPin = c.dec(str(a, 'new_pin_num'), 'new_pin_num');
        return done(c.device.sim.setPinLock({ enabled: c.state.sim.pinEnabled, pin, newPin }));
      },
    },
    get_imei: { doc: 'imei', handle: (c) => ok({ imei: c.state.identity.imei }) },
    get_zwrt_common_info: { doc: 'the firmware identity as uci zwrt_common_info/common_config, as a plain object', handle: (c) => ok(commonInfo(c)) },
  },
};

/** zwrt_common_info/common_config (§6.3): every value a string. */
export function commonInfo(c: UbusContext): Record<string, string> {
  const p = c.device.profile;
  return {
    wa_inner_version: p.firmware.wa_inner_version,
    hardware_version: p.firmware.hardware_version,
    web_red_version: p.firmware.web_version,
    model_name: p.model,
    device_market_name: p.model,
    manufacturer: 'ZTE',
    GUI_version: 'V1.0',
    Boot_version: 'V1.0',
    integrate_version: p.firmware.wa_inner_version,
    wa_module_version: p.firmware.wa_version,
    wireless_name: c.state.wifi.main.ssid,
    device_alias_name: c.state.identity.deviceName,
    imei_sv: `${c.state.identity.imei.slice(0, 14)}01`,
  };
}

/** modem_main_state (§6.4) from the SIM. */
export function simMainState(s: StateView): string {
  switch (s.sim.status) {
    case 'ready':
      return 'modem_init_complete';
    case 'pin':
      return 'modem_waitpin';
    case 'puk':
      return 'modem_waitpuk';
    case 'absent':
      return 'modem_sim_undetected';
    case 'network-locked':
      return 'modem_imsi_waitnck';
  }
}

// --- internal ---

function simStates(s: StateView): string {
  return { ready: 'ready', pin: 'pin', puk: 'puk', absent: 'absent', 'network-locked': 'nck' }[s.sim.status];
}

function simInfo(c: UbusContext): Record<string, unknown> {
  const s = c.state;
  const ready = s.sim.status === 'ready';
  return {
    sim_iccid: s.sim.status === 'absent' ? '' : s.identity.iccid,
    sim_imsi: ready ? c.enc(s.identity.imsi) : '',
    msisdn: ready ? c.enc(s.identity.msisdn) : '',
    sim_states: simStates(s),
    sim_status: simStates(s),
    pin_status: c.num(s.sim.pinEnabled ? 1 : 0),
    pin_remaining: c.num(s.sim.pinAttemptsLeft),
    puk_remaining: c.num(s.sim.pukAttemptsLeft),
    modem_main_state: simMainState(s),
    mdm_mcc: isRegistered(s) ? s.radio.operator.mcc : s.homeOperator.mcc,
    mdm_mnc: isRegistered(s) ? s.radio.operator.mnc : s.homeOperator.mnc,
    wlan_mac_address: s.identity.bssid,
    current_sim_slot: c.num(0),
    support_dual_sim: c.num(0),
  };
}
