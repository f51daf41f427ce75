import { describe, expect, it } from 'vitest';
import { json, parseBody, resultText, errorText, RPC_ERRORS } from '../../../emulator/ubus/codec.js';

// ubus-api.md §2.3, §2.6, §3.1-§3.4: the envelope byte for byte.

describe('ubus codec', () => {
  it('answers a body that is not JSON, too long, or neither object nor array with one parse error', () => {
    for (const body of ['{', 'null', '42', '"x"', 'true', `[${' '.repeat(70_000)}]`]) {
      const parsed = parseBody(body);
      expect(parsed.batch).toBeNull();
      if (parsed.batch === null) expect(parsed.error).toEqual(RPC_ERRORS.parse);
    }
    expect(errorText(null, RPC_ERRORS.parse)).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
  });

  it('checks each element in uhttpd order: shape and jsonrpc, then the method name, then the call params', () => {
    const parsed = parseBody(JSON.stringify([
      1,
      { jsonrpc: '1.0', id: 2, method: 'call', params: [] },
      { jsonrpc: '2.0', id: 3, method: 'exec', params: [] },
      { jsonrpc: '2.0', id: 4, method: 'call', params: ['s', 'o', 'm'] },
      { jsonrpc: '2.0', id: 5, method: 'call', params: ['s', 'o', 'm', null] },
      { jsonrpc: '2.0', id: 6, method: 'call', params: ['s', 'o', 'm', []] },
      { jsonrpc: '2.0', method: 'call', params: ['s', 'o', 'm', {}] },
      { jsonrpc: '2.0', id: 'x', method: 'list' },
    ]));
    expect(parsed.batch).toBe(true);
    if (!parsed.batch) return;
    const kinds = parsed.elements.map((e) => (e.kind === 'error' ? e.error.code : e.kind));
    expect(kinds).toEqual([-32700, -32700, -32601, -32700, -32700, -32700, 'call', 'list']);
    expect(parsed.elements[6]).toMatchObject({ id: null, sid: 's', object: 'o', method: 'm' });
  });

  it('writes compact JSON with slashes escaped and control characters as \\u00XX, leaving out empty data', () => {
    expect(resultText(7, 0, {})).toBe('{"jsonrpc":"2.0","id":7,"result":[0]}');
    expect(resultText('a', 2)).toBe('{"jsonrpc":"2.0","id":"a","result":[2]}');
    expect(resultText(1, 0, { pem: 'a/b', t: 'x\ny\\n' })).toBe('{"jsonrpc":"2.0","id":1,"result":[0,{"pem":"a\\/b","t":"x\\u000ay\\\\n"}]}');
    expect(json(undefined)).toBe('null');
  });
});
