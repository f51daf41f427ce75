import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { AtProbe } from '../../helpers/at.js';
import { ControlClient } from '../../helpers/control.js';
import { startLoggedIn, type TestClient } from '../../helpers/emulator.js';

// Faults injected through the control API, seen by clients over real sockets.

describe('faults', () => {
  let emu: Emulator;
  let client: TestClient;
  let control: ControlClient;
  let base: string;
  afterEach(async () => {
    await emu.close();
  });
  async function start(profile = 'mf79u'): Promise<void> {
    ({ emu, client } = await startLoggedIn({ profile }));
    control = new ControlClient(emu);
    base = await emu.listen({ port: 0 });
  }
  const read = (cmd = 'Language'): Promise<Response> => fetch(`${base}/goform/goform_get_cmd_process?cmd=${cmd}&multi_data=1`, { headers: { Referer: `${base}/` } });

  it('adds fixed latency to goform answers', async () => {
    await start();
    await control.call('PUT', '/devices/dev-0/faults/goform', { latency: { kind: 'fixed', ms: 200 } });
    expect(await (await read()).text()).toBe('{"Language":"en"}');
    // What the answer waited for is the rule's doing, counted and journaled (no wall-clock assertion: busy machines).
    const rules = (await control.call('GET', '/devices/dev-0/rules')).json as { surface: string; fired: number; action: unknown }[];
    expect(rules.find((r) => r.surface === 'goform')).toMatchObject({ fired: 1, action: { kind: 'latency', ms: 200 }, note: 'faults/goform' });
  });

  it('answers errors in the chosen shape at the chosen rate', async () => {
    await start();
    await control.call('PUT', '/devices/dev-0/faults/goform', { errorRate: 1, errorKind: 'empty' });
    expect(await (await read('Language,imei')).text()).toBe('{"Language":"","imei":""}');
    await control.call('PUT', '/devices/dev-0/faults/goform', { errorKind: 'http500' });
    expect((await read()).status).toBe(500);
    await control.call('PUT', '/devices/dev-0/faults/goform', { errorKind: 'failure', errorRate: 0.5 });
    const answers = await Promise.all(Array.from({ length: 40 }, async () => (await read()).text()));
    const failures = answers.filter((a) => a === '{"result":"failure"}').length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('drops connections and sends slow bodies', async () => {
    await start();
    await control.call('PUT', '/devices/dev-0/faults/goform', { dropRate: 1 });
    await expect(read()).rejects.toThrow();
    await control.call('PUT', '/devices/dev-0/faults/goform', { dropRate: 0, slowBodyBytesPerSecond: 50 });
    // ~70 bytes at 50 B/s, in 5-byte chunks: the body comes in pieces, and whole.
    const res = await read('Language,cr_version,wa_inner_version');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 10)).toBe(true);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ Language: 'en' });
    expect((await control.call('DELETE', '/devices/dev-0/faults')).status).toBe(200);
    expect((await control.call('GET', '/devices/dev-0/faults')).json).toMatchObject({ goform: { errorRate: 0, dropRate: 0, latency: null } });
  });

  it('switches a firmware quirk at run time', async () => {
    await start();
    expect((await client.get('loginfo')).loginfo).toBe('ok');
    const other = new (client.constructor as typeof TestClient)(emu, { ip: '192.168.0.200' });
    expect((await other.get('loginfo')).loginfo).toBe('ok');
    await control.call('PUT', '/devices/dev-0/quirks', { loginfoOkWithoutMultiData: false });
    expect((await other.get('loginfo')).loginfo).toBe('no');
    const res = await fetch(`${base}/goform/goform_get_cmd_process?cmd=Language`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    await control.call('PUT', '/devices/dev-0/quirks', { textPlain: false });
    expect((await control.call('GET', '/devices/dev-0/faults')).json).toMatchObject({ quirks: { textPlain: false } });
  });

  it('AT: no answer, garbage lines and a delayed final result', async () => {
    await start();
    const at = new AtProbe(emu);
    at.send('ATE0\r');
    await control.call('PUT', '/devices/dev-0/faults/at', { noAnswer: true });
    expect(at.at('+CSQ')).toBe('');
    await control.call('PUT', '/devices/dev-0/faults/at', { noAnswer: false, garbage: true });
    expect(at.at('')).toMatch(/^\r\n[^\r]*ZTE\?[^\r]*\r\n\r\nOK\r\n$/);
    await control.call('PUT', '/devices/dev-0/faults/at', { garbage: false, delayFinalMs: 150 });
    expect(at.at('+CGMI')).toBe('\r\nZTE CORPORATION\r\n');
    await expect.poll(() => at.out).toBe('\r\nZTE CORPORATION\r\n\r\nOK\r\n');
    at.close();
  });
});

describe('event stream', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('streams state summaries and journal entries as Server-Sent Events', async () => {
    ({ emu } = await startLoggedIn());
    const base = await emu.listenControl({ port: 0 });
    const goform = await emu.listen({ port: 0 });
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/devices/dev-0/events`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += new TextDecoder().decode(value);
      }
    };
    await until(/event: state\ndata: .*"batteryPercent":80/);
    await new ControlClient(emu).stimulus('battery', { percent: 33 });
    await until(/"batteryPercent":33/);
    await fetch(`${goform}/goform/goform_get_cmd_process?cmd=Language`);
    await until(/event: journal\ndata: .*"name":"Language"/);
    abort.abort();
  });
});
