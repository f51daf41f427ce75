import { batteryBars, chargeState, dataLimitUsed } from '../../state/derive.js';
import { defineKeys, str } from './key-def.js';

// goform-api.md §3.3 battery, §3.4 traffic and data limit.

/**
 * Charging state on every device: one without a battery (USB sticks, CPEs on mains) answers "0", the value the web UIs
 * take when the key is missing (their status code reads `undefined` as "0"); an empty one shows them charging (§3.3).
 */
const CHARGING: Record<ReturnType<typeof chargeState>, string> = { battery: '0', charging: '1', full: '2' };

export const chargingKeys = defineKeys('device', {
  battery_charging: (c) => CHARGING[chargeState(c.state)],
});

export const batteryKeys = defineKeys(
  'battery',
  {
    battery_vol_percent: (c) => str(c.state.battery.percent),
    battery_pers: (c) => str(batteryBars(c.state.battery.percent)),
    battery_value: () => '',
  },
  { public: ['battery_value'] },
);

export const trafficKeys = defineKeys('traffic', {
  realtime_tx_bytes: (c) => str(c.state.traffic.realtimeTxBytes),
  realtime_rx_bytes: (c) => str(c.state.traffic.realtimeRxBytes),
  realtime_time: (c) => str(c.state.traffic.realtimeSeconds),
  realtime_tx_thrpt: (c) => str(c.state.traffic.txBytesPerSecond),
  realtime_rx_thrpt: (c) => str(c.state.traffic.rxBytesPerSecond),
  monthly_tx_bytes: (c) => str(c.state.traffic.monthlyTxBytes),
  monthly_rx_bytes: (c) => str(c.state.traffic.monthlyRxBytes),
  monthly_time: (c) => str(c.state.traffic.monthlySeconds),
  date_month: (c) => {
    const d = new Date(c.nowMs + c.state.system.tzHours * 3_600_000);
    return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  },
  traffic_alined_delta: () => '0',
  flux_last_month_total: (c) => str(c.state.traffic.lastMonthTotalBytes),
  data_volume_limit_switch: (c) => str(c.state.dataLimit.enabled),
  data_volume_limit_unit: (c) => c.state.dataLimit.unit,
  data_volume_limit_size: (c) => c.state.dataLimit.size,
  data_volume_alert_percent: (c) => str(c.state.dataLimit.alertPercent),
  wan_auto_clear_flow_data_switch: (c) => (c.state.dataLimit.autoClear ? 'on' : 'off'),
  traffic_clear_date: (c) => str(c.state.dataLimit.clearDay),
  traffic_overrun: (c) => {
    const used = dataLimitUsed(c.state);
    return used !== null && used >= 1 ? '1' : '0';
  },
});
