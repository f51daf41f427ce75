// The JSON-RPC envelope of uhttpd's ubus handler (ubus-api.md §2.6, §3): bytes in, typed calls out, and the
// answers back as compact JSON. Pure functions; the order of the checks is uhttpd's (§3.4).

/** The zero session rpcd creates at start (§4.1); it never expires and has only the `unauthenticated` ACL. */
export const ANONYMOUS_SID = '00000000000000000000000000000000';

/** uhttpd's UH_UBUS_MAX_POST_SIZE (§2.1): a longer body is a parse error. */
export const MAX_BODY_BYTES = 65_536;

/** JSON-RPC error codes uhttpd answers (§3.4). */
export const RPC_ERRORS = {
  parse: { code: -32700, message: 'Parse error' },
  method: { code: -32601, message: 'Method not found' },
  object: { code: -32000, message: 'Object not found' },
  access: { code: -32002, message: 'Access denied' },
  params: { code: -32602, message: 'Invalid parameters' },
  internal: { code: -32603, message: 'Internal error' },
  timeout: { code: -32003, message: 'ubus request timed out' },
} as const;
export type RpcError = (typeof RPC_ERRORS)[keyof typeof RPC_ERRORS];

/** ubus status codes (§3.3, openwrt/ubus ubusmsg.h). */
export const UBUS_STATUS = {
  OK: 0,
  INVALID_COMMAND: 1,
  INVALID_ARGUMENT: 2,
  METHOD_NOT_FOUND: 3,
  NOT_FOUND: 4,
  NO_DATA: 5,
  PERMISSION_DENIED: 6,
  TIMEOUT: 7,
  NOT_SUPPORTED: 8,
  UNKNOWN_ERROR: 9,
} as const;

/** One element of a request after the envelope checks: a `call`, a `list`, or an error to answer. */
export type RpcElement =
  | { kind: 'call'; id: unknown; sid: string; object: string; method: string; args: Record<string, unknown> }
  | { kind: 'list'; id: unknown; patterns: string[] }
  | { kind: 'error'; id: unknown; error: RpcError };

/** A parsed body: one object, a batch (answered as an array in the same order), or a body-level parse error. */
export type RpcBody = { batch: false; elements: [RpcElement] } | { batch: true; elements: RpcElement[] } | { batch: null; error: RpcError };

/**
 * Parses a POST body as uhttpd does: invalid JSON, a body over 64 KiB, or a JSON value that is neither an object
 * nor an array is one parse error for the whole body (answered as a single object with `id:null`).
 */
export function parseBody(text: string): RpcBody {
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { batch: null, error: RPC_ERRORS.parse };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Recorded into the answer: a body that is not JSON is the parse error of §3.4 order 0.
    void e;
    return { batch: null, error: RPC_ERRORS.parse };
  }
  if (Array.isArray(value)) return { batch: true, elements: value.map(parseElement) };
  if (isObject(value)) return { batch: false, elements: [parseElement(value)] };
  return { batch: null, error: RPC_ERRORS.parse };
}

/** One request element, checked in uhttpd's order (§3.1, §3.4 orders 1, 2 and 5). */
export function parseElement(value: unknown): RpcElement {
  if (!isObject(value)) return { kind: 'error', id: null, error: RPC_ERRORS.parse };
  // A missing id is echoed as null (uh_ubus_init_json_rpc_response).
  const id = 'id' in value ? value.id : null;
  if (value.jsonrpc !== '2.0' || typeof value.method !== 'string') return { kind: 'error', id, error: RPC_ERRORS.parse };
  const params = value.params;
  if (value.method === 'list') {
    const patterns = Array.isArray(params) ? params.filter((p): p is string => typeof p === 'string') : [];
    return { kind: 'list', id, patterns };
  }
  if (value.method !== 'call') return { kind: 'error', id, error: RPC_ERRORS.method };
  if (!Array.isArray(params) || params.length < 4) return { kind: 'error', id, error: RPC_ERRORS.parse };
  const [sid, object, method, args] = params as unknown[];
  if (typeof sid !== 'string' || typeof object !== 'string' || typeof method !== 'string' || !isObject(args)) {
    return { kind: 'error', id, error: RPC_ERRORS.parse };
  }
  return { kind: 'call', id, sid, object, method, args };
}

/** `{"jsonrpc":"2.0","id":…,"result":[status(,data)]}`; data is left out when absent or an empty object (§3.2). */
export function resultText(id: unknown, status: number, data?: Record<string, unknown>): string {
  const withData = data !== undefined && hasKeys(data);
  return `{"jsonrpc":"2.0","id":${json(id)},"result":[${status}${withData ? `,${json(data)}` : ''}]}`;
}

export function errorText(id: unknown, error: { code: number; message: string }): string {
  return `{"jsonrpc":"2.0","id":${json(id)},"error":{"code":${error.code},"message":${JSON.stringify(error.message)}}}`;
}

/** A batch answer: the elements' texts in request order. */
export function batchText(parts: readonly string[]): string {
  return `[${parts.join(',')}]`;
}

/**
 * Compact JSON as libubox's blobmsg_format_json writes it (§2.3): no spaces, `/` escaped as `\/`, control
 * characters as `\u00XX`. `undefined` (an absent id) is written as null.
 */
export function json(value: unknown): string {
  if (value === undefined) return 'null';
  let text = JSON.stringify(value);
  if (text.includes('/')) text = text.replace(/\//g, '\\/');
  if (text.includes('\\')) text = text.replace(/\\(\\|[bfnrt])/g, (m: string, c: string) => (c === '\\' ? m : SHORT_ESCAPES[c]!));
  return text;
}

const SHORT_ESCAPES: Record<string, string> = { b: '\\u0008', f: '\\u000c', n: '\\u000a', r: '\\u000d', t: '\\u0009' };

// --- internal ---

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasKeys(value: Record<string, unknown>): boolean {
  for (const _k in value) return true;
  return false;
}
