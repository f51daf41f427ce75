import { isRefused } from '../state/outcome.js';
import type { DmContext, ParamDef, TableDef, Value, XsdType } from './param-def.js';
import { PARAMS, TABLES } from './tr181.js';

// The one data model over the device (ARCHITECTURE.md "datamodel/"): names, partial paths, values, atomic writes,
// instances. CWMP (TR-069 §A.3.2) and USP use it; neither owns a path. Faults are TR-069's codes (device-management.md
// §1.6); USP maps them to its own.

/** A fault of a data-model operation: TR-069's CPE code and a message; `params` per bad parameter of a write. */
export interface DmFault {
  fault: number;
  message: string;
  params?: { name: string; fault: number; message: string }[];
}

export interface ParamValue {
  name: string;
  type: XsdType;
  value: string;
}

export interface NameInfo {
  name: string;
  writable: boolean;
}

interface Compiled {
  def: ParamDef;
  /** Segments of the path; `{i}` where an instance number goes. */
  segments: string[];
}

const MAX_PATH = 256;

export class DataModel {
  readonly #byPattern = new Map<string, Compiled>();
  readonly #tables = new Map<string, TableDef>();
  readonly #params: Compiled[];
  readonly #forced: Compiled[];

  /** The root object's name (`Device.` for TR-181, `InternetGatewayDevice.` for TR-098). */
  readonly root: string;

  constructor(params: readonly ParamDef[] = PARAMS, tables: readonly TableDef[] = TABLES, root = 'Device.') {
    this.root = root;
    this.#params = params.map((def) => ({ def, segments: def.path.split('.') }));
    this.#forced = this.#params.filter((p) => p.def.forced);
    for (const p of this.#params) this.#byPattern.set(p.def.path, p);
    for (const t of tables) this.#tables.set(t.path, t);
  }

  /** Every concrete parameter now, in model order (instances expanded). */
  names(c: DmContext): { name: string; def: ParamDef; idx: number[] }[] {
    const out: { name: string; def: ParamDef; idx: number[] }[] = [];
    for (const p of this.#params) this.#expand(c, p, 0, '', [], out);
    return out;
  }

  /** The forced-inform parameters now (§1.4), instances expanded. */
  forced(c: DmContext): { name: string; def: ParamDef; idx: number[] }[] {
    const out: { name: string; def: ParamDef; idx: number[] }[] = [];
    for (const p of this.#forced) this.#expand(c, p, 0, '', [], out);
    return out;
  }

  /** The concrete parameter `name`, or null when it does not exist now. */
  param(c: DmContext, name: string): { def: ParamDef; idx: number[] } | null {
    if (name.length > MAX_PATH || name.endsWith('.')) return null;
    const idx: number[] = [];
    const pattern = name.replace(/\.(\d+)(?=\.)/g, (_m, n: string) => {
      idx.push(Number(n));
      return '.{i}';
    });
    const compiled = this.#byPattern.get(pattern);
    if (!compiled || !this.#instancesExist(c, compiled.segments, idx)) return null;
    return { def: compiled.def, idx };
  }

  /** Formats a parameter's current value (hidden ones read ""). */
  read(c: DmContext, def: ParamDef, idx: readonly number[]): string {
    if (def.hidden) return '';
    return format(def.type, def.get(c, idx));
  }

  /**
   * GetParameterValues: full names, or partial paths ending in `.` expanding to every parameter below. An unknown name
   * faults the whole call with 9005 (§1.6).
   */
  getValues(c: DmContext, names: readonly string[]): ParamValue[] | DmFault {
    const all = names.some((n) => n === '' || n.endsWith('.')) ? this.names(c) : null;
    const out: ParamValue[] = [];
    for (const n of names) {
      if (n === '' || n.endsWith('.')) {
        const prefix = n === '' ? '' : n;
        if (prefix !== '' && !this.objectExists(c, prefix)) return { fault: 9005, message: `Invalid parameter name: ${n}` };
        for (const p of all!) if (p.name.startsWith(prefix)) out.push({ name: p.name, type: p.def.type, value: this.read(c, p.def, p.idx) });
        continue;
      }
      const p = this.param(c, n);
      if (!p) return { fault: 9005, message: `Invalid parameter name: ${n}` };
      out.push({ name: n, type: p.def.type, value: this.read(c, p.def, p.idx) });
    }
    return out;
  }

  /** GetParameterNames by the table of §1.6 (TR-069 A.3.2.3). */
  getNames(c: DmContext, path: string, nextLevel: boolean): NameInfo[] | DmFault {
    if (path.length > MAX_PATH) return { fault: 9005, message: 'ParameterPath too long' };
    if (path !== '' && !path.endsWith('.')) {
      const p = this.param(c, path);
      if (!p) return { fault: 9005, message: `Invalid parameter name: ${path}` };
      if (nextLevel) return { fault: 9003, message: 'NextLevel true on a parameter name' };
      return [{ name: path, writable: p.def.writable === true }];
    }
    if (path === '' && nextLevel) return [{ name: this.root, writable: false }];
    if (path !== '' && !this.objectExists(c, path)) return { fault: 9005, message: `Invalid parameter name: ${path}` };
    const params = this.names(c).filter((p) => p.name.startsWith(path));
    const objects = new Map<string, boolean>();
    for (const p of params) {
      const segs = p.name.split('.');
      for (let k = 1; k < segs.length; k++) {
        const obj = `${segs.slice(0, k).join('.')}.`;
        if (obj.length < path.length || objects.has(obj)) continue;
        objects.set(obj, this.#objectWritable(obj));
      }
    }
    // Tables with no instance right now still exist (AddObject target).
    for (const t of this.#tables.keys()) {
      const table = t.slice(0, -'{i}.'.length);
      if (!table.includes('{i}') && table.startsWith(path) && !objects.has(table)) objects.set(table, this.#objectWritable(table));
    }
    const entries: NameInfo[] = [];
    const depth = path === '' ? 0 : path.split('.').length - 1;
    for (const [name, writable] of objects) {
      const d = name.split('.').length - 1;
      if (nextLevel ? d === depth + 1 : d >= depth) entries.push({ name, writable });
    }
    for (const p of params) {
      const d = p.name.split('.').length;
      if (!nextLevel || d === depth + 1) entries.push({ name: p.name, writable: p.def.writable === true });
    }
    return entries.sort((a, b) => order(a.name, b.name));
  }

  /** True when `path` (ending in `.`) names an object, table or instance that exists now. */
  objectExists(c: DmContext, path: string): boolean {
    if (path === this.root) return true;
    if (!path.endsWith('.') || path.length > MAX_PATH) return false;
    const idx: number[] = [];
    const pattern = path.replace(/\.(\d+)(?=\.)/g, (_m, n: string) => {
      idx.push(Number(n));
      return '.{i}';
    });
    const segments = pattern.split('.').slice(0, -1);
    const hit = this.#params.some((p) => p.segments.length > segments.length && segments.every((s, k) => p.segments[k] === s)) || this.#tables.has(`${pattern}{i}.`);
    return hit && this.#instancesExist(c, segments, idx);
  }

  /**
   * SetParameterValues, all or none (§1.6): every name, writability, type and value is checked first (9003 with one
   * entry per bad parameter: 9005, 9006, 9007, 9008); then each is applied as its DeviceApi operation. A device that
   * refuses one (a 5G mode on an LTE router) puts the state back as it was and faults 9003 naming it with 9007.
   */
  setValues(c: DmContext, values: readonly { name: string; value: string; type?: string | undefined }[]): DmFault | null {
    const bad: NonNullable<DmFault['params']> = [];
    const plan: { def: ParamDef; idx: number[]; value: Value; name: string }[] = [];
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v.name)) {
        bad.push({ name: v.name, fault: 9003, message: 'the parameter is named twice' });
        continue;
      }
      seen.add(v.name);
      const p = this.param(c, v.name);
      if (!p) {
        bad.push({ name: v.name, fault: 9005, message: 'Invalid parameter name' });
        continue;
      }
      if (!p.def.writable || !p.def.set) {
        bad.push({ name: v.name, fault: 9008, message: 'Attempt to set a non-writable parameter' });
        continue;
      }
      if (v.type !== undefined && v.type !== '' && v.type.replace(/^xsd:/, '') !== p.def.type && !(v.type.replace(/^xsd:/, '') === 'string' && p.def.type === 'dateTime')) {
        bad.push({ name: v.name, fault: 9006, message: `Invalid parameter type: ${v.type}, expected xsd:${p.def.type}` });
        continue;
      }
      const parsed = parse(p.def, v.value);
      if (typeof parsed === 'object') {
        bad.push({ name: v.name, fault: 9007, message: parsed.message });
        continue;
      }
      plan.push({ def: p.def, idx: p.idx, value: parsed, name: v.name });
    }
    if (bad.length > 0) return { fault: 9003, message: 'Invalid arguments', params: bad };
    const before = c.device.snapshot();
    for (const step of plan) {
      const outcome = step.def.set!(c, step.value, step.idx);
      if (isRefused(outcome)) {
        c.device.replaceState(before);
        return { fault: 9003, message: 'Invalid arguments', params: [{ name: step.name, fault: 9007, message: outcome.message }] };
      }
    }
    return null;
  }

  /** AddObject on a table path (`….AccessPoint.`): the new instance number, or 9005 (not a writable table). */
  addObject(c: DmContext, path: string): { instance: number } | DmFault {
    const { table, idx } = this.#table(path);
    if (!table?.add || !this.#instancesExist(c, path.split('.').slice(0, -1).map((s) => (/^\d+$/.test(s) ? '{i}' : s)), idx)) return { fault: 9005, message: `Invalid object name: ${path}` };
    const outcome = table.add(c, idx);
    if (isRefused(outcome)) return { fault: 9004, message: outcome.message };
    return { instance: outcome.instance };
  }

  /** DeleteObject on an instance (`….AccessPoint.3.`), or 9005. */
  deleteObject(c: DmContext, path: string): DmFault | null {
    const m = /^(.*\.)(\d+)\.$/.exec(path);
    if (!m) return { fault: 9005, message: `Invalid object name: ${path}` };
    const { table, idx } = this.#table(m[1]!);
    if (!table?.remove || !this.objectExists(c, path)) return { fault: 9005, message: `Invalid object name: ${path}` };
    const outcome = table.remove(c, [...idx, Number(m[2])]);
    return isRefused(outcome) ? { fault: 9001, message: outcome.message } : null;
  }

  // --- internal ---

  #table(path: string): { table: TableDef | undefined; idx: number[] } {
    const idx: number[] = [];
    const pattern = path.replace(/\.(\d+)(?=\.)/g, (_m, n: string) => {
      idx.push(Number(n));
      return '.{i}';
    });
    return { table: this.#tables.get(`${pattern}{i}.`), idx };
  }

  #objectWritable(obj: string): boolean {
    if (/\.\d+\.$/.test(obj)) return this.#table(obj.replace(/\d+\.$/, '')).table?.remove !== undefined;
    return this.#table(obj).table?.add !== undefined;
  }

  #instancesExist(c: DmContext, segments: readonly string[], idx: readonly number[]): boolean {
    let k = 0;
    for (let s = 0; s < segments.length; s++) {
      if (segments[s] !== '{i}') continue;
      const table = this.#tables.get(`${segments.slice(0, s + 1).join('.')}.`);
      if (!table || !table.instances(c, idx.slice(0, k)).includes(idx[k]!)) return false;
      k++;
    }
    return true;
  }

  #expand(c: DmContext, p: Compiled, from: number, prefix: string, idx: number[], out: { name: string; def: ParamDef; idx: number[] }[]): void {
    for (let s = from; s < p.segments.length; s++) {
      if (p.segments[s] !== '{i}') continue;
      const table = this.#tables.get(`${p.segments.slice(0, s + 1).join('.')}.`);
      if (!table) return;
      const head = p.segments.slice(from, s).join('.');
      for (const n of table.instances(c, idx)) this.#expand(c, p, s + 1, `${prefix}${head}.${n}.`, [...idx, n], out);
      return;
    }
    out.push({ name: prefix + p.segments.slice(from).join('.'), def: p.def, idx });
  }
}

/** Model order with instance numbers compared as numbers (…SSID.2. before …SSID.10.). */
function order(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function format(type: XsdType, v: Value): string {
  if (type === 'boolean') return v === true || v === 'true' || v === 1 ? 'true' : 'false';
  return String(v);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** A value sent by a manager, as the parameter's type; a message when it is not acceptable (9007). */
export function parse(def: ParamDef, text: string): Value | { message: string } {
  switch (def.type) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return { message: `"${text}" is not a boolean` };
    }
    case 'int':
    case 'long':
    case 'unsignedInt':
    case 'unsignedLong': {
      if (!/^-?\d{1,20}$/.test(text.trim())) return { message: `"${text}" is not an integer` };
      const n = Number(text.trim());
      if (def.type.startsWith('unsigned') && n < 0) return { message: `${n} is negative` };
      if (def.type === 'unsignedInt' && n > 0xffffffff) return { message: `${n} is above 4294967295` };
      if (def.min !== undefined && n < def.min) return { message: `${n} is below ${def.min}` };
      if (def.max !== undefined && n > def.max) return { message: `${n} is above ${def.max}` };
      return n;
    }
    case 'dateTime':
      return DATE_TIME.test(text.trim()) ? text.trim() : { message: `"${text}" is not a dateTime` };
    default:
      if (def.maxLength !== undefined && text.length > def.maxLength) return { message: `longer than ${def.maxLength} characters` };
      if (def.min !== undefined && text.length < def.min) return { message: `shorter than ${def.min} characters` };
      if (def.values && !def.values.includes(text)) return { message: `"${text}" is not one of ${def.values.join(', ')}` };
      return text;
  }
}
