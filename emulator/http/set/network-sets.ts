import type { ApnProfile } from '../../state/device-state.js';
import { BEARER_PREFERENCES } from '../../state/areas/network.js';
import type { Refused } from '../../state/outcome.js';
import { BadField, SUCCESS, done, intIn, ipv4, need, oneOf, optional, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.3 data connection and WAN, §4.4 network selection, §4.5 APN.

export { BEARER_PREFERENCES };

export const networkSets: Record<string, SetDef> = {
  CONNECT_NETWORK: {
    handle(ctx) {
      // The firmware accepts the request and dials; a refused dial shows in ppp_status and dial failures.
      ctx.device.data.connect();
      return SUCCESS;
    },
  },
  DISCONNECT_NETWORK: {
    handle(ctx) {
      ctx.device.data.disconnect(true);
      return SUCCESS;
    },
  },
  SET_CONNECTION_MODE: {
    handle(ctx) {
      const mode = oneOf(ctx, 'ConnectionMode', ['auto_dial', 'manual_dial']);
      const roam = ctx.fields.roam_setting_option === undefined ? undefined : oneOf(ctx, 'roam_setting_option', ['on', 'off']);
      ctx.device.data.setConnectionMode(mode, roam === undefined ? undefined : roam === 'on');
      return SUCCESS;
    },
  },
  SET_BEARER_PREFERENCE: {
    handle(ctx) {
      return done(ctx.device.network.setBearerPreference(oneOf(ctx, 'BearerPreference', BEARER_PREFERENCES)));
    },
  },
  SCAN_NETWORK: {
    handle(ctx) {
      ctx.device.network.scan();
      return SUCCESS;
    },
  },
  SET_NETWORK: {
    handle(ctx) {
      const numeric = need(ctx, 'NetworkNumber');
      const rat = intIn(ctx, 'Rat', 0, 13);
      return done(ctx.device.network.startManualSelection(numeric, rat));
    },
  },
  BAND_SELECT: {
    handle(ctx) {
      // §4.4: is_lte_band/is_gw_band say which masks the request carries (older UIs send lte_band_mask alone).
      const lte = ctx.fields.is_lte_band === '0' ? undefined : optional(ctx, 'lte_band_mask');
      const gw = ctx.fields.is_gw_band === '1' ? need(ctx, 'gw_band_mask') : undefined;
      if (lte === undefined && gw === undefined) throw new BadField('BAND_SELECT carries neither lte_band_mask nor gw_band_mask');
      return done(ctx.device.network.setBandLock({ lte, gw }));
    },
  },
  WAN_PERFORM_NR5G_BAND_LOCK: {
    handle(ctx) {
      const text = need(ctx, 'nr5g_band_mask');
      const bands = text.split(',').map((b) => b.trim().replace(/^n/i, '')).filter((b) => b !== '');
      if (bands.some((b) => !/^\d{1,4}$/.test(b))) throw new BadField(`nr5g_band_mask=${text} is not a list of NR bands like 1,3,78`);
      return done(ctx.device.network.setBandLock({ nr: bands.map(Number) }));
    },
  },
  LTE_LOCK_CELL_SET: {
    handle(ctx) {
      const pci = intIn(ctx, 'lte_pci_lock', 0, 503);
      const earfcn = intIn(ctx, 'lte_earfcn_lock', 0, 262143);
      return done(ctx.device.network.lockLteCell({ pci, earfcn }));
    },
  },
  NR5G_LOCK_CELL_SET: {
    handle(ctx) {
      // nr5g_cell_lock: "pci,arfcn,band,scs" (§9.3); "0,0,0,0" removes the lock.
      const text = need(ctx, 'nr5g_cell_lock');
      const parts = text.split(',').map((p) => p.trim());
      if (parts.length !== 4 || parts.some((p) => !/^\d{1,7}$/.test(p))) throw new BadField(`nr5g_cell_lock=${text} is not pci,arfcn,band,scs`);
      const [pci, arfcn, band, scs] = parts.map(Number) as [number, number, number, number];
      if (pci > 1007 || arfcn > 3279165 || band > 1024 || scs > 480) throw new BadField(`nr5g_cell_lock=${text} is out of range`);
      return done(ctx.device.network.lockNrCell(pci === 0 && arfcn === 0 ? null : { pci, arfcn, band: Math.max(1, band), scs }));
    },
  },
  OPERATION_MODE: {
    handle(ctx) {
      // §9.1: MC/MU-series scripts post `opMode` (LTE_BRIDGE to bridge, PPP back to the gateway) with
      // `ethernet_port_specified`; `opms_wan_mode` is taken too. The WAN mode reads back as set (§3.10).
      const field = ctx.fields.opMode !== undefined ? 'opMode' : 'opms_wan_mode';
      const mode = oneOf(ctx, field, ['PPP', 'PPPOE', 'DHCP', 'STATIC', 'AUTO', 'AUTO_BACKUP', 'BRIDGE', 'LTE_BRIDGE']);
      const port = ctx.fields.ethernet_port_specified === undefined ? undefined : oneOf(ctx, 'ethernet_port_specified', ['0', '1']);
      ctx.device.settings.setWan({ mode, ...(port === undefined ? {} : { ethernetPortSpecified: port === '1' }) });
      return SUCCESS;
    },
  },
  ARP_PROXY_SWITCH: {
    handle(ctx) {
      // §9.1: MC/MU-series scripts post `arp_proxy_switch` 1 or 0 (with AD) and reboot the router themselves after it.
      ctx.device.settings.setArpProxy(oneOf(ctx, 'arp_proxy_switch', ['0', '1']) === '1');
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_PPPOE: {
    handle(ctx) {
      const username = need(ctx, 'pppoe_username');
      const password = need(ctx, 'pppoe_password');
      const action = ctx.fields.action_link === undefined ? 'connect' : oneOf(ctx, 'action_link', ['connect', 'disconnect']);
      ctx.device.settings.setWan({
        mode: 'PPPOE',
        pppoe: { username, password, status: action === 'connect' ? 'ppp_connected' : 'ppp_disconnected', ...(ctx.fields.dial_mode ? { dialMode: ctx.fields.dial_mode } : {}) },
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
      ctx.device.settings.setWan({ mode: 'STATIC', staticIp });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_DHCP: {
    handle(ctx) {
      ctx.device.settings.setWan({ mode: 'DHCP' });
      return SUCCESS;
    },
  },
  WAN_GATEWAYMODE_AUTO: {
    handle(ctx) {
      const pppoe = {
        ...(ctx.fields.pppoe_username === undefined ? {} : { username: ctx.fields.pppoe_username }),
        ...(ctx.fields.pppoe_password === undefined ? {} : { password: ctx.fields.pppoe_password }),
      };
      ctx.device.settings.setWan({ mode: 'AUTO', pppoe });
      return SUCCESS;
    },
  },
  APN_PROC_EX: { handle: apnProc },
  APN_PROC: { handle: apnProc },
};

/** APN_PROC_EX (§4.5): save, delete and set_default of the 20 manual profile slots. */
function apnProc(ctx: SetContext): Record<string, unknown> | Refused {
  const action = oneOf(ctx, 'apn_action', ['save', 'delete', 'set_default']);
  if (action === 'set_default') {
    const mode = oneOf(ctx, 'apn_mode', ['auto', 'manual']);
    return done(ctx.device.settings.setApnMode(mode, mode === 'auto' ? undefined : intIn(ctx, 'index', 0, 19)));
  }
  const index = intIn(ctx, 'index', 0, 19);
  if (action === 'delete') return done(ctx.device.settings.deleteApn(index));
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
  return done(ctx.device.settings.saveApn(index, profile));
}
