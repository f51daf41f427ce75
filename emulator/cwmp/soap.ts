import { XMLParser } from 'fast-xml-parser';

// The CWMP SOAP envelope (device-management.md §1.3): ACS messages in, CPE messages out. Parsed by local name (ACSs
// use soap-env, SOAP-ENV, ns1…); no DTD and no entity beyond the five XML ones and character references is ever
// expanded (a DOCTYPE is refused outright), and bodies are bounded.

/** The namespace the CPE speaks: cwmp-1-0 (what GenieACS and genieacs-sim expect) unless a profile says 1-2 (§1.1). */
export const CWMP_NS = { '1.0': 'urn:dslforum-org:cwmp-1-0', '1.2': 'urn:dslforum-org:cwmp-1-2' } as const;
export type CwmpVersion = keyof typeof CWMP_NS;

/** Largest ACS message read, bytes. */
export const MAX_SOAP_BYTES = 512 * 1024;
/** Deepest element nesting accepted (a CWMP message is at most 7 deep). */
const MAX_DEPTH = 32;

/** One ACS message: its cwmp:ID, the RPC (local name) and its arguments, or a SOAP Fault the ACS sent. */
export interface AcsMessage {
  id: string | null;
  holdRequests: boolean;
  /** The RPC's local name (InformResponse, GetParameterValues, …); null for an empty body. */
  name: string | null;
  args: Record<string, unknown>;
  fault: { code: string; message: string } | null;
}

export class SoapError extends Error {
  constructor(message: string) {
    super(`[emulator:cwmp] ${message}`);
    this.name = 'SoapError';
  }
}

const ARRAYS = new Set(['ParameterValueStruct', 'string', 'SetParameterAttributesStruct', 'EventStruct', 'ParameterInfoStruct']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // No entity is expanded here: the five XML entities and character references are decoded below, by hand.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

/** Parses an ACS message. Throws SoapError for a DOCTYPE, an oversized or too deep body, or XML that is not SOAP. */
export function parseAcsMessage(text: string): AcsMessage {
  if (Buffer.byteLength(text) > MAX_SOAP_BYTES) throw new SoapError(`the message is larger than ${MAX_SOAP_BYTES} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SoapError('a DOCTYPE or entity declaration is refused (no entity is ever expanded)');
  if (nestingDepth(text) > MAX_DEPTH) throw new SoapError(`elements nest deeper than ${MAX_DEPTH}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new SoapError(`not XML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const env = doc.Envelope as Record<string, unknown> | undefined;
  if (!env || typeof env !== 'object') throw new SoapError('no SOAP Envelope');
  const header = (env.Header ?? {}) as Record<string, unknown>;
  const idNode = header.ID;
  const id = idNode === undefined ? null : decode(text_(idNode));
  const hold = header.HoldRequests;
  const body = env.Body;
  if (body === undefined || body === '' || body === null) return { id, holdRequests: text_(hold) === 'true' || text_(hold) === '1', name: null, args: {}, fault: null };
  if (typeof body !== 'object') throw new SoapError('the Body is not an element');
  const entries = Object.entries(body as Record<string, unknown>).filter(([k]) => !k.startsWith('@'));
  if (entries.length === 0) return { id, holdRequests: false, name: null, args: {}, fault: null };
  const [name, args] = entries[0]!;
  if (name === 'Fault') {
    const f = args as Record<string, unknown>;
    const detail = ((f.detail as Record<string, unknown> | undefined)?.Fault ?? {}) as Record<string, unknown>;
    return { id, holdRequests: false, name: 'Fault', args: {}, fault: { code: decode(text_(detail.FaultCode ?? f.faultcode)), message: decode(text_(detail.FaultString ?? f.faultstring)) } };
  }
  return { id, holdRequests: text_(hold) === 'true' || text_(hold) === '1', name, args: (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>, fault: null };
}

/** The text of an element that may carry attributes (`{"#text": "...", "@xsi:type": ...}`). */
export function text_(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return text_((node as Record<string, unknown>)['#text']);
  return typeof node === 'string' ? node : typeof node === 'number' || typeof node === 'boolean' ? String(node) : '';
}

/** The xsi:type of an element, without its prefix; "" when absent. */
export function typeOf(node: unknown): string {
  if (node === null || typeof node !== 'object') return '';
  const t = Object.entries(node as Record<string, unknown>).find(([k]) => k === '@type' || k.endsWith(':type'))?.[1];
  return typeof t === 'string' ? t.replace(/^[^:]*:/, '') : '';
}

/** Decodes the five XML entities and character references; anything else stays as written. */
export function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (m: string, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
    }
  });
}

export function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An array argument's items (`<ParameterNames soap-enc:arrayType="xsd:string[2]"><string>…`). */
export function items(node: unknown, child: string): unknown[] {
  if (node === null || typeof node !== 'object') return [];
  const v = (node as Record<string, unknown>)[child];
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** A CPE message: the envelope with cwmp:ID (mustUnderstand 1) around one body element. */
export function envelope(version: CwmpVersion, id: string, body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${CWMP_NS[version]}">` +
    `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${escape(id)}</cwmp:ID></soap-env:Header>` +
    `<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`
  );
}

/** `<Name>/<Value xsi:type>` structs with the true array length (§1.3). */
export function parameterValueList(tag: string, values: readonly { name: string; type: string; value: string }[]): string {
  return `<${tag} soap-enc:arrayType="cwmp:ParameterValueStruct[${values.length}]">${values.map((v) => `<ParameterValueStruct><Name>${escape(v.name)}</Name><Value xsi:type="xsd:${v.type}">${escape(v.value)}</Value></ParameterValueStruct>`).join('')}</${tag}>`;
}

/** A CPE SOAP Fault with detail/Fault (GenieACS requires it, §1.3); faultcode Client for 9003 and 9005-9008. */
export function faultBody(code: number, message: string, spv: readonly { name: string; fault: number; message: string }[] = []): string {
  const client = code === 9003 || (code >= 9005 && code <= 9008);
  const entries = spv.map((p) => `<SetParameterValuesFault><ParameterName>${escape(p.name)}</ParameterName><FaultCode>${p.fault}</FaultCode><FaultString>${escape(p.message)}</FaultString></SetParameterValuesFault>`).join('');
  return `<soap-env:Fault><faultcode>${client ? 'Client' : 'Server'}</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>${code}</FaultCode><FaultString>${escape(message)}</FaultString>${entries}</cwmp:Fault></detail></soap-env:Fault>`;
}

// --- internal ---

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const re = /<(\/?)[A-Za-z_][^>]*?(\/?)>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1]) depth--;
    else if (!m[2]) max = Math.max(max, ++depth);
  }
  return max;
}
