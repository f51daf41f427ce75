// Typed goform reads and writes (goform-api.md §3, §4): key groups by name, and the fields of every goformId
// the emulator implements. Values stay strings on the wire, as the firmware sends them.

/** Key groups, as the web UI and the emulator profiles split them. */
export const KEY_GROUPS = {
  device: ['imei', 'imsi', 'sim_imsi', 'sim_iccid', 'msisdn', 'modem_msn', 'hardware_version', 'wa_inner_version', 'cr_version', 'wa_version', 'web_version', 'Language', 'mac_address', 'loginfo', 'modem_main_state', 'pin_status', 'pinnumber', 'puknumber', 'psw_fail_num_str', 'login_lock_time'],
  radio: ['network_type', 'signalbar', 'rssi', 'lte_rsrp', 'lte_rsrq', 'lte_rssi', 'lte_snr', 'cell_id', 'lac_code', 'lte_pci', 'lte_band', 'wan_active_band', 'wan_lte_ca', 'network_provider', 'network_provider_fullname', 'spn_name_data', 'simcard_roam', 'roam_setting_option', 'rmcc', 'rmnc', 'ppp_status', 'dial_mode', 'net_select', 'net_select_mode', 'm_netselect_status', 'm_netselect_result', 'm_netselect_contents', 'wan_ipaddr', 'ipv6_wan_ipaddr', 'wan_apn', 'pdp_type'],
  nr5g: ['Z5g_rsrp', 'Z5g_rsrq', 'Z5g_SINR', 'nr5g_pci', 'nr5g_cell_id', 'nr5g_action_band'],
  battery: ['battery_charging', 'battery_vol_percent', 'battery_pers'],
  traffic: ['realtime_tx_bytes', 'realtime_rx_bytes', 'realtime_time', 'realtime_tx_thrpt', 'realtime_rx_thrpt', 'monthly_tx_bytes', 'monthly_rx_bytes', 'monthly_time', 'date_month', 'data_volume_limit_switch', 'data_volume_limit_unit', 'data_volume_limit_size', 'data_volume_alert_percent', 'traffic_overrun'],
  wifi: ['wifi_onoff_state', 'SSID1', 'AuthMode', 'EncrypType', 'WPAPSK1_encode', 'HideSSID', 'MAX_Access_num', 'm_ssid_enable', 'm_SSID', 'Channel', 'wifi_band', 'wifi_coverage', 'sysIdleTimeToSleep', 'wifi_access_sta_num', 'station_mac'],
  stations: ['ACL_mode', 'wifi_mac_black_list', 'wifi_mac_white_list', 'wifi_hostname_black_list', 'time_limited'],
  sms: ['sms_unread_num', 'sms_dev_unread_num', 'sms_sim_unread_num', 'sms_received_flag', 'sts_received_flag', 'sms_nv_total', 'sms_sim_total', 'sms_nvused_total', 'sms_para_sca'],
  fota: ['new_version_state', 'current_upgrade_state', 'is_mandatory', 'upgrade_result', 'dm_new_version', 'dm_last_check_time', 'dm_update_successful_time'],
  apn: ['apn_mode', 'Current_index', 'profile_name', 'wan_dial', 'ppp_auth_mode', 'ppp_username', 'dns_mode', 'APN_config0', 'APN_config1'],
  wan: ['opms_wan_mode', 'opms_wan_auto_mode', 'pppoe_username', 'pppoe_status', 'static_wan_ipaddr', 'static_wan_status', 'dhcp_wan_status'],
  lan: ['lan_ipaddr', 'lan_netmask', 'dhcpStart', 'dhcpEnd', 'dhcpLease_hour', 'LocalDomain'],
  schedules: ['night_mode_switch', 'night_mode_start_time', 'night_mode_end_time', 'is_night_mode', 'web_wake_switch', 'web_sleep_switch', 'web_wake_time', 'web_sleep_time'],
  httpshare: ['sdcard_mode_option', 'sd_card_state', 'HTTP_SHARE_STATUS', 'HTTP_SHARE_WR_AUTH', 'HTTP_SHARE_FILE'],
} as const;

export type KeyGroupName = keyof typeof KEY_GROUPS;
export type GroupValues<G extends KeyGroupName> = Record<(typeof KEY_GROUPS)[G][number], string>;

type Flag = '0' | '1';
type OnOff = 'on' | 'off';
type HHMM = `${number}:${number}`;

/** The fields of every goformId (AD and isTest are added by the client). */
export interface GoformWrites {
  LOGOUT: Record<string, never>;
  CHANGE_PASSWORD: { oldPassword: string; newPassword: string };
  SET_WEB_LANGUAGE: { Language: string };
  REBOOT_DEVICE: Record<string, never>;
  RESTORE_FACTORY_SETTINGS: Record<string, never>;
  RESET_DATA_COUNTER: Record<string, never>;
  FLOW_CALIBRATION_MANUAL: { calibration_way: 'data' | 'time'; data?: string; time?: string };
  ENTER_PIN: { PinNumber: string };
  ENTER_PUK: { PUKNumber: string; PinNumber: string };
  ENABLE_PIN: { OldPinNumber: string; NewPinNumber?: string };
  DISABLE_PIN: { OldPinNumber: string };
  CONNECT_NETWORK: { notCallback?: 'true' };
  DISCONNECT_NETWORK: { notCallback?: 'true' };
  SET_CONNECTION_MODE: { ConnectionMode: 'auto_dial' | 'manual_dial'; roam_setting_option?: OnOff };
  SET_BEARER_PREFERENCE: { BearerPreference: string };
  SCAN_NETWORK: Record<string, never>;
  SET_NETWORK: { NetworkNumber: string; Rat: string; nSubrat?: string };
  BAND_SELECT: { is_gw_band?: '0' | '1'; gw_band_mask?: string; is_lte_band?: '0' | '1'; lte_band_mask?: string };
  /** Comma list of NR bands, e.g. "1,3,78" (goform-api.md §4.4). */
  WAN_PERFORM_NR5G_BAND_LOCK: { nr5g_band_mask: string };
  /** "0", "0" removes the lock. */
  LTE_LOCK_CELL_SET: { lte_pci_lock: string; lte_earfcn_lock: string };
  /** "pci,arfcn,band,scs"; "0,0,0,0" removes the lock. */
  NR5G_LOCK_CELL_SET: { nr5g_cell_lock: string };
  /** As MC/MU-series scripts post it (`opMode`, `ethernet_port_specified`), or with `opms_wan_mode`. */
  OPERATION_MODE: { opMode: 'PPP' | 'PPPOE' | 'DHCP' | 'STATIC' | 'AUTO' | 'AUTO_BACKUP' | 'BRIDGE' | 'LTE_BRIDGE'; ethernet_port_specified?: '0' | '1' } | { opms_wan_mode: 'PPP' | 'PPPOE' | 'DHCP' | 'STATIC' | 'AUTO' | 'AUTO_BACKUP' | 'BRIDGE' | 'LTE_BRIDGE' };
  /** ARP proxy on (1) or off (0), as MC/MU-series scripts post it; they reboot afterwards. */
  ARP_PROXY_SWITCH: { arp_proxy_switch: '0' | '1' };
  switchWiFiModule: { SwitchOption: '0' | '1' };
  /** MC-series developer mode: the password encoded as for LOGIN (§9.2). */
  DEVELOPER_OPTION_LOGIN: { password: string };
  /** Multi-user firmware (§2.3); the client's login() sends it when given a user. */
  LOGIN_MULTI_USER: { user: string; password: string };
  WAN_GATEWAYMODE_PPPOE: { pppoe_username: string; pppoe_password: string; action_link?: 'connect' | 'disconnect'; dial_mode?: string };
  WAN_GATEWAYMODE_STATIC: { static_wan_ipaddr: string; static_wan_netmask: string; static_wan_gateway: string; static_wan_primary_dns: string; static_wan_secondary_dns?: string; WAN_MODE?: 'STATIC' };
  WAN_GATEWAYMODE_DHCP: Record<string, never>;
  WAN_GATEWAYMODE_AUTO: { pppoe_username?: string; pppoe_password?: string };
  APN_PROC_EX: ApnProc;
  APN_PROC: ApnProc;
  SEND_SMS: { Number: string; MessageBody: string; ID: string; encode_type: 'GSM7_default' | 'UNICODE'; sms_time?: string; notCallback?: 'true' };
  SAVE_SMS: { SMSMessage: string; SMSNumber: string; Index: string; encode_type: 'GSM7_default' | 'UNICODE'; sms_time?: string; draft_group_id?: string };
  DELETE_SMS: { msg_id: string; notCallback?: 'true' };
  ALL_DELETE_SMS: { which_cgi: string };
  SET_MSG_READ: { msg_id: string; tag: Flag };
  SET_MESSAGE_CENTER: { MessageCenter: string; save_time: 'twelve_hours' | 'one_day' | 'one_week' | 'largest'; status_save: Flag; save_location?: 'native' };
  USSD_PROCESS: { USSD_operator: 'ussd_send'; USSD_send_number: string } | { USSD_operator: 'ussd_reply'; USSD_reply_number: string } | { USSD_operator: 'ussd_cancel' };
  SET_WIFI_SSID1_SETTINGS: { ssid: string; security_mode: string; passphrase?: string; broadcastSsidEnabled?: Flag; MAX_Access_num?: string; cipher?: string; NoForwarding?: Flag; security_shared_mode?: string; show_qrcode_flag?: Flag };
  SET_WIFI_SSID2_SETTINGS: { m_SSID: string; m_AuthMode: string; m_WPAPSK1?: string; m_HideSSID?: Flag; m_MAX_Access_num?: string; cipher?: string; m_NoForwarding?: Flag };
  SET_WIFI_INFO: { wifiEnabled: Flag; m_ssid_enable?: Flag; MAX_Access_num?: string; selectedChannel?: string; wifi_band?: 'a' | 'b'; countryCode?: string; wifiMode?: string };
  SET_WIFI_SLEEP_INFO: { sysIdleTimeToSleep: '-1' | '5' | '10' | '20' | '30' | '60' | '120' };
  SET_WIFI_COVERAGE: { wifi_coverage: 'short_mode' | 'medium_mode' | 'long_mode' };
  WIFI_MAC_FILTER: { ACL_mode: '0' | '1' | '2'; wifi_mac_black_list?: string; wifi_mac_white_list?: string; wifi_hostname_black_list?: string };
  setDeviceAccessControlList: { AclMode: '0' | '1' | '2'; WhiteMacList?: string; BlackMacList?: string; WhiteNameList?: string; BlackNameList?: string };
  EDIT_HOSTNAME: { mac: string; hostname: string };
  ADD_DEVICE: { mac: string };
  DEL_DEVICE: { mac: string };
  SAVE_TIME_LIMITED: { time_limited: string };
  DATA_LIMIT_SETTING: { data_volume_limit_switch: '0' } | { data_volume_limit_switch: '1'; data_volume_limit_unit: 'data' | 'time'; data_volume_limit_size: string; data_volume_alert_percent: string; wan_auto_clear_flow_data_switch?: OnOff; traffic_clear_date?: string };
  IF_UPGRADE: { select_op: 'check' | '0' | '1' | '2'; ota_manual_check_roam_state?: Flag };
  SetUpgAutoSetting: { UpgMode: '0' | '1' | '2'; UpgIntervalDay: string; UpgRoamPermission: Flag };
  RESULT_RESTORE: Record<string, never>;
  SAVE_TSW: { web_wake_switch: Flag; web_sleep_switch: Flag; web_wake_time?: HHMM; web_sleep_time?: HHMM };
  SET_DEVICE_LED: { night_mode_switch: '0' } | { night_mode_switch: '1'; night_mode_start_time: HHMM; night_mode_end_time: HHMM; night_mode_close_all_led?: Flag };
  DHCP_SETTING: { lanIp: string; lanNetmask: string; dhcpStart: string; dhcpEnd: string; dhcpLease: string; lanDhcpType?: 'SERVER' | 'DISABLE'; dhcp_reboot_flag?: Flag };
  HTTPSHARE_MODE_SET: { mode_set: 'http_share_mode' | 'usb_mode' };
  HTTPSHARE_AUTH_SET: { HTTP_SHARE_STATUS: 'Enabled' | 'Disabled'; HTTP_SHARE_WR_AUTH?: 'readWrite' | 'readOnly'; HTTP_SHARE_FILE?: string };
  HTTPSHARE_ENTERFOLD: { path_SD_CARD: string; indexPage?: string };
  HTTPSHARE_NEW: { path_SD_CARD: string };
  HTTPSHARE_DEL: { path_SD_CARD: string; name_SD_CARD: string };
  HTTPSHARE_FILE_RENAME: { OLD_NAME_SD_CARD: string; NEW_NAME_SD_CARD: string };
  GOFORM_HTTPSHARE_CHECK_FILE: { path_SD_CARD: string };
}

type ApnProc =
  | { apn_action: 'save'; apn_mode?: 'manual'; index: string; profile_name: string; wan_apn: string; pdp_type: 'IP' | 'IPv6' | 'IPv4v6'; wan_dial?: string; ppp_auth_mode?: 'none' | 'pap' | 'chap'; ppp_username?: string; ppp_passwd?: string; dns_mode?: 'auto' | 'manual'; prefer_dns_manual?: string; standby_dns_manual?: string }
  | { apn_action: 'delete'; apn_mode?: 'manual'; index: string }
  | { apn_action: 'set_default'; apn_mode: 'auto' }
  | { apn_action: 'set_default'; apn_mode: 'manual'; index: string; pdp_type?: string; set_default_flag?: Flag };

export type GoformId = keyof GoformWrites;

/** Every goformId with typed fields, at run time (kept equal to the type by `satisfies` both ways). */
export const GOFORM_IDS = [
  'LOGOUT', 'CHANGE_PASSWORD', 'SET_WEB_LANGUAGE', 'REBOOT_DEVICE', 'RESTORE_FACTORY_SETTINGS', 'RESET_DATA_COUNTER',
  'FLOW_CALIBRATION_MANUAL', 'ENTER_PIN', 'ENTER_PUK', 'ENABLE_PIN', 'DISABLE_PIN', 'CONNECT_NETWORK', 'DISCONNECT_NETWORK',
  'SET_CONNECTION_MODE', 'SET_BEARER_PREFERENCE', 'SCAN_NETWORK', 'SET_NETWORK', 'BAND_SELECT', 'WAN_GATEWAYMODE_PPPOE',
  'WAN_GATEWAYMODE_STATIC', 'WAN_GATEWAYMODE_DHCP', 'WAN_GATEWAYMODE_AUTO', 'APN_PROC_EX', 'APN_PROC', 'SEND_SMS', 'SAVE_SMS',
  'DELETE_SMS', 'ALL_DELETE_SMS', 'SET_MSG_READ', 'SET_MESSAGE_CENTER', 'USSD_PROCESS', 'SET_WIFI_SSID1_SETTINGS',
  'SET_WIFI_SSID2_SETTINGS', 'SET_WIFI_INFO', 'SET_WIFI_SLEEP_INFO', 'SET_WIFI_COVERAGE', 'WIFI_MAC_FILTER',
  'setDeviceAccessControlList', 'EDIT_HOSTNAME', 'ADD_DEVICE', 'DEL_DEVICE', 'SAVE_TIME_LIMITED', 'DATA_LIMIT_SETTING',
  'IF_UPGRADE', 'SetUpgAutoSetting', 'RESULT_RESTORE', 'SAVE_TSW', 'SET_DEVICE_LED', 'DHCP_SETTING', 'HTTPSHARE_MODE_SET',
  'HTTPSHARE_AUTH_SET', 'HTTPSHARE_ENTERFOLD', 'HTTPSHARE_NEW', 'HTTPSHARE_DEL', 'HTTPSHARE_FILE_RENAME', 'GOFORM_HTTPSHARE_CHECK_FILE',
  'WAN_PERFORM_NR5G_BAND_LOCK', 'LTE_LOCK_CELL_SET', 'NR5G_LOCK_CELL_SET', 'OPERATION_MODE', 'ARP_PROXY_SWITCH', 'switchWiFiModule',
  'DEVELOPER_OPTION_LOGIN', 'LOGIN_MULTI_USER',
] as const satisfies readonly GoformId[];
type Missing = Exclude<GoformId, (typeof GOFORM_IDS)[number]>;
/** Compile-time check: a goformId added to GoformWrites but not to GOFORM_IDS fails type-checking here. */
export const NO_MISSING_IDS: [Missing] extends [never] ? true : Missing = true;

/** The newer web UI's one-second status poll after login (goform-api.md §3.11): what the load flows replay. */
export const STATUS_POLL_KEYS = [
  'modem_main_state', 'pin_status', 'opms_wan_mode', 'opms_wan_auto_mode', 'loginfo', 'new_version_state',
  'current_upgrade_state', 'is_mandatory', 'wifi_dfs_status', 'battery_value', 'ppp_dial_conn_fail_counter',
  'signalbar', 'network_type', 'network_provider', 'dhcp_wan_status', 'ppp_status', 'EX_SSID1', 'sta_ip_status',
  'EX_wifi_profile', 'm_ssid_enable', 'RadioOff', 'wifi_onoff_state', 'wifi_chip1_ssid1_ssid',
  'wifi_chip2_ssid1_ssid', 'wifi_chip1_ssid1_access_sta_num', 'wifi_chip2_ssid1_access_sta_num', 'simcard_roam',
  'lan_ipaddr', 'station_mac', 'wifi_access_sta_num', 'battery_charging', 'battery_vol_percent', 'battery_pers',
  'spn_name_data', 'spn_b1_flag', 'spn_b2_flag', 'realtime_tx_bytes', 'realtime_rx_bytes', 'realtime_time',
  'realtime_tx_thrpt', 'realtime_rx_thrpt', 'monthly_rx_bytes', 'monthly_tx_bytes', 'monthly_time', 'date_month',
  'data_volume_limit_switch', 'data_volume_limit_size', 'data_volume_alert_percent', 'data_volume_limit_unit',
  'roam_setting_option', 'upg_roam_switch', 'ssid', 'wifi_enable', 'wifi_5g_enable', 'check_web_conflict', 'dial_mode',
  'wan_lte_ca', 'privacy_read_flag', 'is_night_mode', 'pppoe_status', 'static_wan_status', 'vpn_conn_status', 'rmcc',
  'rmnc', 'wan_connect_status', 'wifi_onoff_wifi5g_by_n79_mutex', 'sms_received_flag', 'sts_received_flag',
  'sms_unread_num',
] as const;
