// The emulated router: one device (state + clock) and its goform HTTP surface. Runs on its own.
// Imports nothing internal but hil/errors.ts.
export { createEmulator, type Emulator, type EmulatorOptions } from './emulator.js';
export { VirtualClock, type ClockMode, type ClockOptions } from './clock/virtual-clock.js';
export { Device } from './state/device.js';
export type { DeviceState } from './state/device-state.js';
export { listProfiles, loadProfile, loadCarrier, type DeviceProfile } from './state/profile.js';
export { encodeUcs2Hex, decodeUcs2Hex } from './http/codec.js';
export { computeAd } from './http/auth.js';
