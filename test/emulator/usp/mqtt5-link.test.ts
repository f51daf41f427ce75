import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { generate, type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { Mqtt5Link, type LinkEvent } from '../../../emulator/usp/mqtt5-link.js';

// The agents' own MQTT 5 client against a scripted broker: packets split across TCP chunks, PUBLISH properties
// skipped by type (MQTT 5 §3.3.2.3), QoS 1 acknowledged, a broken or oversized packet ends the connection.

let server: Server | undefined;
let link: Mqtt5Link | undefined;
afterEach(async () => {
  await link?.end();
  server?.close();
});

async function broker(): Promise<{ url: string; socket: Promise<Socket>; received: Buffer[] }> {
  const received: Buffer[] = [];
  server = createServer();
  const socket = new Promise<Socket>((resolve) => server!.once('connection', (s: Socket) => {
    s.on('data', (d: Buffer) => received.push(d));
    resolve(s);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`, socket, received };
}

const bytes = (p: Packet): Buffer => generate(p, { protocolVersion: 5 });
const until = async (done: () => boolean): Promise<void> => {
  await expect.poll(done).toBe(true);
};

describe('Mqtt5Link', () => {
  it('connects, reads a PUBLISH split across chunks with its Response Topic among other properties, and acknowledges it', async () => {
    const b = await broker();
    const events: LinkEvent[] = [];
    link = new Mqtt5Link({ url: b.url, clientId: 'agent-1', reconnectMs: 60_000, properties: { maximumPacketSize: 4096, userProperties: { 'usp-endpoint-id': 'os::X' } } }, (e) => events.push(e));
    const s = await b.socket;
    await until(() => b.received.length > 0);
    expect(b.received[0]![0]! >> 4).toBe(1); // CONNECT
    s.write(bytes({ cmd: 'connack', sessionPresent: false, reasonCode: 0 }));
    await until(() => events.some((e) => e.kind === 'connect'));
    const publish = bytes({
      cmd: 'publish', topic: 'usp/agent/1', payload: Buffer.from([1, 2, 3]), qos: 1, messageId: 7, retain: false, dup: false,
      properties: { payloadFormatIndicator: false, messageExpiryInterval: 30, contentType: 'usp.msg', responseTopic: 'ctl/reply', correlationData: Buffer.from('c'), userProperties: { a: 'b' }, subscriptionIdentifier: 300 },
    });
    for (let i = 0; i < publish.length; i += 3) s.write(publish.subarray(i, i + 3));
    await until(() => events.some((e) => e.kind === 'message'));
    expect(events.find((e) => e.kind === 'message')).toEqual({ kind: 'message', topic: 'usp/agent/1', payload: Buffer.from([1, 2, 3]), responseTopic: 'ctl/reply' });
    await until(() => Buffer.concat(b.received).includes(Buffer.from([0x40])));
    const all = Buffer.concat(b.received);
    const puback = all.indexOf(0x40);
    expect(all.readUInt16BE(puback + 2)).toBe(7);
    expect(link.publish('ctl/reply', Buffer.from('x'), { responseTopic: 'usp/agent/1', contentType: 'usp.msg' })).toBe(true);
  });

  it('ends the connection on a packet larger than its Maximum Packet Size and on a broken one, and says why', async () => {
    const b = await broker();
    const events: LinkEvent[] = [];
    link = new Mqtt5Link({ url: b.url, clientId: 'agent-2', reconnectMs: 60_000, properties: { maximumPacketSize: 1024 } }, (e) => events.push(e));
    const s = await b.socket;
    s.write(bytes({ cmd: 'connack', sessionPresent: false, reasonCode: 0 }));
    await until(() => link!.connected);
    s.write(bytes({ cmd: 'publish', topic: 't', payload: Buffer.alloc(5000), qos: 0, retain: false, dup: false }));
    await until(() => events.some((e) => e.kind === 'close'));
    const error = events.find((e) => e.kind === 'error');
    expect(error && 'message' in error ? error.message : '').toMatch(/a packet of \d+ bytes \(at most 1032\)/);
    expect(link.connected).toBe(false);
  });

  it('reports a refused CONNACK and stays down', async () => {
    const b = await broker();
    const events: LinkEvent[] = [];
    link = new Mqtt5Link({ url: b.url, clientId: 'agent-3', reconnectMs: 60_000 }, (e) => events.push(e));
    const s = await b.socket;
    s.write(bytes({ cmd: 'connack', sessionPresent: false, reasonCode: 0x87 }));
    await until(() => events.some((e) => e.kind === 'error'));
    expect(events).toContainEqual({ kind: 'error', message: 'the broker refused the connection (reason code 135)' });
    expect(link.connected).toBe(false);
  });
});
