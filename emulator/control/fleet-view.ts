import { z } from 'zod';
import type { StateView } from '../state/device-state.js';

// The fleet page's data (issue #27): one row per device read from its state without waking it, counts by the
// columns QA filters on, and a page of rows filtered and sorted. A single emulator is a fleet of one.

export const ROW_COLUMNS = ['registration', 'technology', 'connection', 'batteryBand', 'fota', 'online', 'cloud', 'acs', 'profile'] as const;
export type RowColumn = (typeof ROW_COLUMNS)[number];

export const deviceRowSchema = z.object({
  id: z.string(),
  profile: z.string(),
  registration: z.string(),
  technology: z.string(),
  /** The data connection: connected, disconnected, connecting... */
  connection: z.string(),
  battery: z.number().nullable(),
  charging: z.boolean(),
  /** mains (no battery), 0-20, 21-50, 51-80, 81-100. */
  batteryBand: z.string(),
  fota: z.string(),
  /** online: powered on; offline: off or rebooting. */
  online: z.enum(['online', 'offline']),
  /** The cloud channel: connected, disconnected, or none (not started). */
  cloud: z.enum(['connected', 'disconnected', 'none']),
  /** The TR-069 CPE: ok (its last session worked), failing, waiting (no session yet), or none. */
  acs: z.enum(['ok', 'failing', 'waiting', 'none']),
});
export type DeviceRow = z.infer<typeof deviceRowSchema>;

export function batteryBand(s: StateView): string {
  if (!s.battery.present) return 'mains';
  const p = s.battery.percent;
  return p <= 20 ? '0-20' : p <= 50 ? '21-50' : p <= 80 ? '51-80' : '81-100';
}

/** The cloud column from a channel's status (null: no channel). */
export function cloudColumn(status: { connected: boolean } | null): DeviceRow['cloud'] {
  return status === null ? 'none' : status.connected ? 'connected' : 'disconnected';
}

/** The ACS column from a CPE's status (null: not a CPE). */
export function acsColumn(status: { sessions: number; lastError: string | null } | null): DeviceRow['acs'] {
  return status === null ? 'none' : status.sessions === 0 ? 'waiting' : status.lastError === null ? 'ok' : 'failing';
}

/** A row from a device's state and what its channels report. */
export function rowOf(s: StateView, profile: string, cloud: DeviceRow['cloud'], acs: DeviceRow['acs']): DeviceRow {
  return {
    id: s.id,
    profile,
    registration: s.radio.registration,
    technology: s.radio.technology,
    connection: s.connection.ppp.replace(/^ppp_/, ''),
    battery: s.battery.present ? s.battery.percent : null,
    charging: s.battery.chargerConnected,
    batteryBand: batteryBand(s),
    fota: s.fota.upgradeState,
    online: s.system.poweredOn ? 'online' : 'offline',
    cloud,
    acs,
  };
}

/** How many devices have each value of each column. */
export function countRows(rows: readonly DeviceRow[]): Record<RowColumn, Record<string, number>> {
  const out = Object.fromEntries(ROW_COLUMNS.map((c) => [c, {}])) as Record<RowColumn, Record<string, number>>;
  for (const r of rows) {
    for (const c of ROW_COLUMNS) {
      const v = String(r[c]);
      out[c][v] = (out[c][v] ?? 0) + 1;
    }
  }
  return out;
}

export const fleetDevicesQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** Column to sort by (id, battery or any counted column); `-` first for descending. */
  sort: z.string().regex(/^-?(id|battery|registration|technology|connection|batteryBand|fota|online|cloud|acs|profile)$/, 'a column: id, battery, registration, technology, connection, batteryBand, fota, online, cloud, acs or profile, - first for descending').default('id'),
  /** Filters `column:value`, comma-separated; every one must hold. */
  where: z.string().max(500).optional(),
  /** Text the id or profile contains. */
  q: z.string().max(100).optional(),
});

/** One page of rows, filtered and sorted as asked; throws RangeError naming a bad filter. */
export function pageOf(rows: readonly DeviceRow[], query: z.infer<typeof fleetDevicesQuery>): { total: number; items: DeviceRow[] } {
  const filters = (query.where ?? '').split(',').filter(Boolean).map((f) => {
    const cut = f.indexOf(':');
    const col = f.slice(0, cut) as RowColumn;
    if (cut < 0 || !(ROW_COLUMNS as readonly string[]).includes(col)) throw new RangeError(`where: "${f}" is not column:value with a column of ${ROW_COLUMNS.join(', ')}`);
    return [col, f.slice(cut + 1)] as const;
  });
  let picked = rows.filter((r) => filters.every(([c, v]) => String(r[c]) === v) && (!query.q || r.id.includes(query.q) || r.profile.includes(query.q)));
  const desc = query.sort.startsWith('-');
  const key = query.sort.replace(/^-/, '') as keyof DeviceRow;
  picked = [...picked].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = typeof x === 'number' || typeof y === 'number' ? (Number(x ?? -1) - Number(y ?? -1)) : String(x).localeCompare(String(y));
    return (desc ? -c : c) || a.id.localeCompare(b.id);
  });
  return { total: picked.length, items: picked.slice(query.offset, query.offset + query.limit) };
}
