import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { BenchError } from '../../hil/index.js';
import type { z } from 'zod';
import { checkScenario, checkStepKinds, type Issue } from './checks.js';
import { scenarioSchema, type Scenario } from './schema.js';

// Loads scenario files: YAML parsed with positions, so an error names the line, the field and what was expected.

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

export function loadScenarioFile(file: string): LoadedScenario {
  return { file, scenario: loadYamlFile(file, scenarioSchema, 'scenario', { before: checkStepKinds, after: checkScenario }) };
}

/** Checks beyond the schema: `before` sees the parsed YAML, `after` the validated value; an issue names a path. */
export interface FileChecks<T> {
  before?: (raw: unknown) => Issue | null;
  after?: (value: T) => Issue | null;
}

/** A YAML file validated by a zod schema; errors name file:line, the deepest field and what was expected. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, label: string, checks: FileChecks<z.infer<S>> = {}): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BenchError('CONFIG_INVALID', `[${label}] cannot read ${file}`, { cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw new BenchError('CONFIG_INVALID', `[${label}] ${file}:${pos?.line ?? '?'}: ${err.message.split('\n')[0]}`);
  }
  const fail = (path: PropertyKey[], message: string): never => {
    const node = doc.getIn(path as (string | number)[], true);
    let line = '?';
    if (isNode(node) && node.range) line = String(lines.linePos(node.range[0]).line);
    else {
      // A missing field: point at its parent.
      const parent = doc.getIn(path.slice(0, -1) as (string | number)[], true);
      if (isNode(parent) && parent.range) line = String(lines.linePos(parent.range[0]).line);
    }
    const field = path.map(String).join('.') || '(top)';
    throw new BenchError('CONFIG_INVALID', `[${label}] ${file}:${line}: ${field}: ${message}`, { details: { file, line, field } });
  };
  const raw: unknown = doc.toJS();
  const early = checks.before?.(raw);
  if (early) fail(early.path, early.message);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = deepestIssue(parsed.error.issues[0]!);
    fail(issue.path, issue.message);
  }
  const value = (parsed as { data: z.infer<S> }).data;
  const late = checks.after?.(value);
  if (late) fail(late.path, late.message);
  return value;
}

/** A scenario file that could not be loaded: reported as a failed case while the other files still run. */
export interface BrokenScenario {
  file: string;
  message: string;
}

/** Like loadScenarios, but a broken file is listed instead of stopping the load. */
export function loadScenarioSet(paths: string[]): { loaded: LoadedScenario[]; broken: BrokenScenario[] } {
  const loaded: LoadedScenario[] = [];
  const broken: BrokenScenario[] = [];
  for (const file of scenarioFiles(paths)) {
    try {
      loaded.push(loadScenarioFile(file));
    } catch (e) {
      if (!(e instanceof BenchError) || e.code !== 'CONFIG_INVALID') throw e;
      broken.push({ file, message: e.message });
    }
  }
  return { loaded, broken };
}

/** Files and folders (recursively, *.yaml / *.yml) to scenarios, in path order; the first broken file throws. */
export function loadScenarios(paths: string[]): LoadedScenario[] {
  return scenarioFiles(paths).map(loadScenarioFile);
}

function scenarioFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `[scenario] no such file or folder: ${p}`, { cause: e });
    }
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
    else if (/\.ya?ml$/.test(p)) files.push(p);
  };
  for (const p of paths) walk(p);
  return files;
}

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: IssueLike[][];
}

/**
 * For a step that matches no branch of the step union, the branch that got furthest names the real problem
 * (`steps.1.expect.range.min: expected number`), not the union (`steps.1: Invalid input`).
 */
function deepestIssue(issue: IssueLike): IssueLike {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: IssueLike | null = null;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue(inner);
      // Unrecognized keys mean the wrong branch; prefer issues that go deeper into the value.
      const score = candidate.path.length - (candidate.code === 'unrecognized_keys' ? 10 : 0);
      const bestScore = best ? best.path.length - (best.code === 'unrecognized_keys' ? 10 : 0) : -Infinity;
      if (score > bestScore) best = candidate;
    }
  }
  return best ? { ...best, path: [...issue.path, ...best.path] } : issue;
}
