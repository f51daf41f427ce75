import { z } from 'zod';
import { SeededRandom } from '../state/identity.js';
import { Rules } from './rules.js';

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

export class Faults {
  goform: GoformFaults = { ...NO_GOFORM_FAULTS };
  at: AtFaults = { ...NO_AT_FAULTS };
  /** Targeted faults and answer overrides on every surface (rules.ts); the settings above apply to every request. */
  readonly rules: Rules;
  #rng: SeededRandom;

  constructor(seed: number) {
    this.#rng = new SeededRandom(seed ^ 0x2545f491);
    this.rules = new Rules(seed);
  }

  get goformActive(): boolean {
    const g = this.goform;
    return g.latency !== null || g.errorRate > 0 || g.dropRate > 0 || g.slowBodyBytesPerSecond !== null;
  }

  /** Uniform in [0, 1) from the fault stream (its own seeded sequence, apart from the device's). */
  random(): number {
    return this.#rng.next();
  }

  /** The latency to add now, ms. */
  latencyMs(): number {
    const l = this.goform.latency;
    if (!l) return 0;
    if (l.kind === 'fixed') return l.ms;
    if (l.kind === 'uniform') return l.minMs + (Math.max(l.maxMs, l.minMs) - l.minMs) * this.random();
    // Box-Muller from two draws; clipped at zero.
    const u = Math.max(this.random(), 1e-9);
    const v = this.random();
    return Math.max(0, l.meanMs + l.stddevMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }

  reset(): void {
    this.goform = { ...NO_GOFORM_FAULTS };
    this.at = { ...NO_AT_FAULTS };
    this.rules.reset();
  }
}
