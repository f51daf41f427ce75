import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { generate, type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';

// The smallest MQTT 5 client a USP Agent needs (device-management.md §3.3): CONNECT with properties, one SUBSCRIBE,
// PUBLISH out at QoS 1 with Response Topic and Content Type, PUBLISH in at QoS 0/1 (PUBACK), keep-alive, reconnect,
// DISCONNECT. Written for fleets: a connected link is a socket and this object, a few per cent of an MQTT.js client
// (bench/usp-fleet); packets out are mqtt-packet's generate(), packets in are read here (a stateful parser per
// connection costs 1.6 KB), and all links share one keep-alive timer. What it does not do: QoS 2, retransmitting an
// unacknowledged PUBLISH after a reconnect (the agent's own queue covers the time the broker is away), topic aliases.

export interface LinkOptions {
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  keepaliveS?: number;
  /** CONNECT properties (Request Response Information, Maximum Packet Size, User Property). */
  properties?: IConnectPacket['properties'];
  /** Wall ms between reconnect attempts. */
  reconnectMs: number;
}

/** What happens on a link; one callback per link (a fleet holds thousands: four closures each would add up). */
export type LinkEvent =
  | { kind: 'connect' }
  | { kind: 'close' }
  | { kind: 'error'; message: string }
  | { kind: 'message'; topic: string; payload: Buffer; responseTopic: string | undefined };

const links = new Set<Mqtt5Link>();
let pinger: NodeJS.Timeout | null = null;

/** One timer for every link: a PINGREQ when a link has sent nothing for half its keep-alive. */
function watch(link: Mqtt5Link, add: boolean): void {
  if (add) links.add(link);
  else links.delete(link);
  if (links.size > 0 && !pinger) {
    pinger = setInterval(() => {
      const now = Date.now();
      for (const l of links) l.ping(now);
    }, 5000);
    pinger.unref();
  } else if (links.size === 0 && pinger) {
    clearInterval(pinger);
    pinger = null;
  }
}

export class Mqtt5Link {
  connected = false;
  #options: LinkOptions;
  #on: (event: LinkEvent) => void;
  #socket: Socket | null = null;
  #ended = false;
  #nextId = 1;
  #lastSent = 0;
  #retry: NodeJS.Timeout | null = null;
  /** Bytes of a packet not complete yet. */
  #partial: Buffer | null = null;

  constructor(options: LinkOptions, on: (event: LinkEvent) => void) {
    this.#options = options;
    this.#on = on;
    this.#open();
  }

  publish(topic: string, payload: Buffer, opts: { qos?: 0 | 1; retain?: boolean; responseTopic?: string; contentType?: string } = {}): boolean {
    if (!this.connected) return false;
    const qos = opts.qos ?? 1;
    const properties = { ...(opts.responseTopic ? { responseTopic: opts.responseTopic } : {}), ...(opts.contentType ? { contentType: opts.contentType } : {}) };
    const packet: IPublishPacket = { cmd: 'publish', topic, payload, qos, retain: opts.retain ?? false, dup: false, properties };
    if (qos > 0) packet.messageId = this.#id();
    return this.#send(packet);
  }

  subscribe(topic: string, qos: 0 | 1 = 1): void {
    this.#send({ cmd: 'subscribe', messageId: this.#id(), subscriptions: [{ topic, qos }] });
  }

  /** Send a PINGREQ when nothing was sent for half the keep-alive (called by the shared timer). */
  ping(now: number): void {
    const keepalive = (this.#options.keepaliveS ?? 60) * 1000;
    if (this.connected && now - this.#lastSent >= keepalive / 2) this.#send({ cmd: 'pingreq' });
  }

  /** Drop the connection now, without DISCONNECT (a router losing power); `reconnect` opens it again. */
  drop(): void {
    this.#socket?.destroy();
  }

  reconnect(): void {
    if (this.#ended) return;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#socket?.destroy();
    this.#open();
  }

  /** DISCONNECT (normal) and close; no more reconnects. */
  async end(): Promise<void> {
    this.#ended = true;
    if (this.#retry) clearTimeout(this.#retry);
    watch(this, false);
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    if (this.connected) this.#send({ cmd: 'disconnect', reasonCode: 0 });
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  #error(message: string): void {
    this.#on({ kind: 'error', message });
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = id >= 65535 ? 1 : id + 1;
    return id;
  }

  #send(packet: Packet): boolean {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return false;
    this.#lastSent = Date.now();
    return socket.write(generate(packet, { protocolVersion: 5 }));
  }

  #open(): void {
    const u = new URL(this.#options.url);
    const port = Number(u.port) || (u.protocol === 'mqtts:' ? 8883 : 1883);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const socket = u.protocol === 'mqtts:' ? tlsConnect({ host, port, servername: host }) : tcpConnect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    this.#partial = null;
    const onOpen = (): void => {
      const { username, password, clientId, keepaliveS = 60, properties } = this.#options;
      this.#send({
        cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId, keepalive: keepaliveS,
        ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password: Buffer.from(password) }),
        ...(properties ? { properties } : {}),
      });
    };
    socket.once(u.protocol === 'mqtts:' ? 'secureConnect' : 'connect', onOpen);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#data(chunk, socket);
      } catch (e) {
        this.#error(`broker sent a broken packet: ${e instanceof Error ? e.message : String(e)}`);
        socket.destroy();
      }
    });
    socket.on('error', (e: Error) => this.#error(e.message));
    socket.once('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      const was = this.connected;
      this.connected = false;
      watch(this, false);
      if (was) this.#on({ kind: 'close' });
      if (!this.#ended) {
        this.#retry = setTimeout(() => {
          this.#retry = null;
          if (!this.#ended) this.#open();
        }, this.#options.reconnectMs);
        this.#retry.unref();
      }
    });
  }

  /** Split the stream into packets (MQTT 5 §2.1: fixed header, Variable Byte Integer remaining length). */
  #data(chunk: Buffer, socket: Socket): void {
    let buf = this.#partial ? Buffer.concat([this.#partial, chunk]) : chunk;
    this.#partial = null;
    while (buf.length >= 2 && !socket.destroyed) {
      const len = varint(buf, 1);
      if (!len) break;
      const total = 1 + len.size + len.value;
      // Nothing the agent reads is bigger than it told the broker (Maximum Packet Size) allows.
      const max = (this.#options.properties?.maximumPacketSize ?? 268_435_455) + 8;
      if (total > max) throw new Error(`a packet of ${total} bytes (at most ${max})`);
      if (buf.length < total) break;
      this.#packet(buf[0]! >> 4, buf[0]! & 0x0f, buf.subarray(1 + len.size, total), socket);
      buf = buf.subarray(total);
    }
    if (buf.length > 0) this.#partial = Buffer.from(buf);
  }

  #packet(type: number, flags: number, body: Buffer, socket: Socket): void {
    switch (type) {
      case 2: {
        // CONNACK: acknowledge flags, reason code (MQTT 5 §3.2.2).
        const reason = body[1] ?? 0x80;
        if (reason !== 0) {
          this.#error(`the broker refused the connection (reason code ${reason})`);
          socket.destroy();
          return;
        }
        this.connected = true;
        watch(this, true);
        this.#on({ kind: 'connect' });
        return;
      }
      case 3: {
        // PUBLISH (§3.3): topic, packet id when QoS > 0, properties, payload.
        const qos = (flags >> 1) & 3;
        const topicLen = body.readUInt16BE(0);
        let off = 2 + topicLen;
        const topic = body.toString('utf8', 2, off);
        let id: number | undefined;
        if (qos > 0) {
          id = body.readUInt16BE(off);
          off += 2;
        }
        const plen = varint(body, off);
        if (!plen) throw new Error('PUBLISH properties cut short');
        const end = off + plen.size + plen.value;
        if (end > body.length) throw new Error('PUBLISH properties past the packet');
        const responseTopic = publishResponseTopic(body, off + plen.size, end);
        if (qos === 1 && id !== undefined) this.#send({ cmd: 'puback', messageId: id, reasonCode: 0 });
        this.#on({ kind: 'message', topic, payload: body.subarray(end), responseTopic });
        return;
      }
      case 14:
        this.#error(`the broker disconnected the agent (reason code ${body[0] ?? 0})`);
        socket.destroy();
        return;
      default:
        // PUBACK, SUBACK, PINGRESP: nothing to do.
        return;
    }
  }
}

/** A Variable Byte Integer at `at` (§1.5.5); null when it is not all there yet. */
function varint(buf: Buffer, at: number): { value: number; size: number } | null {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= buf.length) return null;
    const b = buf[at + i]!;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return { value, size: i + 1 };
  }
  throw new Error('a Variable Byte Integer longer than 4 bytes');
}

/** The Response Topic among a PUBLISH's properties (§3.3.2.3), skipping the others by their types. */
function publishResponseTopic(buf: Buffer, at: number, end: number): string | undefined {
  let found: string | undefined;
  while (at < end) {
    const id = buf[at++]!;
    const str = (): string => {
      const n = buf.readUInt16BE(at);
      const v = buf.toString('utf8', at + 2, at + 2 + n);
      at += 2 + n;
      return v;
    };
    switch (id) {
      case 0x01: // Payload Format Indicator
        at += 1;
        break;
      case 0x02: // Message Expiry Interval
        at += 4;
        break;
      case 0x23: // Topic Alias
        at += 2;
        break;
      case 0x0b: {
        // Subscription Identifier
        const v = varint(buf, at);
        if (!v) throw new Error('a Subscription Identifier cut short');
        at += v.size;
        break;
      }
      case 0x08:
        found = str();
        break;
      case 0x03: // Content Type
      case 0x09: // Correlation Data (binary: the same length prefix)
        str();
        break;
      case 0x26: // User Property: a string pair
        str();
        str();
        break;
      default:
        throw new Error(`property 0x${id.toString(16)} is not one a PUBLISH carries`);
    }
  }
  if (at !== end) throw new Error('PUBLISH properties overrun');
  return found;
}
