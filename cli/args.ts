// Argument parsing shared by the commands: strict flags, numbers with their range in the message.
import { Command, CommanderError, Option } from 'commander';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { parseArgs, ParseArgsConfig } from 'node:util';
import { BenchError } from '../hil/errors.js';

/** Exit codes (README "CLI"): 130 = stopped by SIGINT/SIGTERM after writing what it had (128 + SIGINT). */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string | void>;
}

/** What `routerlab CMD --help` shows beyond the options: one line on what the command does, and examples. */
export interface CommandHelp {
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `PATH...`. */
  arguments?: string;
  examples: string[];
  /** More help text after the options (option groups described elsewhere, exit codes). */
  more?: string;
  /** Each flag's value name and meaning. */
  flags?: Record<string, { value?: string; text: string }>;
}

/** `--help` was given: the text to print (the command then exits 0 without doing anything). */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags with commander (chosen over yargs and citty: no dependencies of its own, strict unknown-
 * option errors, per-command help with added text, and an exitOverride hook so errors become our one-line messages
 * instead of ending the process). The option table stays the parseArgs-style data each command declares; values
 * come back keyed by flag name, as parseArgs gives them. A usage error is a one-line INVALID_ARGUMENT (exit 2);
 * `--help` throws HelpRequested with the command's help and examples.
 */
export function parseCli<O extends OptionSpec>(args: string[], options: O, allowPositionals = false, name = '', help?: CommandHelp): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>> {
  let text = '';
  const cmd = new Command(`routerlab ${name}`.trim())
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (text += s), writeErr: () => undefined, outputError: () => undefined })
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false);
  if (help) {
    cmd.description(help.summary);
    const more = [help.more ?? '', help.examples.length ? `Examples:\n${help.examples.map((e) => `  ${e}`).join('\n')}` : ''].filter(Boolean).join('\n\n');
    if (more) cmd.addHelpText('after', `\n${more}`);
  }
  const keys = new Map<string, string>();
  for (const [key, o] of Object.entries(options)) {
    if (key === 'help') continue;
    const described = help?.flags?.[key];
    const flag = o.type === 'boolean' ? `--${key}` : `--${key} <${(described?.value ?? 'value').toLowerCase()}>`;
    const opt = new Option(o.short ? `-${o.short}, ${flag}` : flag, described?.text);
    if (o.multiple) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(opt);
    keys.set(opt.attributeName(), key);
  }
  if (allowPositionals) cmd.argument(`[${(help?.arguments ?? 'args').replace(/\.\.\.$/, '')}...]`);
  try {
    cmd.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help') throw new HelpRequested(text.trimEnd());
      const what = e.message.replace(/^error: /, '').replace(/\.$/, '');
      throw new BenchError('INVALID_ARGUMENT', `${name ? `${name}: ` : ''}${what}; run 'routerlab ${name ? `${name} ` : ''}--help'`, { cause: e });
    }
    throw e;
  }
  const values: Record<string, unknown> = {};
  for (const [attr, value] of Object.entries(cmd.opts())) {
    const key = keys.get(attr) ?? attr;
    // commander reads --no-X as X = false (true unless given); the table's `no-X` flag is true when given.
    if (key.startsWith('no-')) {
      if (value === false) values[key] = true;
    } else if (value !== undefined) {
      values[key] = value;
    }
  }
  return { values, positionals: cmd.args, tokens: undefined } as never;
}

export function intOption(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new BenchError('INVALID_ARGUMENT', `${flag} ${text} is not a whole number in ${min}..${max}`);
  }
  return Number(text);
}

export function numberOption(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new BenchError('INVALID_ARGUMENT', `${flag} ${text} is not a positive number`);
  }
  return n;
}

/** A duration flag: milliseconds, or text such as 500ms, 30s, 5m, 2h. */
export function durationOption(flag: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new BenchError('INVALID_ARGUMENT', `${flag} ${text} is not a duration such as 500ms, 30s, 5m or 2h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/** `--usp-controller ID` and `--usp-controller-topic T` as the Controller an agent knows; both or neither. */
export function uspController(endpointId: string | undefined, topic: string | undefined): { endpointId: string; topic: string } | undefined {
  if (endpointId === undefined && topic === undefined) return undefined;
  if (endpointId === undefined || topic === undefined) throw new BenchError('CONFIG_INVALID', '--usp-controller and --usp-controller-topic go together (the Controller\'s Endpoint ID and the topic it listens on)');
  if (/[+#]/.test(topic)) throw new BenchError('CONFIG_INVALID', `--usp-controller-topic may not hold MQTT wildcards: ${topic}`);
  return { endpointId, topic };
}

/**
 * Before any work: the files of a `kind:FILE,...` output spec (--report, --summary) can be written. Missing folders
 * are made; a path that cannot be written is a usage error now, not after the whole run.
 */
export function prepareOutputs(flag: string, spec: string): void {
  for (const part of spec.split(',').filter(Boolean)) {
    const file = part.slice(part.indexOf(':') + 1);
    try {
      mkdirSync(dirname(resolve(file)), { recursive: true });
      accessSync(dirname(resolve(file)), constants.W_OK);
      if (existsSync(file)) {
        if (statSync(file).isDirectory()) throw new Error('it is a folder');
        accessSync(file, constants.W_OK);
      }
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `${flag} ${file}: cannot write there (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}
