// The emulated router: one device (state, rules, clock) and its surfaces (goform, AT, cloud, control). Runs on its own.
// Imports nothing internal but hil/errors.ts.
export { createEmulator, type Emulator, type EmulatorOptions } from './emulator.js';
export { VirtualClock, type ClockMode, type ClockOptions } from './clock/virtual-clock.js';
export { Device } from './state/device.js';
export type { DeviceApi, DeviceEvents } from './state/device-api.js';
export type { DeviceState, StateView } from './state/device-state.js';
export { REFUSALS, isRefused, type Outcome, type RefusalCode, type Refused } from './state/outcome.js';
export { createRouter, type Router, type RouterOptions } from './router.js';
export type { UnhandledPolicy } from './instrument/unhandled.js';
export { listProfiles, loadProfile, loadCarrier, type DeviceProfile } from './state/profile.js';
export { encodeUcs2Hex, decodeUcs2Hex } from './http/codec.js';
export { computeAd } from './http/codec.js';
