import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { ZERO_SID } from '../../helpers/ubus.js';

// Rules that act on the HTTP answer itself (drop, hang, slow-body, latency, garbage), over real loopback sockets on
// the goform and ubus surfaces. Nothing here measures time: each check is what the client receives.

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

const goformRead = (base: string, cmd: string, signal?: AbortSignal): Promise<Response> => fetch(`${base}/goform/goform_get_cmd_process?isTest=false&cmd=${cmd}`, { headers: { Referer: `${base}/` }, ...(signal ? { signal } : {}) });
const ubusBatch = (base: string, signal?: AbortSignal): Promise<Response> =>
  fetch(`${base}/ubus/`, { method: 'POST', headers: { Referer: `${base}/` }, body: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'call', params: [ZERO_SID, 'zwrt_web', 'web_login_info', {}] }]), ...(signal ? { signal } : {}) });

describe('rules on the HTTP answer', () => {
  it('goform: drops the connection, holds it without an answer, trickles the body, delays it, in that order of rules', async () => {
    emu = createTestEmulator({ clockMode: 'paused' });
    const base = await emu.listen({ port: 0 });
    emu.faults.rules.add({ surface: 'goform', match: { name: 'Language' }, action: { kind: 'drop' }, times: 1 });
    await expect(goformRead(base, 'Language')).rejects.toThrow();
    emu.faults.rules.add({ surface: 'goform', match: { name: 'Language' }, action: { kind: 'hang' }, times: 1 });
    // The client gives up (its own timeout); the server holds the request until then and lets it go.
    await expect(goformRead(base, 'Language', AbortSignal.timeout(300))).rejects.toThrow(/abort|timeout/i);
    emu.faults.rules.add({ surface: 'goform', match: { name: 'Language' }, action: { kind: 'slow-body', bytesPerSecond: 100 }, times: 1 });
    const slow = await goformRead(base, 'Language');
    expect(slow.headers.get('content-length')).toBeNull();
    expect(await slow.text()).toBe('{"Language":"en"}');
    emu.faults.rules.add({ surface: 'goform', match: { name: 'Language' }, action: { kind: 'latency', ms: 5 }, times: 1 });
    expect(await (await goformRead(base, 'Language')).text()).toBe('{"Language":"en"}');
    expect(emu.faults.rules.list().map((r) => [r.action.kind, r.fired])).toEqual([['drop', 1], ['hang', 1], ['slow-body', 1], ['latency', 1]]);
    expect(emu.journal.query({ surface: 'goform', name: 'Language', kind: 'read' }).map((e) => e.response)).toEqual(['dropped (rule r1: drop)', 'no answer (rule r2: hang)', '{"Language":"en"}', '{"Language":"en"}']);
  });

  it('ubus: drops, hangs, sends garbage or an HTTP status for the whole batch', async () => {
    emu = createTestEmulator({ profile: 'g5ts', clockMode: 'paused' });
    const base = await emu.listen({ port: 0 });
    const rule = (action: Parameters<Emulator['faults']['rules']['add']>[0]['action']): void => void emu.faults.rules.add({ surface: 'ubus', match: { name: 'zwrt_web.web_login_info' }, action, times: 1 });
    rule({ kind: 'drop' });
    await expect(ubusBatch(base)).rejects.toThrow();
    rule({ kind: 'hang' });
    await expect(ubusBatch(base, AbortSignal.timeout(300))).rejects.toThrow(/abort|timeout/i);
    rule({ kind: 'garbage' });
    const garbage = await (await ubusBatch(base)).text();
    expect(() => JSON.parse(garbage) as unknown).toThrow();
    rule({ kind: 'error', code: 502 });
    expect((await ubusBatch(base)).status).toBe(502);
    rule({ kind: 'latency', ms: 5 });
    rule({ kind: 'slow-body', bytesPerSecond: 1000 });
    // Latency adds to the slow body that answers after it: the real answer, whole.
    const answer = (await (await ubusBatch(base)).json()) as { result: [number, Record<string, unknown>] }[];
    expect(answer[0]!.result[0]).toBe(0);
    expect(answer[0]!.result[1]).toHaveProperty('zte_web_sault');
    expect((await (await ubusBatch(base)).json()) as unknown[]).toHaveLength(1);
  });
});
