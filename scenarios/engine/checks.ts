import { goformCatalog, stimulusCatalog } from '../../hil/index.js';
import type { Scenario, Step } from './schema.js';

// Checks a scenario file at load time, beyond its shape: every step kind, stimulus name and stimulus parameter
// (against the control API's own schemas, one table) and every ${variable}. A mistake is an error naming the
// field and what is allowed, before anything runs, instead of a step that is skipped or compared as literal text.

export interface Issue {
  path: (string | number)[];
  message: string;
}

export const STEP_KINDS = ['stimulus', 'rule', 'wait', 'expect', 'checkpoint', 'goform', 'ubus', 'usp', 'at', 'cloud', 'repeat', 'parallel', 'probe', 'run'] as const;
const EXPECT_KINDS = ['goform', 'ubus', 'usp', 'uspNotify', 'at', 'state', 'mqtt', 'journal'] as const;
/** The keys beside an expectation's kind: what it reads more precisely and how the value is matched. */
const MATCHER_KEYS = new Set(['equals', 'notEquals', 'matches', 'range', 'oneOf', 'within', 'params', 'field', 'line', 'count', 'perSecond']);

/** Before the schema: a step or expectation with no known kind (a misspelt key) is named as such. */
export function checkStepKinds(raw: unknown): Issue | null {
  const steps = (raw as { steps?: unknown } | null)?.steps;
  return Array.isArray(steps) ? walkRaw(steps, ['steps']) : null;
}

function walkRaw(steps: unknown[], path: (string | number)[]): Issue | null {
  for (const [i, step] of steps.entries()) {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) continue;
    const keys = Object.keys(step).filter((k) => k !== 'name');
    const kinds = keys.filter((k) => (STEP_KINDS as readonly string[]).includes(k));
    if (kinds.length === 0) {
      const unknown = keys[0] ?? '(nothing)';
      return { path: [...path, i], message: `unknown step "${unknown}"${suggest(unknown, STEP_KINDS)}; a step is one of ${STEP_KINDS.join(', ')}` };
    }
    const s = step as Record<string, unknown>;
    if (kinds[0] === 'expect' && s.expect !== null && typeof s.expect === 'object') {
      const eKeys = Object.keys(s.expect).filter((k) => !MATCHER_KEYS.has(k));
      if (!eKeys.some((k) => (EXPECT_KINDS as readonly string[]).includes(k))) {
        return { path: [...path, i, 'expect'], message: `an expectation reads one of ${EXPECT_KINDS.join(', ')}; got ${eKeys.map((k) => `"${k}"`).join(', ') || 'nothing'}${suggest(eKeys[0] ?? '', EXPECT_KINDS)}` };
      }
    }
    const repeat = (s.repeat as { steps?: unknown } | undefined)?.steps;
    if (Array.isArray(repeat)) {
      const issue = walkRaw(repeat, [...path, i, 'repeat', 'steps']);
      if (issue) return issue;
    }
    if (Array.isArray(s.parallel)) {
      for (const [b, branch] of s.parallel.entries()) {
        if (!Array.isArray(branch)) continue;
        const issue = walkRaw(branch, [...path, i, 'parallel', b]);
        if (issue) return issue;
      }
    }
  }
  return null;
}

/** After the schema: stimulus names and parameters, and ${variable} references. */
export function checkScenario(scenario: Scenario): Issue | null {
  const catalog = new Map(stimulusCatalog().map((s) => [s.name, s]));
  const vars = scenario.variables;
  const undefinedVar = (value: unknown, path: (string | number)[]): Issue | null => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\$\{(\w*)\}/g)) {
        // An MQTT topic filter has ${device} and ${prefix} of its own (the device's cloud topics).
        if (path.at(-1) === 'mqtt' && (m[1] === 'device' || m[1] === 'prefix')) continue;
        if (!(m[1]! in vars)) {
          const defined = Object.keys(vars);
          return { path, message: `\${${m[1]}} is not defined; ${defined.length ? `variables: ${defined.join(', ')}` : 'the scenario has no variables'}` };
        }
      }
      return null;
    }
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const issue = undefinedVar(v, [...path, Array.isArray(value) ? Number(k) : k]);
        if (issue) return issue;
      }
    }
    return null;
  };
  const sub = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/\$\{(\w+)\}/g, (_m, k: string) => vars[k] ?? '')) as unknown;
  const walk = (steps: Step[], path: (string | number)[]): Issue | null => {
    for (const [i, step] of steps.entries()) {
      const at = [...path, i];
      const v = undefinedVar(step, at);
      if (v) return v;
      if ('stimulus' in step) {
        const info = catalog.get(step.stimulus);
        if (!info) return { path: [...at, 'stimulus'], message: `unknown stimulus "${step.stimulus}"${suggest(step.stimulus, [...catalog.keys()])}; stimuli: ${[...catalog.keys()].join(', ')}` };
        const parsed = info.params.safeParse(sub(step.with ?? {}));
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          return { path: [...at, 'with', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: `${issue.message} (stimulus ${step.stimulus}: ${info.summary})` };
        }
      }
      // A goform key or goformId one or two letters off a known one is a typo (a key no profile knows may still be a
      // real router's, so only near misses are refused here; the failure line names the rest).
      const goform = goformCatalog();
      if ('expect' in step && 'goform' in step.expect && step.expect.field === undefined && !step.expect.goform.includes('${') && !goform.keys.has(step.expect.goform)) {
        const hint = suggest(step.expect.goform, [...goform.keys.keys()]);
        if (hint) return { path: [...at, 'expect', 'goform'], message: `no routerlab profile answers goform key "${step.expect.goform}"${hint}` };
      }
      if ('goform' in step && !step.goform.includes('${') && !goform.goformIds.includes(step.goform)) {
        const hint = suggest(step.goform, goform.goformIds);
        if (hint) return { path: [...at, 'goform'], message: `unknown goformId "${step.goform}"${hint}` };
      }
      if ('repeat' in step) {
        const issue = walk(step.repeat.steps, [...at, 'repeat', 'steps']);
        if (issue) return issue;
      }
      if ('parallel' in step) {
        for (const [b, branch] of step.parallel.entries()) {
          const issue = walk(branch, [...at, 'parallel', b]);
          if (issue) return issue;
        }
      }
    }
    return null;
  };
  return walk(scenario.steps, ['steps']);
}

/** ` (did you mean "x"?)` for a name within two edits of a known one. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance || (k.startsWith(name) && name.length >= 3)) {
      best = k;
      bestDistance = Math.min(d, bestDistance);
    }
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
