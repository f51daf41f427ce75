// Argument parsing shared by the commands: strict flags, numbers with their range in the message.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BenchError } from '../hil/errors.js';

/** Exit codes (README "CLI"): 130 = stopped by SIGINT/SIGTERM after writing what it had (128 + SIGINT). */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string | void>;
}

export function parseCli<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (e) {
    throw new BenchError('INVALID_ARGUMENT', `${e instanceof Error ? e.message : String(e)}; run 'routerlab help'`, { cause: e });
  }
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
