import { UBUS_STATUS } from '../codec.js';
import { BadArg, ok, optStr, status, str, type UbusContext, type UbusObject } from '../method-def.js';
import { commonInfo } from './sim-object.js';
import { encryptionName } from './wlan-object.js';

// rpcd's `uci get` (ubus-api.md §3.6) over the device state: the configs and sections ZWRT clients read (§6.3,
// §6.12, §6.14, §6.17). Values are strings; a config the session may not read answers [6], an unknown one [4].

type Section = { type: string; values: (c: UbusContext) => Record<string, string | string[]> };

const CONFIGS: Record<string, Record<string, Section>> = {
  zwrt_common_info: { common_config: { type: 'common_config', values: (c) => commonInfo(c) } },
  zwrt_zte_mdm: {
    device_info: { type: 'device_info', values: (c) => ({ imei: c.state.identity.imei, macaddr: c.state.identity.macAddress, wlan_mac_address: c.state.identity.bssid, sn: c.state.identity.serialNumber }) },
  },
  network: {
    lan: { type: 'interface', values: (c) => ({ proto: 'static', ipaddr: c.state.wan.lan.ip, netmask: c.state.wan.lan.netmask, device: 'br-lan' }) },
  },
  dhcp: {
    lan: { type: 'dhcp', values: (c) => ({ interface: 'lan', start: lastOctet(c.state.wan.lan.dhcpStart), limit: String(Number(lastOctet(c.state.wan.lan.dhcpEnd)) - Number(lastOctet(c.state.wan.lan.dhcpStart)) + 1), leasetime: `${c.state.wan.lan.leaseHours}h` }) },
  },
  zwrt_router: {
    // §6.3: leasetime in seconds as S reads it (D parses "24h"; both are documented, S is the stock UI).
    dhcp: { type: 'dhcp', values: (c) => ({ lan_netmask: c.state.wan.lan.netmask, ignore: '0', zte_start: c.state.wan.lan.dhcpStart, zte_end: c.state.wan.lan.dhcpEnd, leasetime: String(c.state.wan.lan.leaseHours * 3600) }) },
    // arp_proxy_enable appears once the switch has been used (router_set_arp_proxy).
    network: {
      type: 'network',
      values: (c) => ({
        lan_ipaddr: c.state.wan.lan.ip, mtu: '1500', mss: '1460', cable_opms_wan_mode: 'DHCP', mac_ip_bond_enable: '0',
        ...(c.state.wan.arpProxy === null ? {} : { arp_proxy_enable: c.state.wan.arpProxy ? '1' : '0' }),
      }),
    },
  },
  wireless: Object.fromEntries([
    ...(['main_2g', 'main_5g', 'guest_2g', 'guest_5g'] as const).map((name): [string, Section] => [
      name,
      {
        type: 'wifi-iface',
        values: (c: UbusContext) => {
          const w = c.state.wifi;
          const guest = name.startsWith('guest');
          const ssid = guest ? w.guest : w.main;
          return { device: name.endsWith('5g') ? 'wifi1' : 'wifi0', mode: 'ap', ssid: ssid.ssid, encryption: encryptionName(ssid), hidden: ssid.hidden ? '1' : '0', disabled: (guest ? w.guestEnabled : w.enabled) ? '0' : '1', maxassoc: String(ssid.maxAccess) };
        },
      },
    ]),
    ...(['wifi0', 'wifi1'] as const).map((name): [string, Section] => [name, { type: 'wifi-device', values: (c: UbusContext) => ({ band: name === 'wifi1' ? '5g' : '2g', channel: name === 'wifi0' && c.state.wifi.channel > 0 ? String(c.state.wifi.channel) : 'auto', country: c.state.wifi.countryCode, txpowerpercent: '100' }) }]),
  ]),
  // §6.14: "0" = numbers are plain after decryption.
  zwrt_wms: { config: { type: 'config', values: () => ({ zte_wms_number_encode: '0' }) } },
  zwrt_zte_dm: {
    dm_update: {
      type: 'dm_update',
      values: (c) => {
        const f = c.state.fota;
        return { dm_update_mode: f.autoCheck.mode, dm_update_roam_permission: f.autoCheck.roamPermission, dm_update_successful_time: f.lastUpdateMs === null ? '' : String(Math.floor(f.lastUpdateMs / 1000)), master_device_information: `router,${c.state.identity.macAddress},${c.device.profile.model},${f.currentVersion},${f.available?.version ?? ''},${f.upgradeState}` };
      },
    },
  },
  firewall: {},
  upnpd: { config: { type: 'upnpd', values: () => ({ enabled: '0' }) } },
};

/** UCI configs a logged-in web session may read (§4.9: zte_*, zwrt_*, firewall, dhcp, network, wireless, upnpd). */
function webReadable(config: string): boolean {
  return /^(zte_|zwrt_)/.test(config) || ['firewall', 'dhcp', 'network', 'wireless', 'upnpd'].includes(config);
}

export const uciObject: UbusObject = {
  methods: {
    get: { read: true,
      doc: '{config, section?, option?, type?, match?}: values (all strings) with .anonymous/.type/.name; [4] unknown, [6] not readable',
      handle(c, a) {
        const config = str(a, 'config');
        const readable = c.session ? webReadable(config) : c.switches.anonymousUci.includes(config);
        if (!readable) return status(UBUS_STATUS.PERMISSION_DENIED);
        const sections = CONFIGS[config];
        if (!sections) return status(UBUS_STATUS.NOT_FOUND);
        const sectionName = optStr(a, 'section');
        const option = optStr(a, 'option');
        if (sectionName !== undefined) {
          const section = sections[sectionName];
          if (!section) return status(UBUS_STATUS.NOT_FOUND);
          const values = section.values(c);
          if (option !== undefined) {
            const v = values[option];
            return v === undefined ? status(UBUS_STATUS.NOT_FOUND) : ok({ value: v });
          }
          return ok({ values: { '.anonymous': false, '.type': section.type, '.name': sectionName, ...values } });
        }
        if (option !== undefined) throw new BadArg('option needs a section');
        const type = optStr(a, 'type');
        const match = a.match === undefined ? {} : a.match;
        if (typeof match !== 'object' || match === null || Array.isArray(match)) throw new BadArg('match is not an object');
        const out: Record<string, unknown> = {};
        let index = 0;
        for (const [name, section] of Object.entries(sections)) {
          const values = section.values(c);
          const i = index++;
          if (type !== undefined && section.type !== type) continue;
          if (Object.entries(match).some(([k, v]) => values[k] !== v)) continue;
          out[name] = { '.anonymous': false, '.type': section.type, '.name': name, '.index': i, ...values };
        }
        return ok({ values: out });
      },
    },
  },
};

function lastOctet(ip: string): string {
  return ip.split('.').pop() ?? '';
}
