import { BenchError } from '../errors.js';
import type { Target } from '../target.js';
import type { Recording } from './recording.js';

// The fidelity check: replay a recording's requests against a target (the emulator) and compare answers field by
// field. Differences say what a client would notice: a missing key, another format, another value.

export interface Difference {
  surface: 'goform' | 'at';
  /** The cmd list or AT command. */
  request: string;
  /** The goform key (dotted into aggregates) or `line N` / `final` for AT. */
  field: string;
  kind: 'missing' | 'extra' | 'format' | 'value';
  recorded: string;
  actual: string;
}

/** Keys whose values change between any two reads (tokens, counters that run with the clock). */
const VOLATILE = /^(RD|LD|realtime_.*|monthly_.*|date_month|.*_thrpt|sms_data_total\..*\.date)$/;

/** The shape of a value: what a parser depends on. */
export function shapeOf(value: string): string {
  if (value === '') return 'empty';
  if (/^-?\d+$/.test(value)) return 'integer';
  if (/^-?\d+\.\d+$/.test(value)) return 'decimal';
  if (/^[0-9a-f]+$/.test(value)) return 'hex-lower';
  if (/^[0-9A-F]+$/.test(value)) return 'hex-upper';
  return 'text';
}

export async function checkFidelity(recording: Recording, target: Target): Promise<Difference[]> {
  const out: Difference[] = [];
  if (recording.goform.length > 0) {
    const router = target.require('router');
    for (const ex of recording.goform) {
      const keys = ex.cmd.split(',');
      const actual = ex.multi ? await router.get(keys, false) : await router.getAggregate(keys[0]!, ex.extra);
      compare(flatten(ex.response), flatten(actual), ex.cmd, out);
    }
  }
  if (recording.at.length > 0) {
    const modem = target.require('modem');
    for (const ex of recording.at) {
      let lines: string[] = [];
      let final: string;
      try {
        ({ lines, final } = await modem.command(ex.command));
      } catch (e) {
        if (!(e instanceof BenchError) || (e.code !== 'AT_ERROR' && e.code !== 'AT_CME_ERROR')) throw e;
        final = typeof e.details?.final === 'string' ? e.details.final : 'ERROR';
      }
      const rec: Record<string, string> = { final: ex.final };
      const act: Record<string, string> = { final };
      ex.lines.forEach((l, i) => (rec[`line ${i + 1}`] = l));
      lines.forEach((l, i) => (act[`line ${i + 1}`] = l));
      compareAt(rec, act, ex.command, out);
    }
  }
  return out;
}

function compare(recorded: Record<string, string>, actual: Record<string, string>, request: string, out: Difference[]): void {
  for (const [field, value] of Object.entries(recorded)) {
    const got = actual[field];
    if (got === undefined || (got === '' && value !== '')) {
      out.push({ surface: 'goform', request, field, kind: 'missing', recorded: value, actual: got ?? '(absent)' });
    } else if (shapeOf(got) !== shapeOf(value)) {
      out.push({ surface: 'goform', request, field, kind: 'format', recorded: `${value} (${shapeOf(value)})`, actual: `${got} (${shapeOf(got)})` });
    } else if (got !== value && !VOLATILE.test(field)) {
      out.push({ surface: 'goform', request, field, kind: 'value', recorded: value, actual: got });
    }
  }
  for (const field of Object.keys(actual)) {
    if (!(field in recorded)) out.push({ surface: 'goform', request, field, kind: 'extra', recorded: '(absent)', actual: actual[field]! });
  }
}

function compareAt(recorded: Record<string, string>, actual: Record<string, string>, request: string, out: Difference[]): void {
  for (const [field, value] of Object.entries(recorded)) {
    const got = actual[field];
    if (got === undefined) out.push({ surface: 'at', request, field, kind: 'missing', recorded: value, actual: '(absent)' });
    else if (got !== value) out.push({ surface: 'at', request, field, kind: 'value', recorded: value, actual: got });
  }
  for (const field of Object.keys(actual)) if (!(field in recorded)) out.push({ surface: 'at', request, field, kind: 'extra', recorded: '(absent)', actual: actual[field]! });
}

/** Flattens an answer to dotted string fields: {"station_list":[{"mac_addr":..}]} -> station_list.0.mac_addr. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  }
  return out;
}
