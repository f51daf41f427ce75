import { z } from 'zod';
import { BenchError, ruleSpecSchema, textMatchSchema, type RuleSpec } from '../../hil/index.js';
import { checkScenario, checkStepKinds } from './checks.js';

// The scenario format: YAML files (scenarios/suites) validated against this schema, or the same structure from
// TypeScript with defineScenario(). scenarios/scenario.schema.json is generated from it for editors.

export const durationText = z.union([z.number().int().min(0), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 2h or 1d')]);

/** Milliseconds of a validated duration: a number of ms, or text such as 500ms, 30s, 5m, 2h, 1d. */
export function durationMs(d: string | number): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new RangeError(`not a duration: ${d}`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']);
}

/** `object.method` of a ubus call; objects may hold dots (zwrt_router.api), the method is after the last one. */
export const UBUS_NAME = /^[A-Za-z0-9_.-]+\.[A-Za-z0-9_]+$/;

const matchers = {
  equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  notEquals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  matches: z.string().optional().describe('a regular expression the value must match'),
  range: z.object({ min: z.number().optional(), max: z.number().optional() }).optional(),
  oneOf: z.array(z.union([z.string(), z.number()])).optional(),
  /** Retry until the matcher holds, up to this long (virtual time on virtual clocks). */
  within: durationText.optional(),
};

/** A full TR-181 parameter path (no wildcards): what a usp expectation reads. */
const USP_PARAM = /^Device\.([A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+$/;

export const uspActionSchema = z.object({
  op: z.enum(['get', 'set', 'add', 'delete', 'operate']),
  /** get: a parameter or object path (`*` for any instance); set/add/delete: an object path ending in "."; operate: a command, e.g. Device.SelfTestDiagnostics(). */
  path: z.string().min(1),
  /** set/add: parameter values; operate: input arguments. */
  params: z.record(z.string(), z.string()).optional(),
  /** The agent must refuse with this USP err_code (7000-7999) instead of succeeding. */
  error: z.number().int().min(7000).max(7999).optional(),
}).strict();
export type UspAction = z.infer<typeof uspActionSchema>;

export const expectSchema = z.union([
  z.object({
    goform: z.string().min(1).describe('a goform key, or an aggregate command with `field`'),
    /** Extra read parameters for an aggregate command (sms_cmd, page...). */
    params: z.record(z.string(), z.string()).optional(),
    /** Dotted path into an aggregate answer: sms_cmd_status_result, station_list.0.hostname. */
    field: z.string().optional(),
    ...matchers,
  }).strict(),
  z.object({ at: z.string().regex(/^AT/i, 'an AT command line starting with AT'), line: z.number().int().min(1).optional(), ...matchers }).strict(),
  z.object({
    ubus: z.string().regex(UBUS_NAME, 'object.method, e.g. zte_nwinfo_api.nwinfo_get_netinfo').describe('a ubus call on a ZWRT router: object.method'),
    /** The call's arguments (default {}). */
    args: z.record(z.string(), z.unknown()).optional(),
    /** Dotted path into the call's data: network_type, messages.0.tag; without it, the ubus status (0 = ok). */
    field: z.string().optional(),
    ...matchers,
  }).strict(),
  z.object({
    /** A parameter read by the scenario's USP Controller (targets with the usp capability). */
    usp: z.string().regex(USP_PARAM, 'a full parameter path, e.g. Device.WiFi.SSID.1.SSID').describe('a TR-181 parameter read over USP'),
    ...matchers,
  }).strict(),
  z.object({
    /**
     * A notification from the device's USP Agent: Boot!, ValueChange, ObjectCreation, ObjectDeletion,
     * OperationComplete or OnBoardRequest. The first one since the previous uspNotify expectation's match whose
     * `field` (a dotted path into the notification: param_path, param_value, params.Cause...) meets the matchers passes.
     */
    uspNotify: z.enum(['Boot!', 'ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'OnBoardRequest']),
    field: z.string().optional(),
    ...matchers,
  }).strict(),
  z.object({
    /** A dotted path into the device's state document (targets with the state capability: the emulator). */
    state: z.string().min(1).describe('a dotted path into the device state, e.g. battery.percent or stations.0.online'),
    ...matchers,
  }).strict(),
  z.object({
    /**
     * A message on the device's cloud channel: `telemetry`, `event` or `response` for the device's own topics, or
     * any MQTT topic filter (${device} and ${prefix} are filled in). The first message since the previous mqtt
     * expectation's match whose `field` (a dotted path into the JSON payload) meets the matchers passes.
     */
    mqtt: z.string().min(1),
    field: z.string().optional(),
    ...matchers,
  }).strict(),
  z.object({
    /**
     * Which entries: `name` equal, one key of a goform cmd list, or a line's first word (`+CMTI` finds the URC
     * `+CMTI: "ME",3`), or `{ pattern }`; `params` by value or `{ pattern }` (${variables} filled in); `kind`: read,
     * write, command, urc, rule...
     */
    journal: z.object({
      surface: z.enum(['goform', 'ubus', 'at', 'cloud', 'cwmp', 'usp']).optional(),
      name: textMatchSchema.optional(),
      kind: z.string().optional(),
      params: z.record(z.string(), textMatchSchema).optional(),
      client: z.string().optional(),
    }).strict(),
    /**
     * How many entries since the start of the run (or in the last `over` of target time): `exactly`, `min`, `max`
     * (`max: 0` is none).
     */
    count: z.object({ exactly: z.number().int().min(0).optional(), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional(), over: durationText.optional() }).strict().optional(),
    /** Entries per second of target time over the last `over` ("the app polled at most once per second"). */
    perSecond: z.object({ min: z.number().min(0).optional(), max: z.number().min(0).optional(), over: durationText }).strict().optional(),
    within: durationText.optional(),
  }).strict().refine((j) => j.count !== undefined || j.perSecond !== undefined, 'give count or perSecond'),
]);

export type ExpectStep = z.infer<typeof expectSchema>;

const baseStep = z.object({ name: z.string().optional() });

export type Step =
  | { name?: string | undefined; stimulus: string; with?: Record<string, unknown> | undefined }
  | { name?: string | undefined; rule: RuleSpec }
  | { name?: string | undefined; wait: z.infer<typeof durationText> }
  | { name?: string | undefined; expect: ExpectStep }
  | { name?: string | undefined; checkpoint: string }
  | { name?: string | undefined; goform: string; fields?: Record<string, string> | undefined; result?: 'success' | 'failure' | undefined }
  | { name?: string | undefined; at: string; body?: string | undefined; timeout?: z.infer<typeof durationText> | undefined; outcome?: 'ok' | 'error' | 'no-answer' | undefined }
  | { name?: string | undefined; usp: UspAction }
  | { name?: string | undefined; ubus: string; args?: Record<string, unknown> | undefined; status?: number | undefined }
  | { name?: string | undefined; cloud: { command: string; args?: Record<string, unknown> | undefined; ok?: boolean | undefined } }
  | { name?: string | undefined; repeat: { times: number; steps: Step[] } }
  | { name?: string | undefined; parallel: Step[][] }
  | { name?: string | undefined; probe: { url: string; path?: string | undefined; equals?: string | number | boolean | undefined; matches?: string | undefined; within?: z.infer<typeof durationText> | undefined } }
  | { name?: string | undefined; run: { command: string; env?: Record<string, string> | undefined; exitCode?: number | undefined; timeoutMs?: number | undefined } };

export const stepSchema: z.ZodType<Step> = z.lazy(() =>
  z.union([
    baseStep.extend({ stimulus: z.string().min(1), with: z.record(z.string(), z.unknown()).optional() }).strict(),
    /** Installs a rule on the target (a targeted fault or answer override; hil/rule-spec.ts), ${variables} filled in. */
    baseStep.extend({ rule: ruleSpecSchema }).strict(),
    baseStep.extend({ wait: durationText }).strict(),
    baseStep.extend({ expect: expectSchema }).strict(),
    baseStep.extend({ checkpoint: z.string().min(1) }).strict(),
    /**
     * A client action: a goform write through the router capability (fields as the firmware wants them); `result` is
     * the answer it must get: success (default) or failure (a write a rule or the device refuses).
     */
    baseStep.extend({ goform: z.string().min(1), fields: z.record(z.string(), z.string()).optional(), result: z.enum(['success', 'failure']).optional() }).strict(),
    /** A client action: a ubus call through the ubus capability (ZWRT routers); it must answer `status` (default 0). */
    baseStep.extend({ ubus: z.string().regex(UBUS_NAME, 'object.method, e.g. zwrt_wlan.set'), args: z.record(z.string(), z.unknown()).optional(), status: z.number().int().min(-32768).max(255).optional().describe('the ubus status the call must answer (default 0), or a JSON-RPC error code such as -32002') }).strict(),
    /** A controller action over USP: get, set, add, delete or operate; `error` expects the agent to refuse with that err_code. */
    baseStep.extend({ usp: uspActionSchema }).strict(),
    /**
     * A client action: an AT command line through the modem capability. `body` is what a prompt command (AT+CMGS)
     * takes after "> "; `timeout` how long the client waits for the final result (default 10 s of wall time);
     * `outcome` what it must meet: ok (default), error, or no-answer (the client's timeout).
     */
    baseStep.extend({
      at: z.string().regex(/^AT/i, 'an AT command line starting with AT'),
      body: z.string().optional(),
      timeout: durationText.optional(),
      outcome: z.enum(['ok', 'error', 'no-answer']).optional(),
    }).strict(),
    /** A cloud action: a command to the device over its cloud channel (bind, info, set-wifi...); `ok` is the expected answer (default true). */
    baseStep.extend({ cloud: z.object({ command: z.string().min(1), args: z.record(z.string(), z.unknown()).optional(), ok: z.boolean().optional() }).strict() }).strict(),
    baseStep.extend({ repeat: z.object({ times: z.number().int().min(1).max(10_000), steps: z.array(stepSchema).min(1) }).strict() }).strict(),
    baseStep.extend({ parallel: z.array(z.array(stepSchema).min(1)).min(2) }).strict(),
    baseStep.extend({
      probe: z.object({ url: z.string().url(), path: z.string().optional(), equals: z.union([z.string(), z.number(), z.boolean()]).optional(), matches: z.string().optional(), within: durationText.optional() }).strict(),
    }).strict(),
    baseStep.extend({
      run: z.object({ command: z.string().min(1), env: z.record(z.string(), z.string()).optional(), exitCode: z.number().int().optional(), timeoutMs: z.number().int().min(1).max(600_000).optional() }).strict(),
    }).strict(),
  ]),
);

export const scenarioSchema = z.object({
  name: z.string().min(1).describe('what the scenario checks, as reports show it'),
  description: z.string().optional().describe('a longer account for readers'),
  tags: z.array(z.string()).default([]).describe('labels --grep selects by'),
  /** Capabilities the scenario needs; on a target without one, the steps that use it are skipped (partial). */
  requires: z.array(z.enum(['router', 'ubus', 'usp', 'modem', 'stimuli', 'clock', 'journal', 'power', 'cloud', 'state', 'rules'])).default([]).describe('capabilities the target needs; without one the scenario is skipped, naming it'),
  device: z.object({ profile: z.string().default('mf79u'), seed: z.number().int().min(0).default(1) }).strict().default({ profile: 'mf79u', seed: 1 }).describe('the device profile and seed an emulator starts from'),
  /**
   * virtual: a paused clock that waits advance (deterministic); virtual with `speed`: device time runs at that many
   * times wall time (waits take duration/speed of wall time); wall: real time.
   */
  clock: z.object({ mode: z.enum(['virtual', 'wall']).default('virtual'), speed: z.number().gt(0).max(100_000).optional() }).strict().default({ mode: 'virtual' }).describe('virtual (paused, stepped: deterministic), virtual with speed, or wall time'),
  variables: z.record(z.string(), z.string()).default({}).describe('values steps use as ${name}'),
  steps: z.array(stepSchema).min(1).describe('the steps, in order; a failed one ends the scenario'),
}).strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** A scenario in TypeScript, validated like a YAML file (shape, step kinds, stimuli and their parameters, variables). */
export function defineScenario(input: ScenarioInput): Scenario {
  const kinds = checkStepKinds(input);
  if (kinds) throw new BenchError('CONFIG_INVALID', `[scenario] ${kinds.path.join('.')}: ${kinds.message}`);
  const scenario = scenarioSchema.parse(input);
  const issue = checkScenario(scenario);
  if (issue) throw new BenchError('CONFIG_INVALID', `[scenario] ${scenario.name}: ${issue.path.join('.')}: ${issue.message}`);
  return scenario;
}
