// The newer web UI's one-second status poll after login (goform-api.md §3.11).
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

export const STATUS_POLL_QUERY =
  `multi_data=1&isTest=false&sms_received_flag_flag=0&sts_received_flag_flag=0&cmd=${STATUS_POLL_KEYS.join('%2C')}`;
