import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from '../../../emulator/index.js';
import { parseAcsMessage, SoapError } from '../../../emulator/cwmp/soap.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// Hostile and random SOAP from an ACS (seeded): the parser expands no entity, refuses DTDs, bounds size and depth;
// a CPE answers with a Fault and keeps running, its memory flat and its state unchanged.

const ENV = (body: string): string => `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;

describe('SOAP parser', () => {
  it('refuses entity declarations, external entities and entity bombs without expanding anything', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${ENV('<cwmp:GetParameterValues><ParameterNames><string>&lol2;</string></ParameterNames></cwmp:GetParameterValues>')}`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${ENV('<cwmp:GetParameterValues><ParameterNames><string>&xxe;</string></ParameterNames></cwmp:GetParameterValues>')}`;
    for (const text of [bomb, xxe]) expect(() => parseAcsMessage(text)).toThrow(SoapError);
    // An undeclared entity is left as written; the five XML ones are decoded.
    const m = parseAcsMessage(ENV('<cwmp:GetParameterNames><ParameterPath>A&amp;B&lt;&xxe;&#65;</ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>'));
    expect(m.name).toBe('GetParameterNames');
    expect(m.args.ParameterPath).toBe('A&amp;B&lt;&xxe;&#65;');
  });

  it('refuses deep nesting and oversized messages', () => {
    expect(() => parseAcsMessage(ENV('<a>'.repeat(100) + '</a>'.repeat(100)))).toThrow(/nest deeper/);
    expect(() => parseAcsMessage(ENV(`<cwmp:X>${'x'.repeat(600 * 1024)}</cwmp:X>`))).toThrow(/larger than/);
  });

  it('never throws anything but SoapError on random input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }).map((s) => ENV(s)), fc.string({ maxLength: 60 }).map((s) => ENV(`<cwmp:SetParameterValues><ParameterList>${s}</ParameterList></cwmp:SetParameterValues>`))), (text) => {
        try {
          parseAcsMessage(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SoapError);
        }
      }),
      { seed: 2401, numRuns: 2000 },
    );
  });
});

describe('a CPE under hostile ACS messages', () => {
  let emu: Emulator;
  let server: Server;
  let next: string[] = [];
  const answered: string[] = [];
  beforeAll(async () => {
    // An ACS that answers the Inform, then sends the next hostile message after every CPE answer.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (body.includes('<cwmp:Inform>')) {
          res.writeHead(200, { 'Set-Cookie': 'session=0123456789abcdef' });
          res.end(ENV('<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>'));
          return;
        }
        if (body !== '') answered.push(body);
        const msg = next.shift();
        if (msg === undefined) {
          res.writeHead(204, { Connection: 'close' });
          res.end();
          return;
        }
        res.writeHead(200);
        res.end(msg);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    emu = createTestEmulator({ profile: 'mf79u' });
    await emu.startCwmp({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, crPort: 0 });
  });
  afterAll(async () => {
    await emu.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('answers every hostile message with a Fault, keeps its state and its memory', async () => {
    const before = JSON.stringify(emu.device.snapshot());
    const hostile = [
      `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${ENV('<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value>&b;</Value></ParameterValueStruct></ParameterList><ParameterKey>x</ParameterKey></cwmp:SetParameterValues>')}`,
      ENV(`${'<x>'.repeat(64)}${'</x>'.repeat(64)}`),
      ENV(`<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">${'S'.repeat(100_000)}</Value></ParameterValueStruct></ParameterList><ParameterKey>big</ParameterKey></cwmp:SetParameterValues>`),
      ENV('<cwmp:GetParameterValues><ParameterNames><string>Device.</string><string>Device.NoSuch.</string></ParameterNames></cwmp:GetParameterValues>'),
      'not xml at all <<<',
      ENV('<cwmp:AddObject><ObjectName>Device.WiFi.SSID.</ObjectName><ParameterKey>k</ParameterKey></cwmp:AddObject>'),
    ];
    const heapBefore = process.memoryUsage().heapUsed;
    for (let round = 0; round < 5; round++) {
      next = [...hostile];
      answered.length = 0;
      emu.cwmp!.informNow();
      emu.clock.advance(1);
      await expect.poll(() => next.length > 0 || emu.cwmp!.status().inSession).toBe(false);
      expect(answered).toHaveLength(hostile.length);
      for (const a of answered) expect(a).toMatch(/<soap-env:Fault>.*<FaultCode>90\d\d<\/FaultCode>/s);
    }
    expect(JSON.stringify(emu.device.snapshot())).toBe(before);
    // Five rounds of hostile sessions leave the heap about where it was (nothing kept per message).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    expect(emu.cwmp!.status().failures).toBe(0);
  });
});
