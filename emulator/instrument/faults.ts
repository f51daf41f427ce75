import { z } from 'zod';
import { Rules, type RuleSpec } from './rules.js';

// Faults injected on the device surfaces through the control API. Probabilities draw from a seeded PRNG so a
// run with the same seed and requests fails the same requests.

export const latencySchema = z.union([
  z.object({ kind: z.literal('fixed'), ms: z.number().int().min(0).max(60_000) }),
  z.object({ kind: z.literal('uniform'), minMs: z.number().int().min(0).max(60_000), maxMs: z.number().int().min(0).max(60_000) }),
  z.object({ kind: z.literal('normal'), meanMs: z.number().min(0).max(60_000), stddevMs: z.number().min(0).max(60_000) }),
]);

export const goformFaultsSchema = z.object({
  /** Added before every answer. */
  latency: latencySchema.nullable(),
  /** Probability 0..1 that a request gets an error answer instead. */
  errorRate: z.number().min(0).max(1),
  /** 'failure': {"result":"failure"}; 'empty': every key ""; 'http500': status 500 with an empty body. */
  errorKind: z.enum(['failure', 'empty', 'http500']),
  /** Probability 0..1 that the connection is dropped without an answer. */
  dropRate: z.number().min(0).max(1),
  /** Answer bodies trickle out at this many bytes per second (null = at once). */
  slowBodyBytesPerSecond: z.number().int().min(1).max(10_000_000).nullable(),
});

export const atFaultsSchema = z.object({
  /** The modem swallows answers to command lines (clients time out). */
  noAnswer: z.boolean(),
  /** A garbage line is written before each answer. */
  garbage: z.boolean(),
  /** The final result code comes this many wall-clock ms late. */
  delayFinalMs: z.number().int().min(0).max(120_000),
});

export type GoformFaults = z.infer<typeof goformFaultsSchema>;
export type AtFaults = z.infer<typeof atFaultsSchema>;
export type Latency = z.infer<typeof latencySchema>;

export const NO_GOFORM_FAULTS: GoformFaults = { latency: null, errorRate: 0, errorKind: 'failure', dropRate: 0, slowBodyBytesPerSecond: null };
export const NO_AT_FAULTS: AtFaults = { noAnswer: false, garbage: false, delayFinalMs: 0 };

/**
 * The faults of the control API's shorthand routes (PUT /faults/goform, /faults/at): settings that apply to every
 * request of a surface, carried out as rules (rules.ts) with the lowest priority, so a targeted rule acts first and
 * latencies add up. Setting `goform` or `at` replaces the rules made from the previous settings; the HTTP faults
 * apply to goform and ubus alike (one HTTP port per router).
 */
export class Faults {
  /** Targeted faults and answer overrides on every surface (rules.ts); the shorthand settings live here too. */
  readonly rules: Rules;
  #goform: GoformFaults = { ...NO_GOFORM_FAULTS };
  #at: AtFaults = { ...NO_AT_FAULTS };
  #shorthand = { goform: [] as string[], at: [] as string[] };

  constructor(seed: number) {
    this.rules = new Rules(seed);
  }

  get goform(): GoformFaults {
    return this.#goform;
  }

  set goform(value: GoformFaults) {
    this.#goform = { ...value };
    this.#replace('goform', goformRules(this.#goform));
  }

  get at(): AtFaults {
    return this.#at;
  }

  set at(value: AtFaults) {
    this.#at = { ...value };
    this.#replace('at', atRules(this.#at));
  }

  /** Whether a rule is one the shorthand settings made (removed by changing the settings, not on its own). */
  isShorthand(id: string): boolean {
    return this.#shorthand.goform.includes(id) || this.#shorthand.at.includes(id);
  }

  /** Every rule and every shorthand setting gone (the settings are rules: one never outlives the other). */
  reset(): void {
    this.#goform = { ...NO_GOFORM_FAULTS };
    this.#at = { ...NO_AT_FAULTS };
    this.#shorthand = { goform: [], at: [] };
    this.rules.reset();
  }

  #replace(kind: 'goform' | 'at', specs: RuleSpec[]): void {
    for (const id of this.#shorthand[kind]) this.rules.remove(id);
    this.#shorthand[kind] = specs.map((spec) => this.rules.add({ ...spec, priority: SHORTHAND_PRIORITY, note: `faults/${kind}` }).id);
  }
}

/** Below any rule a user gives: targeted rules act first. */
const SHORTHAND_PRIORITY = -1_000_000;

function goformRules(g: GoformFaults): RuleSpec[] {
  const out: RuleSpec[] = [];
  for (const surface of ['goform', 'ubus'] as const) {
    // The order the faults always had: a dropped connection, then the delay, then an error answer, else a slow body.
    if (g.dropRate > 0) out.push({ surface, action: { kind: 'drop' }, probability: g.dropRate });
    const l = g.latency;
    if (l) out.push({ surface, action: l.kind === 'fixed' ? { kind: 'latency', ms: l.ms } : l.kind === 'uniform' ? { kind: 'latency', ms: l.minMs, maxMs: l.maxMs } : { kind: 'latency', ms: l.meanMs, stddevMs: l.stddevMs } });
    if (g.errorRate > 0) {
      const action: RuleSpec['action'] =
        g.errorKind === 'http500'
          ? { kind: 'error', code: 500 }
          : surface === 'goform'
            ? { kind: 'error', shape: g.errorKind }
            : // ubus in its own terms: every call [9] (UNKNOWN_ERROR) for a failure, a bare [0] for an empty answer.
              g.errorKind === 'failure'
              ? { kind: 'error', code: 9 }
              : { kind: 'answer', body: [0] };
      out.push({ surface, action, probability: g.errorRate });
    }
    if (g.slowBodyBytesPerSecond !== null) out.push({ surface, action: { kind: 'slow-body', bytesPerSecond: g.slowBodyBytesPerSecond } });
  }
  return out;
}

function atRules(a: AtFaults): RuleSpec[] {
  const out: RuleSpec[] = [];
  if (a.noAnswer) out.push({ surface: 'at', action: { kind: 'hang' } });
  if (a.garbage) out.push({ surface: 'at', action: { kind: 'garbage' } });
  if (a.delayFinalMs > 0) out.push({ surface: 'at', action: { kind: 'latency', ms: a.delayFinalMs } });
  return out;
}
