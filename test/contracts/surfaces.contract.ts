import { describe, expect, it } from 'vitest';
import { commandSchema } from '../../emulator/cloud/messages.js';
import { runCommand } from '../../emulator/cloud/commands.js';
import type { Emulator } from '../../emulator/index.js';
import type { DeviceState } from '../../emulator/state/device-state.js';
import { AtProbe } from '../helpers/at.js';
import { ControlClient } from '../helpers/control.js';
import { TestClient, startLoggedIn } from '../helpers/emulator.js';
import { UbusProbe } from '../helpers/ubus.js';

// The surfaces contract (ARCHITECTURE.md "Data flow" 1): one device operation driven through each surface that
// offers it (goform, ubus, AT, cloud, control API) leaves the same state and emits the same events. Each surface gets a
// fresh emulator of the same profile and seed; the set-up and the virtual time after the step are the same.
// Not run by itself: surfaces.test.ts calls runSurfacesContract.

export type Surface = 'goform' | 'ubus' | 'at' | 'cloud' | 'control';

/** What a surface step can use. */
export interface Drivers {
  emu: Emulator;
  goform: TestClient;
  /** The ubus (ZWRT JSON-RPC) surface of the same device, logged in (the surface is the same on every profile). */
  ubus: UbusProbe;
  at: AtProbe;
  control: ControlClient;
  /** A cloud command, decoded by the channel's schema and run by the channel's handler (no broker needed). */
  cloud(command: string, args?: Record<string, unknown>): unknown;
}

export interface SurfaceCase {
  name: string;
  profile?: string;
  /** Brings the device into the starting state (through operations and validated state, never a surface). */
  setup?: (emu: Emulator) => void;
  /** The same operation, per surface that offers it; each answers the surface's own success, checked inside. */
  via: Partial<Record<Surface, (d: Drivers) => Promise<void> | void>>;
  /** Virtual ms to let pass after the step (delayed effects: dialling, selection, send status). */
  settleMs?: number;
  /** What must hold on every surface's result (besides being equal); the case's point. */
  expect: (state: DeviceState, events: string[]) => void;
}

/** The state fields compared across surfaces: everything but what a surface's own session touches. */
function comparable(emu: Emulator): Record<string, unknown> {
  // Login counters and the seeded traffic wander depend on how many random draws a surface made (goform LD/RD);
  // the exact battery level integrates the drain over when an asynchronous effect landed (SET_NETWORK takes 3 s).
  const { login: _login, traffic: _traffic, ...rest } = emu.device.snapshot();
  const { level: _level, ...battery } = rest.battery;
  return { ...rest, battery };
}

const DOMAIN_EVENTS = ['sms-received', 'registration-changed', 'technology-changed', 'sim-changed', 'station-changed', 'ussd-answer', 'reboot'] as const;

async function runOn(c: SurfaceCase, surface: Surface): Promise<{ state: Record<string, unknown>; full: DeviceState; events: string[] }> {
  const { emu, client } = await startLoggedIn({ profile: c.profile ?? 'mf79u' });
  try {
    c.setup?.(emu);
    emu.clock.advance(5000);
    const events: string[] = [];
    for (const name of DOMAIN_EVENTS) {
      emu.device.on(name, (...args: unknown[]) => {
        const arg = args[0];
        const detail = name === 'station-changed' ? `${(arg as { mac: string; online: boolean }).mac}:${(arg as { online: boolean }).online ? 'on' : 'off'}` : typeof arg === 'string' ? arg : '';
        events.push(detail ? `${name}(${detail})` : name);
      });
    }
    const at = new AtProbe(emu);
    at.at('E0');
    const ubus = new UbusProbe(emu);
    if (surface === 'ubus') ubus.login();
    const drivers: Drivers = {
      emu,
      goform: client,
      ubus,
      at,
      control: new ControlClient(emu),
      cloud: (command, args) => runCommand(emu.device, commandSchema.parse({ id: 'c1', command, ...(args ? { args } : {}) }), 0),
    };
    await c.via[surface]!(drivers);
    emu.clock.advance(c.settleMs ?? 5000);
    at.close();
    return { state: comparable(emu), full: emu.device.snapshot(), events };
  } finally {
    await emu.close();
  }
}

export function runSurfacesContract(cases: SurfaceCase[]): void {
  describe('surfaces contract: one operation, the same state and events from every surface', () => {
    for (const c of cases) {
      const surfaces = Object.keys(c.via) as Surface[];
      it(`${c.name} (${surfaces.join(', ')})`, async () => {
        const results = [];
        for (const s of surfaces) results.push({ surface: s, ...(await runOn(c, s)) });
        const [first, ...others] = results;
        c.expect(first!.full, first!.events);
        for (const r of others) {
          c.expect(r.full, r.events);
          expect({ surface: r.surface, state: r.state }).toEqual({ surface: r.surface, state: first!.state });
          expect({ surface: r.surface, events: r.events }).toEqual({ surface: r.surface, events: first!.events });
        }
      });
    }
  });
}

