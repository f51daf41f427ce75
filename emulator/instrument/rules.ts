import { z } from 'zod';
import { SeededRandom } from '../state/identity.js';
import type { Journal, JournalSurface } from './journal.js';
import { textMatcher, textMatchSchema, type TextMatch } from './text-match.js';

export { textMatcher, textMatchSchema, type TextMatch } from './text-match.js';

// Rules: targeted faults and answer overrides, one mechanism for every surface (issue #27). A rule matches requests
// of one surface (by name, parameters and client), and acts on the ones it fires for: a fault in the surface's own
// language (latency, an error answer, a dropped connection, no answer at all, a slow body, garbage), an answer of
// its own, or the real answer with fields changed. It fires `times` times at most, after letting `skip` matching
// requests through, inside a window of virtual time, with a seeded probability; of the rules that match, the one
// with the highest priority acts (then the oldest). The shapes follow WireMock's request matching and mountebank's
// predicates/behaviours; the probability is Toxiproxy's toxicity. Every firing is journaled with the rule's id.

export const RULE_SURFACES = ['goform', 'ubus', 'at', 'cloud', 'cwmp', 'usp'] as const satisfies readonly JournalSurface[];
export type RuleSurface = (typeof RULE_SURFACES)[number];

const durationText = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h');

export const ruleActionSchema = z.discriminatedUnion('kind', [
  /** Waits before answering (wall-clock ms: a slow network or a busy modem), then answers for real. */
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(120_000) }).strict(),
  /**
   * The surface's own error: goform {"result":"failure"} (a read: every key ""; `code: 500` an HTTP 500); ubus the
   * JSON-RPC error -32002 "access denied" by default (another negative code: that error; a positive one: that ubus
   * status, [code]); AT ERROR, or +CME ERROR: code; CWMP a SOAP Fault (9002 by default); USP an Error message (7002 by
   * default); cloud a response with that error code.
   */
  z.object({ kind: z.literal('error'), code: z.number().int().optional(), message: z.string().max(500).optional() }).strict(),
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
type ParsedSpec = z.infer<typeof ruleSpecSchema>;

export interface RuleView extends ParsedSpec {
  id: string;
  /** Virtual time it was added. */
  addedAtMs: number;
  /** Requests it matched (fired or not) and times it fired. */
  matched: number;
  fired: number;
  /** No firing is left (times reached). */
  spent: boolean;
}

export interface RuleHit {
  id: string;
  action: RuleAction;
}

interface Compiled {
  view: RuleView;
  name: ((name: string) => boolean) | null;
  params: [string, (v: string) => boolean][];
  client: ((c: string) => boolean) | null;
  fromMs: number;
  untilMs: number;
}

const DURATION_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationMs = (t: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(t)!;
  return Number(m[1]) * DURATION_MS[m[2] as keyof typeof DURATION_MS];
};

/**
 * How a request's name meets a rule's name: equal; a goform read's cmd list holding it; an AT command given with or
 * without its "AT" (`+CMGS`, `AT+CMGS`); a pattern anywhere.
 */
function nameMatcher(surface: RuleSurface, m: TextMatch): (name: string) => boolean {
  if (typeof m !== 'string') return textMatcher(m);
  if (surface === 'at') {
    const want = m.toUpperCase().replace(/^AT/, '');
    return (name) => name.toUpperCase().replace(/^AT/, '') === want;
  }
  if (surface === 'goform') return (name) => name === m || (name.includes(',') && `,${name},`.includes(`,${m},`));
  return (name) => name === m;
}

export const MAX_RULES = 200;

/** The rules of one device. */
export class Rules {
  readonly #rules: Compiled[] = [];
  readonly #bySurface = new Map<RuleSurface, Compiled[]>();
  #next = 1;
  #rng: SeededRandom;
  readonly #seed: number;

  #now: () => number = () => 0;
  #journal: Journal | null = null;
  #deviceId = '';

  constructor(seed: number) {
    this.#seed = seed;
    this.#rng = new SeededRandom(seed ^ 0x51ed270b);
  }

  /** The device's clock (windows are virtual time) and the journal firings go to. */
  attach(options: { now: () => number; journal: Journal | null; deviceId: string }): void {
    this.#now = options.now;
    this.#journal = options.journal;
    this.#deviceId = options.deviceId;
  }

  /** Adds a rule; returns its view. RangeError on a bad pattern or past MAX_RULES. */
  add(input: RuleSpec): RuleView {
    const spec = ruleSpecSchema.parse(input);
    if (this.#rules.length >= MAX_RULES) throw new RangeError(`a device holds at most ${MAX_RULES} rules; remove some first`);
    const addedAtMs = this.#now();
    const view: RuleView = { ...spec, id: `r${this.#next++}`, addedAtMs, matched: 0, fired: 0, spent: false };
    const c: Compiled = {
      view,
      name: spec.match.name === undefined ? null : nameMatcher(spec.surface, spec.match.name),
      params: Object.entries(spec.match.params ?? {}).map(([k, m]) => [k, textMatcher(m)]),
      client: spec.match.client === undefined ? null : textMatcher(spec.match.client),
      fromMs: addedAtMs + (spec.from ? durationMs(spec.from) : 0),
      untilMs: spec.until ? addedAtMs + durationMs(spec.until) : Infinity,
    };
    this.#rules.push(c);
    this.#index();
    return { ...view };
  }

  list(): RuleView[] {
    return this.#rules.map((c) => ({ ...c.view }));
  }

  get(id: string): RuleView | undefined {
    const c = this.#rules.find((r) => r.view.id === id);
    return c ? { ...c.view } : undefined;
  }

  remove(id: string): boolean {
    const i = this.#rules.findIndex((r) => r.view.id === id);
    if (i < 0) return false;
    this.#rules.splice(i, 1);
    this.#index();
    return true;
  }

  /** Every rule gone, ids and the probability stream from the start (a device reset). */
  reset(): void {
    this.#rules.length = 0;
    this.#bySurface.clear();
    this.#next = 1;
    this.#rng = new SeededRandom(this.#seed ^ 0x51ed270b);
  }

  /** Whether any rule is installed for the surface (the hot paths skip matching when none is). */
  has(surface: RuleSurface): boolean {
    return this.#bySurface.has(surface);
  }

  /**
   * The rule that acts on this request, or null. Counts every rule that matched; journals the firing. `params` is
   * read lazily: only rules with parameter matchers call it.
   */
  hit(surface: RuleSurface, name: string, params: () => Record<string, string>, client: string): RuleHit | null {
    const list = this.#bySurface.get(surface);
    if (!list) return null;
    let p: Record<string, string> | null = null;
    const nowMs = this.#now();
    for (const c of list) {
      if (c.name && !c.name(name)) continue;
      if (c.client && !c.client(client)) continue;
      if (c.params.length > 0) {
        p ??= params();
        if (!c.params.every(([k, m]) => p![k] !== undefined && m(p![k]))) continue;
      }
      const v = c.view;
      v.matched++;
      if (v.spent || nowMs < c.fromMs || nowMs >= c.untilMs || v.matched <= v.skip) continue;
      // Drawn only for rules that leave it to chance, so adding a certain rule does not shift another's draws.
      if (v.probability < 1 && this.#rng.next() >= v.probability) continue;
      v.fired++;
      if (v.times !== undefined && v.fired >= v.times) v.spent = true;
      this.#journal?.add(this.#deviceId, surface, 'rule', v.id, { request: name, action: v.action.kind, ...(v.note ? { note: v.note } : {}) }, `fired ${v.fired}${v.times !== undefined ? ` of ${v.times}` : ''}`, nowMs, Date.now(), client);
      return { id: v.id, action: v.action };
    }
    return null;
  }

  #index(): void {
    this.#bySurface.clear();
    const sorted = [...this.#rules].sort((a, b) => b.view.priority - a.view.priority || Number(a.view.id.slice(1)) - Number(b.view.id.slice(1)));
    for (const c of sorted) {
      const list = this.#bySurface.get(c.view.surface) ?? [];
      list.push(c);
      this.#bySurface.set(c.view.surface, list);
    }
  }
}

/** A JSON object's fields replaced (a patch action on a JSON answer); non-object answers are left as they are. */
export function patchJson(text: string, fields: Record<string, unknown>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return text;
  return JSON.stringify({ ...(parsed as Record<string, unknown>), ...fields });
}

/** What a garbage action sends where the protocol's bytes should be. */
export const GARBAGE_TEXT = '\u0000\u00ff<html><body>routerlab garbage</body></html>';
