import { z } from 'zod';

// What a rule is, as the control API, scenarios and the SDK give it (issue #27): one schema for every surface. The
// emulator's engine (emulator/instrument/rules.ts) carries them out; this file is the contract they share.

/** A text to match: equal to a string, or a regular expression (`{ "pattern": "^\\+49" }`). */
export const textMatchSchema = z.union([z.string(), z.object({ pattern: z.string().min(1).max(500) }).strict()]);
export type TextMatch = z.infer<typeof textMatchSchema>;

export const RULE_SURFACES = ['goform', 'ubus', 'at', 'cloud', 'cwmp', 'usp'] as const;
export type RuleSurface = (typeof RULE_SURFACES)[number];

const durationText = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h');

export const ruleActionSchema = z.discriminatedUnion('kind', [
  /**
   * Waits before answering (wall-clock ms: a slow network or a busy modem): `ms`, or uniform in [ms, maxMs], or
   * normal around ms with `stddevMs` (drawn from the seeded stream). Latency rules add up with each other and with the
   * rule that then answers (an error after a delay); alone they delay the real answer.
   */
  z.object({ kind: z.literal('latency'), ms: z.number().min(0).max(120_000), maxMs: z.number().min(0).max(120_000).optional(), stddevMs: z.number().min(0).max(60_000).optional() }).strict(),
  /**
   * The surface's own error: goform {"result":"failure"} (a read: every key ""; `code: 500` an HTTP 500); ubus the
   * JSON-RPC error -32002 "access denied" by default (another negative code: that error; a positive one: that ubus
   * status, [code]); AT ERROR, or +CME ERROR: code; CWMP a SOAP Fault (9002 by default); USP an Error message (7002 by
   * default); cloud a response with that error code.
   */
  z.object({
    kind: z.literal('error'),
    code: z.number().int().optional(),
    message: z.string().max(500).optional(),
    /** goform: `failure` answers {"result":"failure"} to reads too; `empty` (the default for reads) every key "". */
    shape: z.enum(['failure', 'empty']).optional(),
  }).strict(),
  /** The connection is closed without an answer (AT: the line goes quiet as with hang). */
  z.object({ kind: z.literal('drop') }).strict(),
  /** No answer, ever (the request is not carried out): the client's own timeout is what it meets. */
  z.object({ kind: z.literal('hang') }).strict(),
  /** The answer's body trickles out at this rate (HTTP surfaces). */
  z.object({ kind: z.literal('slow-body'), bytesPerSecond: z.number().int().min(1).max(10_000_000) }).strict(),
  /** Bytes that are not the protocol before the answer (AT: a garbage line; HTTP: a body that is not JSON). */
  z.object({ kind: z.literal('garbage') }).strict(),
  /**
   * This answer instead of the real one, in the surface's own form: goform a JSON object (or raw text); ubus the
   * call's `result` ([0, {...}]); AT the information lines and final result ("+CSQ: 5,99", "OK"); cloud the
   * response's `data`.
   */
  z.object({ kind: z.literal('answer'), body: z.unknown() }).strict(),
  /** The real answer with these fields replaced (goform keys, ubus result data, cloud response data). */
  z.object({ kind: z.literal('patch'), fields: z.record(z.string(), z.unknown()) }).strict(),
]);
export type RuleAction = z.infer<typeof ruleActionSchema>;

export const ruleSpecSchema = z.object({
  surface: z.enum(RULE_SURFACES),
  match: z.object({
    /** goformId or a cmd key (a read matches when its cmd list holds it); ubus object.method; the AT command
     * (+CMGS or AT+CMGS); the CWMP RPC; the USP message type (Get, Set, Operate...); the cloud command. */
    name: textMatchSchema.optional(),
    /** Request parameters: goform fields/query, ubus call arguments (one level flattened: main_2g.ssid), AT `args`
     * (the raw argument text), CWMP/USP `path`s, cloud command params. Every one given must match. */
    params: z.record(z.string(), textMatchSchema).optional(),
    /** The client: the peer address (HTTP), `at` or the port name (AT), the ACS/controller id. */
    client: textMatchSchema.optional(),
  }).strict().default({}),
  action: ruleActionSchema,
  /** Fires at most this many times (default: every time). */
  times: z.number().int().min(1).optional(),
  /** Lets this many matching requests through before it fires ("the second SEND_SMS fails": skip 1, times 1). */
  skip: z.number().int().min(0).default(0),
  /** Virtual time after the rule was added from which it fires, and until which (default: at once, for ever). */
  from: durationText.optional(),
  until: durationText.optional(),
  /** How likely it fires for a request it matches, 0..1, drawn from the device's seeded rule stream. */
  probability: z.number().min(0).max(1).default(1),
  /** Higher first; among equals the oldest rule first. */
  priority: z.number().int().default(0),
  /** A label of your own (shown in listings and the journal). */
  note: z.string().max(200).optional(),
}).strict();
export type RuleSpec = z.input<typeof ruleSpecSchema>;
export type ParsedRuleSpec = z.infer<typeof ruleSpecSchema>;


/** A rule as installed: its spec with defaults, id and counts (GET /devices/{id}/rules). */
export interface RuleView extends ParsedRuleSpec {
  id: string;
  /** Virtual time it was added. */
  addedAtMs: number;
  /** Requests it matched (fired or not) and times it fired. */
  matched: number;
  fired: number;
  /** No firing is left (times reached). */
  spent: boolean;
}
