import { SeededRandom } from '../state/identity.js';
import { ruleSpecSchema, type RuleAction, type RuleSpec, type RuleSurface, type RuleView, type TextMatch } from '../../hil/rule-spec.js';
import type { Journal } from './journal.js';
import { textMatcher } from './text-match.js';
import { durationMs } from '../control/durations.js';

export { RULE_SURFACES, ruleActionSchema, ruleSpecSchema, textMatchSchema, type RuleAction, type RuleSpec, type RuleSurface, type RuleView, type TextMatch } from '../../hil/rule-spec.js';
export { textMatcher } from './text-match.js';

// Rules: targeted faults and answer overrides, one mechanism for every surface (issue #27). A rule matches requests
// of one surface (by name, parameters and client), and acts on the ones it fires for: a fault in the surface's own
// language (latency, an error answer, a dropped connection, no answer at all, a slow body, garbage), an answer of
// its own, or the real answer with fields changed. It fires `times` times at most, after letting `skip` matching
// requests through, inside a window of virtual time, with a seeded probability; of the rules that match, the one
// with the highest priority acts (then the oldest). The shapes follow WireMock's request matching and mountebank's
// predicates/behaviours; the probability is Toxiproxy's toxicity. Every firing is journaled with the rule's id.

export interface RuleHit {
  id: string;
  action: RuleAction;
  /** Wall ms of latency rules that fired before the rule that answers (0 when none did, or when only they did). */
  delayMs: number;
}

interface Compiled {
  view: RuleView;
  name: ((name: string) => boolean) | null;
  params: [string, (v: string) => boolean][];
  client: ((c: string) => boolean) | null;
  fromMs: number;
  untilMs: number;
}

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
  if (surface === 'goform') {
    // One key of a read's cmd list (1-3 KB for a status poll, every second): found in place, nothing allocated.
    return (name) => {
      if (name === m) return true;
      for (let i = name.indexOf(m); i >= 0; i = name.indexOf(m, i + 1)) {
        const end = i + m.length;
        if ((i === 0 || name.charCodeAt(i - 1) === 44) && (end === name.length || name.charCodeAt(end) === 44)) return true;
      }
      return false;
    };
  }
  if (surface === 'usp') {
    // The spec's names and the journal's alike: Get and GET, GetSupportedDM and GET_SUPPORTED_DM.
    const want = m.toUpperCase().replace(/_/g, '');
    return (name) => name.toUpperCase().replace(/_/g, '') === want;
  }
  return (name) => name === m;
}

export const MAX_RULES = 200;

/** Actions a surface has no form for: a rule asking for one is refused when added, naming what the surface has. */
const NOT_ON: Record<RuleSurface, readonly RuleAction['kind'][]> = {
  goform: [],
  ubus: [],
  at: ['slow-body', 'patch'],
  cloud: ['slow-body'],
  cwmp: ['slow-body', 'patch'],
  usp: ['slow-body', 'patch', 'answer', 'garbage'],
};
const ALL_ACTIONS: readonly RuleAction['kind'][] = ['latency', 'error', 'drop', 'hang', 'slow-body', 'garbage', 'answer', 'patch'];

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
    if (NOT_ON[spec.surface].includes(spec.action.kind)) {
      throw new RangeError(`action.kind: a ${spec.surface} rule cannot ${spec.action.kind}; it can ${ALL_ACTIONS.filter((k) => !NOT_ON[spec.surface].includes(k)).join(', ')}`);
    }
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

  /** Rules installed (shorthand faults included). */
  get size(): number {
    return this.#rules.length;
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
    let delay = 0;
    let lastDelay: string | null = null;
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
      // Latency adds up and matching goes on: the delay comes before whatever answers (an error after 2 s).
      if (v.action.kind === 'latency') {
        delay += this.#latencyMs(v.action);
        lastDelay = v.id;
        continue;
      }
      return { id: v.id, action: v.action, delayMs: delay };
    }
    return lastDelay === null ? null : { id: lastDelay, action: { kind: 'latency', ms: delay }, delayMs: 0 };
  }

  /** A latency action's delay: fixed, uniform in [ms, maxMs], or normal around ms (Box-Muller, never below 0). */
  #latencyMs(a: Extract<RuleAction, { kind: 'latency' }>): number {
    if (a.maxMs !== undefined) return a.ms + (Math.max(a.maxMs, a.ms) - a.ms) * this.#rng.next();
    if (a.stddevMs !== undefined) {
      const u = Math.max(this.#rng.next(), 1e-9);
      const w = this.#rng.next();
      return Math.max(0, a.ms + a.stddevMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
    }
    return a.ms;
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
