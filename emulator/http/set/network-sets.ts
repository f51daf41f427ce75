import type { ApnProfile } from '../../state/device-state.js';
import { BadField, FAILURE, SUCCESS, intIn, ipv4, need, oneOf, optional, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.3 data connection and WAN, §4.4 network selection, §4.5 APN.

export const BEARER_PREFERENCES = [
  'NETWORK_auto', 'WCDMA_preferred', 'LTE_preferred', 'Only_GSM', 'Only_WCDMA', 'Only_LTE', 'Only_TDSCDMA', 'TD_W',
  'WCDMA_AND_GSM', 'WCDMA_AND_LTE', 'GSM_AND_LTE', 'GSM_WCDMA_LTE', 'CDMA_EVDO_LTE', 'TDSCDMA_AND_WCDMA', 'TDSCDMA_AND_LTE',
  'TDSCDMA_WCDMA_GSM_LTE', 'TDSCDMA_WCDMA_HDR_CDMA_GSM_LTE', 'Only_5G', 'LTE_AND_5G', '4G_AND_5G', 'WL_AND_5G', 'GWL_5G',
  'TGWL_AND_5G', 'TCHGWL_5G',
] as const;

const SCAN_MS = 5000;
const SELECT_MS = 3000;

export const networkSets: Record<string, SetDef> = {
  CONNECT_NETWORK: {
    handle(ctx) {
      ctx.device.update((s) => {
        s.network.mobileData = true;
      });
      if (!ctx.device.connectData()) {
        ctx.device.update((s) => {
          s.connection.dialFailures++;
        });
      }
      return SUCCESS;
    },
  },
  DISCONNECT_NETWORK: {
    handle(ctx) {
      ctx.device.disconnectData(true);
      return SUCCESS;
    },
  },
  SET_CONNECTION_MODE: {
    handle(ctx) {
      const mode = oneOf(ctx, 'ConnectionMode', ['auto_dial', 'manual_dial']);
      const roam = ctx.fields.roam_setting_option === undefined ? undefined : oneOf(ctx, 'roam_setting_option', ['on', 'off']);
      ctx.device.update((s) => {
        s.network.connectionMode = mode;
        if (roam) s.network.dataRoaming = roam === 'on';
      });
      // Roaming without data roaming drops the connection; allowing it brings auto_dial back up.
      ctx.device.setRegistration(ctx.state.radio.registration);
      return SUCCESS;
    },
  },
  SET_BEARER_PREFERENCE: {
    handle(ctx) {
      const pref = oneOf(ctx, 'BearerPreference', BEARER_PREFERENCES);
      const fiveG = ctx.device.profile.keyGroups.includes('nr5g');
      if (!fiveG && /5G/.test(pref)) throw new BadField(`BearerPreference=${pref} needs a 5G device`);
      ctx.device.update((s) => {
        s.network.bearerPreference = pref;
      });
      if (pref === 'Only_WCDMA' || pref === 'WCDMA_AND_GSM') ctx.device.setTechnology('WCDMA');
      else if (pref === 'Only_GSM') ctx.device.setTechnology('GSM');
      else if (pref === 'Only_LTE') ctx.device.setTechnology('LTE');
      else if (pref === 'Only_5G') ctx.device.setTechnology('SA');
      else ctx.device.setTechnology(fiveG ? 'ENDC' : 'LTE');
      return SUCCESS;
    },
  },
  SCAN_NETWORK: {
    handle(ctx) {
      ctx.device.update((s) => {
        s.network.scan.status = 'manual_selecting';
      });
      ctx.device.clock.after(SCAN_MS, () => {
        ctx.device.update((s) => {
          s.network.scan.status = '';
        });
      });
      return SUCCESS;
    },
  },
  SET_NETWORK: {
    handle(ctx) {
      const numeric = need(ctx, 'NetworkNumber');
      if (!/^\d{5,6}$/.test(numeric)) throw new BadField(`NetworkNumber=${numeric} is not an MCCMNC`);
      const rat = intIn(ctx, 'Rat', 0, 13);
      ctx.device.update((s) => {
        s.network.scan.result = '';
        s.network.selectionMode = 'manual_select';
        s.network.manualNetwork = { numeric, rat };
      });
      ctx.device.clock.after(SELECT_MS, () => {
        const s = ctx.device.state;
        const found = s.radio.scanResults.find((r) => r.operator.mcc + r.operator.mnc === numeric && r.stat !== 3);
        ctx.device.update((st) => {
          st.network.scan.result = found ? 'manual_success' : 'manual_fail';
        });
        if (found) {
          const home = s.homeOperator.mcc + s.homeOperator.mnc;
          ctx.device.setRegistration(numeric === home ? 'home' : 'roaming');
        }
      });
      return SUCCESS;
    },
  },
  BAND_SELECT: {
    handle(ctx) {
      const mask = need(ctx, 'lte_band_mask');
      if (!/^(0x)?[0-9A-Fa-f]{1,32}$/.test(mask)) throw new BadField(`lte_band_mask=${mask} is not a hex mask`);
      ctx.device.update((s) => {
        s.network.bandLockMask = mask;
      });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_PPPOE: {
    handle(ctx) {
      const user = need(ctx, 'pppoe_username');
      const pass = need(ctx, 'pppoe_password');
      const action = ctx.fields.action_link === undefined ? 'connect' : oneOf(ctx, 'action_link', ['connect', 'disconnect']);
      ctx.device.update((s) => {
        s.wan.mode = 'PPPOE';
        s.wan.pppoe.username = user;
        s.wan.pppoe.password = pass;
        s.wan.pppoe.status = action === 'connect' ? 'ppp_connected' : 'ppp_disconnected';
        if (ctx.fields.dial_mode) s.wan.pppoe.dialMode = ctx.fields.dial_mode;
      });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_STATIC: {
    handle(ctx) {
      const staticIp = {
        ip: ipv4(ctx, 'static_wan_ipaddr'),
        netmask: ipv4(ctx, 'static_wan_netmask'),
        gateway: ipv4(ctx, 'static_wan_gateway'),
        dns1: ipv4(ctx, 'static_wan_primary_dns'),
        dns2: ctx.fields.static_wan_secondary_dns ? ipv4(ctx, 'static_wan_secondary_dns') : '',
      };
      ctx.device.update((s) => {
        s.wan.mode = 'STATIC';
        s.wan.staticIp = staticIp;
      });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_DHCP: {
    handle(ctx) {
      ctx.device.update((s) => {
        s.wan.mode = 'DHCP';
      });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_AUTO: {
    handle(ctx) {
      ctx.device.update((s) => {
        s.wan.mode = 'AUTO';
        if (ctx.fields.pppoe_username !== undefined) s.wan.pppoe.username = ctx.fields.pppoe_username;
        if (ctx.fields.pppoe_password !== undefined) s.wan.pppoe.password = ctx.fields.pppoe_password;
      });
      return SUCCESS;
    },
  },
  APN_PROC_EX: { handle: apnProc },
  APN_PROC: { handle: apnProc },
};

/** APN_PROC_EX (§4.5): save, delete and set_default of the 20 manual profile slots. */
function apnProc(ctx: SetContext): Record<string, unknown> {
  const action = oneOf(ctx, 'apn_action', ['save', 'delete', 'set_default']);
  if (action === 'set_default') {
    const mode = oneOf(ctx, 'apn_mode', ['auto', 'manual']);
    if (mode === 'auto') {
      ctx.device.update((s) => {
        s.apn.mode = 'auto';
      });
      return SUCCESS;
    }
    const index = intIn(ctx, 'index', 0, 19);
    if (!ctx.state.apn.profiles[index]) return FAILURE;
    ctx.device.update((s) => {
      s.apn.mode = 'manual';
      s.apn.defaultIndex = index;
    });
    return SUCCESS;
  }
  const index = intIn(ctx, 'index', 0, 19);
  if (action === 'delete') {
    if (!ctx.state.apn.profiles[index]) return FAILURE;
    if (ctx.state.apn.mode === 'manual' && ctx.state.apn.defaultIndex === index) return FAILURE;
    ctx.device.update((s) => {
      s.apn.profiles[index] = null;
    });
    return SUCCESS;
  }
  const pdpType = oneOf(ctx, 'pdp_type', ['IP', 'IPv6', 'IPv4v6']);
  const v6 = pdpType === 'IPv6';
  const pick = (name: string): string | undefined => optional(ctx, v6 ? `ipv6_${name}` : name) ?? optional(ctx, name);
  const apn = pick('wan_apn') ?? '';
  if (!/^[A-Za-z0-9.-]{1,63}$/.test(apn)) throw new BadField(`wan_apn=${apn} is not an APN name`);
  const auth = pick('ppp_auth_mode') ?? 'none';
  if (auth !== 'none' && auth !== 'pap' && auth !== 'chap') throw new BadField(`ppp_auth_mode=${auth} is not none/pap/chap`);
  const dnsMode = pick('dns_mode') ?? 'auto';
  if (dnsMode !== 'auto' && dnsMode !== 'manual') throw new BadField(`dns_mode=${dnsMode} is not auto/manual`);
  const profile: ApnProfile = {
    profileName: need(ctx, 'profile_name'),
    apn,
    dial: optional(ctx, 'wan_dial') ?? '*99#',
    auth,
    username: pick('ppp_username') ?? '',
    password: pick('ppp_passwd') ?? '',
    pdpType,
    dnsMode,
    dns1: dnsMode === 'manual' ? (pick('prefer_dns_manual') ?? '') : '',
    dns2: dnsMode === 'manual' ? (pick('standby_dns_manual') ?? '') : '',
  };
  if (profile.profileName.length === 0 || profile.profileName.length > 32) throw new BadField('profile_name must be 1-32 characters');
  ctx.device.update((s) => {
    s.apn.profiles[index] = profile;
  });
  return SUCCESS;
}
