// routerlab as a library (package.json "exports"): the emulator, the in-process serial binding, the hil Target
// contract with its drivers and SDK clients, and the scenario API. The same modules the CLI uses.
export { createEmulator, type Emulator, type EmulatorOptions, listProfiles, loadProfile, encodeUcs2Hex, decodeUcs2Hex } from './emulator/index.js';
export { createModemBinding, type ModemBinding } from './emulator/modem/serial-binding.js';
export {
  BenchError,
  connectTarget,
  parseTarget,
  GoformClient,
  AtSession,
  CloudClient,
  recordTarget,
  loadRecording,
  replayFidelity,
  startProxy,
  stimulusCatalog,
  type Target,
  type CapabilityName,
} from './hil/index.js';
export { defineScenario, loadScenarios, runScenario, writeReports, type Scenario, type ScenarioResult } from './scenarios/index.js';
