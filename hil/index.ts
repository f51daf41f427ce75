// hil: the seam between tests and devices. Scenarios import this index only, never drivers.

// --- the contract ---
export type { Target, Capabilities, CapabilityName, TargetDescription, StimuliCapability, ClockCapability, JournalCapability, JournalQuery, RulesCapability, PowerCapability, CloudCapability, CloudEndpoint, StateCapability, UspCapability } from './target.js';
export { BenchError, isBenchError, type ErrorCode } from './errors.js';
export { connectTarget, parseTarget, type TargetConfig } from './connect.js';

// --- the SDK ---
export { GoformClient, type GoformClientOptions, type Generation, type SmsRecord, type WriteOptions } from './clients/goform-client.js';
export { UbusClient, ZWRT_STATUS_POLL, type UbusClientOptions, type UbusCall, type UbusResult } from './clients/ubus-client.js';
export { UspController, UspError, type UspControllerOptions, type UspNotification } from './clients/usp-controller.js';
export { AtSession, AtError, type AtAnswer, type ReceivedSms } from './clients/at-session.js';
export { CloudClient, schemaProblem, type CloudClientOptions, type Received } from './clients/cloud-client.js';
export { KEY_GROUPS, STATUS_POLL_KEYS, type GoformWrites, type GoformId, type KeyGroupName, type GroupValues } from './clients/goform-types.js';

export { listPorts, findModemPort, type PortCandidate } from './drivers/port-discovery.js';

// Wire codecs shared with the emulator (docs/decisions/shared-codecs.md).
export { encodeUcs2Hex, decodeUcs2Hex } from '../emulator/http/codec.js';

// --- transports ---
export type { ByteTransport } from './transports/byte-transport.js';
export { TcpTransport, SerialTransport } from './transports/transports.js';

// --- the emulator's stimuli (names and parameter schemas, for scenario checks) ---
export { stimulusCatalog, type StimulusInfo } from './drivers/stimulus-catalog.js';
export { goformCatalog, type GoformCatalog } from './drivers/goform-catalog.js';

// --- recordings ---
export { recordTarget, saveRecording, loadRecording, scrub, recordingSchema, incomingDuring, ubusCalls, RECORDING_VERSION, SECRET, type Recording, type HttpExchange } from './record/recording.js';
export { checkFidelity, replayFidelity, replayableFields, replayableUbusArgs, SESSION_WRITES, UBUS_SESSION_CALLS, shapeOf, type Difference, type FidelityReport } from './record/fidelity.js';
export { startProxy, DESTRUCTIVE, type ProxyOptions, type RecordingProxy } from './record/proxy.js';
export { emulatorOptionsFromRecording, applyRecording, emulatorFromRecording, initialInbox, TECHNOLOGY_BY_NETWORK_TYPE } from './drivers/from-recording.js';
export { ruleSpecSchema, ruleActionSchema, textMatchSchema, RULE_SURFACES, type RuleSpec, type RuleView, type RuleAction, type RuleSurface, type TextMatch } from './rule-spec.js';
