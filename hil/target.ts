// The Target contract (ARCHITECTURE.md): what a scenario talks to, whether it is the emulator, a real router
// over HTTP or a real modem over serial. Interfaces only; must not import drivers or the emulator.
import type { AtSession } from './clients/at-session.js';
import type { GoformClient } from './clients/goform-client.js';
import type { UbusClient } from './clients/ubus-client.js';
import type { UspController } from './clients/usp-controller.js';
import type { RuleSpec, RuleView, TextMatch } from './rule-spec.js';

/** Capability names a target may offer; `require(name)` returns the matching interface. */
export interface Capabilities {
  /** The goform SDK client, logged in or able to log in (goform-generation routers). */
  router: GoformClient;
  /** The ubus SDK client, logged in (ZWRT routers that speak JSON-RPC on /ubus: G5TS, G5 Ultra, U60 Pro...). */
  ubus: UbusClient;
  /** A TR-369 Controller on the broker of the device's USP Agent, and the agent's Endpoint ID. */
  usp: UspCapability;
  /** An initialised AT session (echo off, numeric errors). */
  modem: AtSession;
  /** Change the world around the device (signal, registration, SMS in, battery...). */
  stimuli: StimuliCapability;
  /** The device's clock: virtual on the emulator. */
  clock: ClockCapability;
  /** What clients did (goform requests, AT commands, URCs). */
  journal: JournalCapability;
  /** Power the device off and on (a relay or uhubctl on a bench; a reboot on the emulator). */
  power: PowerCapability;
  /** Where the device's cloud channel reports: the broker and topics a cloud-side observer subscribes to. */
  cloud: CloudCapability;
  /** The device's whole state as one document (emulator only: real devices have no such view). */
  state: StateCapability;
  /** Start the device over as a fresh one (emulator only): what a runner does between scenarios on a running bench. */
  reset: ResetCapability;
  /** Targeted faults and answer overrides on the device's surfaces (emulator only; hil/rule-spec.ts). */
  rules: RulesCapability;
}

export interface RulesCapability {
  /** Installs a rule; answers it with its id and counts. A bad rule rejects with INVALID_ARGUMENT naming the field. */
  add(rule: RuleSpec): Promise<RuleView>;
  list(): Promise<RuleView[]>;
  remove(id: string): Promise<void>;
  /** Removes every rule (a reset does too). */
  clear(): Promise<void>;
}

export interface UspCapability {
  /** The Endpoint ID of the device's agent (the `toId` of every request). */
  endpointId: string;
  /** Connected, with the agent's topic known; its notifications are kept in `controller.notifications`. */
  controller: UspController;
}

export interface ResetCapability {
  /**
   * A fresh device of `profile` (default: the current one) and `seed` (default 1): state, pending effects, sessions
   * and faults; `clock` pauses the device's clock (stepped scenarios) or lets it run; `fresh` also starts time
   * where a fresh emulator starts and empties the journal (a run on a running bench repeats). The router logs in again.
   */
  reset(options: { profile?: string | undefined; seed?: number | undefined; clock?: 'paused' | 'running' | undefined; fresh?: boolean | undefined }): Promise<void>;
  /** How the bench is now (its device's profile and seed, its clock), before a run changes it. */
  snapshot(): Promise<BenchSnapshot>;
  /**
   * Put the bench back as a snapshot found it: a fresh device of its profile and seed, its clock in its mode and at
   * its speed, time where it would be had the run not happened (a running clock moved on meanwhile). The device's
   * own changes since it started are not restored; the journal is kept.
   */
  restore(snapshot: BenchSnapshot): Promise<void>;
}

export interface BenchSnapshot {
  profile: string;
  seed: number;
  mode: 'paused' | 'running';
  speed: number;
  virtualMs: number;
  /** Wall ms when taken (a running clock's time moves on from here). */
  wallMs: number;
}

/** The MQTT broker and topic names of the device's cloud channel (topics per emulator/cloud/messages.ts). */
export interface CloudEndpoint {
  url: string;
  topicPrefix: string;
  deviceId: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface CloudCapability {
  /** The broker the device reports to; on the emulator this starts its cloud channel if it is not running. */
  endpoint(): Promise<CloudEndpoint>;
}

export interface StateCapability {
  get(): Promise<Record<string, unknown>>;
}

export type CapabilityName = keyof Capabilities;

/**
 * A stimulus by name with its JSON body, as in the control API (`POST .../stimuli/<name>`). Rejects with
 * INVALID_ARGUMENT on a bad body and CAPABILITY_MISSING when the target cannot apply that stimulus.
 */
export interface StimuliCapability {
  apply(name: string, body: Record<string, unknown>): Promise<unknown>;
}

export interface ClockCapability {
  /** Device time, epoch ms. */
  now(): Promise<number>;
  /** Move time forward by `ms` (virtual targets); real targets wait that long instead. */
  advance(ms: number): Promise<void>;
}

export interface JournalEntryView {
  surface: 'goform' | 'ubus' | 'at' | 'cloud' | 'cwmp' | 'usp';
  kind: string;
  name: string;
  response: string;
  virtualMs: number;
  client: string;
}

export interface JournalCapability {
  /** Entries, oldest first, filtered by surface and name (a cmd key or goformId or AT line). */
  query(filter?: JournalQuery): Promise<JournalEntryView[]>;
}

/**
 * Which journal entries: `name` equal, one key of a goform cmd list, or a line's first word (`+CMTI` finds the URC
 * `+CMTI: "ME",3`), or `{ pattern }`; `params` every one given must match (equal or `{ pattern }`); `kind` e.g. write,
 * read, command, urc, rule.
 */
export interface JournalQuery {
  surface?: 'goform' | 'ubus' | 'at' | 'cloud' | 'cwmp' | 'usp' | undefined;
  name?: TextMatch | undefined;
  kind?: string | undefined;
  params?: Record<string, TextMatch> | undefined;
}

export interface PowerCapability {
  /** Power-cycles the device and waits until it answers again; on failure the target is marked broken. */
  cycle(): Promise<void>;
}

export interface TargetDescription {
  id: string;
  kind: 'emulator' | 'router' | 'modem' | 'combined';
  capabilities: CapabilityName[];
  /** Free-form facts: model, firmware, port, URL. */
  details: Record<string, string>;
}

export interface Target {
  readonly id: string;
  describe(): TargetDescription;
  has(name: CapabilityName): boolean;
  /** The capability, or throws CAPABILITY_MISSING naming the target; TARGET_BROKEN after a failed hardware step. */
  require<N extends CapabilityName>(name: N): Capabilities[N];
  /** Release every resource (sessions, ports, servers). Idempotent. */
  close(): Promise<void>;
}
