// Load profiles: YAML files (scenarios/load/*.yaml) or defineLoadProfile() in TypeScript, in k6's shape
// (load-and-fleet.md §1.3-1.4): named scenarios with an executor, stages, thresholds on metrics, tags.
import { z } from 'zod';

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h');

/** The request flows that mirror real clients (scenarios/load/flows.ts). */
export const flowNames = ['web-status-poll', 'app-login', 'sms-list', 'sms-send', 'settings-write', 'station-refresh', 'mixed-app', 'ubus-status-poll', 'ubus-login', 'http-get'] as const;

const common = {
  flow: z.enum(flowNames),
  /** For flow http-get: the path (and query) one GET per iteration asks for, without logging in. */
  path: z.string().regex(/^\//, 'a path starting with /').optional(),
  /** Delay before this scenario starts, from the start of the run. */
  startTime: duration.optional(),
  /** How long iterations running at the end may take to finish (default 30s, as in k6). */
  gracefulStop: duration.optional(),
  /** Tags added to every sample of this scenario (and `scenario: <name>`, `flow: <flow>`). */
  tags: z.record(z.string(), z.string()).optional(),
};

const stage = z.object({ duration, target: z.number().int().min(0).max(100_000) }).strict();

export const executorSchema = z.discriminatedUnion('executor', [
  z.object({ executor: z.literal('constant-vus'), vus: z.number().int().min(1).max(10_000), duration, ...common }).strict(),
  z.object({ executor: z.literal('ramping-vus'), startVUs: z.number().int().min(0).max(10_000).default(1), stages: z.array(stage).min(1), gracefulRampDown: duration.optional(), ...common }).strict(),
  z.object({
    executor: z.literal('constant-arrival-rate'),
    rate: z.number().int().min(1),
    timeUnit: duration.default('1s'),
    duration,
    preAllocatedVUs: z.number().int().min(1).max(10_000),
    maxVUs: z.number().int().min(1).max(10_000).optional(),
    ...common,
  }).strict(),
  z.object({
    executor: z.literal('ramping-arrival-rate'),
    startRate: z.number().int().min(0).default(0),
    timeUnit: duration.default('1s'),
    stages: z.array(stage).min(1),
    preAllocatedVUs: z.number().int().min(1).max(10_000),
    maxVUs: z.number().int().min(1).max(10_000).optional(),
    ...common,
  }).strict(),
  z.object({ executor: z.literal('shared-iterations'), vus: z.number().int().min(1).max(10_000), iterations: z.number().int().min(1), maxDuration: duration.default('10m'), ...common }).strict(),
  z.object({ executor: z.literal('per-vu-iterations'), vus: z.number().int().min(1).max(10_000), iterations: z.number().int().min(1), maxDuration: duration.default('10m'), ...common }).strict(),
]);

/** A threshold: `p(95)<50`, or the long form with abortOnFail. */
const threshold = z.union([
  z.string(),
  z.object({ threshold: z.string(), abortOnFail: z.boolean().optional(), delayAbortEval: duration.optional() }).strict(),
]);

export const loadProfileSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Tags on every sample of the run. */
  tags: z.record(z.string(), z.string()).default({}),
  /** Login password of the target's routers (default admin on the emulator). */
  password: z.string().optional(),
  /** Per-request timeout (default 10s). */
  timeout: duration.optional(),
  scenarios: z
    .record(z.string().regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, - and _'), executorSchema.refine((s) => (s.flow === 'http-get') === (s.path !== undefined), { message: 'flow http-get needs a path, and only it takes one', path: ['path'] }))
    .refine((s) => Object.keys(s).length > 0, 'at least one scenario'),
  /** `metric` or `metric{tag:value}` -> thresholds. */
  thresholds: z.record(z.string(), z.array(threshold).min(1)).default({}),
}).strict();

export type LoadProfile = z.infer<typeof loadProfileSchema>;
export type LoadProfileInput = z.input<typeof loadProfileSchema>;
export type ExecutorConfig = z.infer<typeof executorSchema>;

/** A load profile in TypeScript, validated like a YAML file. */
export function defineLoadProfile(input: LoadProfileInput): LoadProfile {
  return loadProfileSchema.parse(input);
}

// Durations parse like a scenario's (one parser for the scenarios layer).
export { durationMs } from '../engine/schema.js';
