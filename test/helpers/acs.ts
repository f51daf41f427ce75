import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { XMLParser } from 'fast-xml-parser';

// A test ACS that drives CWMP sessions the way GenieACS 1.3 does (device-management.md §1.2, §1.10, §1.11), written
// from the reference and not from the CPE's code: Inform first, a `session` cookie it demands on every later POST,
// the CPE's requests before the empty POST, then its own RPCs one per answer, 204 + close at the end; Digest for the
// CPE with the nonce bound to the socket; 503 + Retry-After beyond its in-flight limit; bootstrap discovery (GPN of
// the root, GPV in batches of 32) and the `inform` provision. GenieACS itself needs MongoDB, which is not here.

export interface InformRecord {
  serial: string;
  oui: string;
  productClass: string;
  events: { code: string; key: string }[];
  params: Record<string, string>;
  retryCount: number;
  atMs: number;
}

export interface RpcRecord {
  serial: string;
  request: string;
  /** The CPE's answer: its body element name (…Response or Fault) and parsed content. */
  response: string;
  body: Record<string, unknown>;
}

export interface AcsOptions {
  /** Require Digest (default) or Basic from the CPE with these credentials (GenieACS `cwmp.auth`). */
  auth?: { username: string; password: string; scheme?: 'digest' | 'basic' };
  /** Sessions in flight before new ones get 503 + Retry-After 60 (GenieACS MAX_CONCURRENT_REQUESTS). Default 1000. */
  maxConcurrent?: number;
  /** Run GenieACS's bootstrap discovery and `inform` provision on 0 BOOTSTRAP (§1.11). Default false. */
  genie?: boolean;
}

interface Session {
  id: string;
  serial: string;
  queue: { name: string; xml: string }[];
  inFlight: { name: string } | null;
  emptySeen: boolean;
  cwmpNs: string;
  counter: number;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false, isArray: (n) => ['ParameterValueStruct', 'EventStruct', 'ParameterInfoStruct', 'ParameterAttributeStruct', 'string', 'SetParameterValuesFault'].includes(n) });

export class TestAcs {
  readonly informs: InformRecord[] = [];
  /** 401s sent with a Basic challenge (auth scheme basic). */
  basicChallenges = 0;
  readonly rpcs: RpcRecord[] = [];
  readonly transfers: { serial: string; commandKey: string; faultCode: string; faultString: string }[] = [];
  /** Tasks per serial number, sent after the CPE's empty POST. */
  readonly tasks = new Map<string, { name: string; xml: string }[]>();
  readonly rejected: { status: number; reason: string }[] = [];
  /** The device tree each CPE reported (GPN + GPV), by serial (genie mode). */
  readonly trees = new Map<string, Record<string, string>>();
  url = '';
  /** Most sessions seen in flight at once. */
  maxActive = 0;
  /** Sessions in flight before new ones get 503 (changeable while running). */
  maxConcurrent: number;
  #server: Server | null = null;
  #sessions = new Map<string, Session>();
  #nonces = new WeakMap<Socket, string>();
  #active = 0;
  readonly #opts: AcsOptions;
  #waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(opts: AcsOptions = {}) {
    this.#opts = opts;
    this.maxConcurrent = opts.maxConcurrent ?? 1000;
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.#server?.close(() => r());
      this.#server?.closeAllConnections();
    });
  }

  /** Queue an RPC (the body element XML, `cwmp:` prefixed) for the device's next session. */
  task(serial: string, name: string, xml: string): void {
    const list = this.tasks.get(serial) ?? [];
    list.push({ name, xml });
    this.tasks.set(serial, list);
  }

  /** Resolves once `test` holds (checked after every message and every 10 ms); rejects after `ms` of wall time. */
  until(test: () => boolean, ms = 10_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => this.#notify(), 10);
      const t = setTimeout(() => {
        clearInterval(poll);
        reject(new Error('[test acs] timed out waiting'));
      }, ms);
      this.#waiters.push({ test, resolve: () => (clearTimeout(t), clearInterval(poll), resolve()) });
    });
  }

  informsOf(serial: string): InformRecord[] {
    return this.informs.filter((i) => i.serial === serial);
  }

  /** A connection request as GenieACS sends it: a bare GET, then Digest (MD5, qop auth) on 401 (§1.9). */
  async connectionRequest(url: string, username: string, password: string): Promise<number> {
    const first = await get(url);
    if (first.status !== 401) return first.status;
    const challenge = first.headers['www-authenticate'] ?? '';
    const p = Object.fromEntries([...String(challenge).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? '']));
    const u = new URL(url);
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = md5(`${username}:${p.realm}:${password}`);
    const ha2 = md5(`GET:${u.pathname}`);
    const response = md5(`${ha1}:${p.nonce}:00000001:${cnonce}:auth:${ha2}`);
    const auth = `Digest username="${username}", realm="${p.realm}", nonce="${p.nonce}", uri="${u.pathname}", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
    return (await get(url, { Authorization: auth })).status;
  }

  #notify(): void {
    for (const w of [...this.#waiters]) {
      if (w.test()) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST') return this.#reply(res, 405, '');
    const cookie = /(?:^|;\s*)session=([0-9a-f]{16})/.exec(req.headers.cookie ?? '')?.[1];
    const session = cookie ? this.#sessions.get(cookie) : undefined;
    if (!session) {
      if (this.#active >= this.maxConcurrent) {
        this.rejected.push({ status: 503, reason: 'overload' });
        res.writeHead(503, { 'Retry-After': '60', Connection: 'close' });
        res.end();
        this.#notify();
        return;
      }
      if (this.#opts.auth?.scheme === 'basic') {
        const { username, password } = this.#opts.auth;
        if (req.headers.authorization !== `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`) {
          this.basicChallenges++;
          res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GenieACS"' });
          res.end();
          return;
        }
      } else if (this.#opts.auth && !this.#digestOk(req, body)) {
        const nonce = randomBytes(16).toString('hex');
        this.#nonces.set(req.socket, nonce);
        res.writeHead(401, { 'WWW-Authenticate': `Digest realm="GenieACS", qop="auth,auth-int", nonce="${nonce}"` });
        res.end();
        return;
      }
      const doc = parse(body);
      if (doc?.name !== 'Inform') {
        this.rejected.push({ status: 400, reason: 'Bad session state' });
        return this.#reply(res, 400, 'Bad session state', true);
      }
      this.#informed(doc, res);
      return;
    }
    if (body.trim() === '') {
      session.emptySeen = true;
      return this.#next(session, res);
    }
    const doc = parse(body);
    if (!doc) return this.#reply(res, 400, 'XML parse error', true);
    if (!session.emptySeen) {
      // CPE requests before the empty POST: TransferComplete (GetRPCMethods answered likewise).
      if (doc.name === 'TransferComplete') {
        const fs = (doc.args.FaultStruct ?? {}) as Record<string, unknown>;
        this.transfers.push({ serial: session.serial, commandKey: txt(doc.args.CommandKey), faultCode: txt(fs.FaultCode), faultString: txt(fs.FaultString) });
        this.#notify();
        return this.#soap(res, session, doc.id, '<cwmp:TransferCompleteResponse/>');
      }
      return this.#reply(res, 400, `Unexpected CPE request ${doc.name}`, true);
    }
    const request = session.inFlight?.name ?? '?';
    if (doc.id !== `${session.id}${String(session.counter).padStart(2, '0')}`) return this.#reply(res, 400, 'Request ID not recognized', true);
    this.rpcs.push({ serial: session.serial, request, response: doc.name, body: doc.args });
    if (this.#opts.genie) this.#learn(session, doc);
    session.inFlight = null;
    this.#notify();
    return this.#next(session, res);
  }

  #informed(doc: Parsed, res: ServerResponse): Session {
    const a = doc.args;
    const did = (a.DeviceId ?? {}) as Record<string, unknown>;
    const events = ((a.Event as Record<string, unknown> | undefined)?.EventStruct ?? []) as Record<string, unknown>[];
    const params = Object.fromEntries((((a.ParameterList as Record<string, unknown> | undefined)?.ParameterValueStruct ?? []) as Record<string, unknown>[]).map((p) => [txt(p.Name), txt(p.Value)]));
    const record: InformRecord = { serial: txt(did.SerialNumber), oui: txt(did.OUI), productClass: txt(did.ProductClass), events: events.map((e) => ({ code: txt(e.EventCode), key: txt(e.CommandKey) })), params, retryCount: Number(txt(a.RetryCount)), atMs: Date.now() };
    this.informs.push(record);
    const id = randomBytes(8).toString('hex');
    const session: Session = { id, serial: record.serial, queue: [...(this.tasks.get(record.serial) ?? [])], inFlight: null, emptySeen: false, cwmpNs: doc.ns, counter: 0 };
    this.tasks.delete(record.serial);
    if (this.#opts.genie && record.events.some((e) => e.code === '0 BOOTSTRAP')) {
      // §1.11: bootstrap clears the cache and rediscovers from the root.
      this.trees.set(record.serial, {});
      session.queue.unshift({ name: 'GetParameterNames', xml: '<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>false</NextLevel></cwmp:GetParameterNames>' });
    }
    this.#sessions.set(id, session);
    this.#active++;
    this.maxActive = Math.max(this.maxActive, this.#active);
    res.setHeader('Set-Cookie', `session=${id}`);
    this.#soap(res, session, doc.id, '<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>');
    this.#notify();
    return session;
  }

  /** Genie mode: GPN answers become GPV batches of 32; then the inform provision's SPV (§1.8). */
  #learn(session: Session, doc: Parsed): void {
    const tree = this.trees.get(session.serial) ?? {};
    if (doc.name === 'GetParameterNamesResponse') {
      const names = (((doc.args.ParameterList as Record<string, unknown> | undefined)?.ParameterInfoStruct ?? []) as Record<string, unknown>[]).map((p) => txt(p.Name)).filter((n) => !n.endsWith('.'));
      for (let i = 0; i < names.length; i += 32) {
        const batch = names.slice(i, i + 32);
        session.queue.push({ name: 'GetParameterValues', xml: `<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[${batch.length}]">${batch.map((n) => `<string>${n}</string>`).join('')}</ParameterNames></cwmp:GetParameterValues>` });
      }
      session.queue.push({
        name: 'SetParameterValues',
        xml: `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[3]"><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformEnable</Name><Value xsi:type="xsd:boolean">true</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformInterval</Name><Value xsi:type="xsd:unsignedInt">300</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformTime</Name><Value xsi:type="xsd:dateTime">1970-01-01T00:02:17.000Z</Value></ParameterValueStruct></ParameterList><ParameterKey></ParameterKey></cwmp:SetParameterValues>`,
      });
    }
    if (doc.name === 'GetParameterValuesResponse') {
      for (const p of ((doc.args.ParameterList as Record<string, unknown> | undefined)?.ParameterValueStruct ?? []) as Record<string, unknown>[]) tree[txt(p.Name)] = txt(p.Value);
    }
    this.trees.set(session.serial, tree);
  }

  #next(session: Session, res: ServerResponse): void {
    const task = session.queue.shift();
    if (!task) {
      this.#sessions.delete(session.id);
      this.#active--;
      res.writeHead(204, { Connection: 'close' });
      res.end();
      this.#notify();
      return;
    }
    session.counter++;
    session.inFlight = { name: task.name };
    this.#soap(res, session, `${session.id}${String(session.counter).padStart(2, '0')}`, task.xml);
  }

  #soap(res: ServerResponse, session: Session, id: string | null, body: string): void {
    const xml = `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${session.cwmpNs}"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${id ?? ''}</cwmp:ID></soap-env:Header><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', SOAPServer: 'routerlab-test-acs' });
    res.end(xml);
  }

  #reply(res: ServerResponse, status: number, text: string, close = false): void {
    res.writeHead(status, close ? { Connection: 'close' } : {});
    res.end(text);
  }

  #digestOk(req: IncomingMessage, body: string): boolean {
    const header = req.headers.authorization;
    const nonce = this.#nonces.get(req.socket);
    if (!header || !nonce) return false;
    const p = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? '']));
    if (p.nonce !== nonce || p.username !== this.#opts.auth!.username) return false;
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${p.username}:GenieACS:${this.#opts.auth!.password}`);
    const ha2 = p.qop === 'auth-int' ? md5(`POST:${p.uri}:${md5(body)}`) : md5(`POST:${p.uri}`);
    return p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
  }
}

interface Parsed {
  id: string | null;
  name: string;
  args: Record<string, unknown>;
  ns: string;
}

function parse(body: string): Parsed | null {
  try {
    const doc = parser.parse(body) as Record<string, Record<string, unknown>>;
    const env = doc.Envelope!;
    const ns = Object.entries(env).find(([k]) => k.startsWith('@xmlns:') && String(env[k]).startsWith('urn:dslforum-org:cwmp'))?.[1] as string | undefined;
    const header = (env.Header ?? {}) as Record<string, unknown>;
    const bodyEl = env.Body as Record<string, unknown>;
    const [name, args] = Object.entries(bodyEl).find(([k]) => !k.startsWith('@'))!;
    return { id: header.ID === undefined ? null : txt(header.ID), name, args: (args ?? {}) as Record<string, unknown>, ns: ns ?? 'urn:dslforum-org:cwmp-1-0' };
  } catch {
    return null;
  }
}

export function txt(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return txt((v as Record<string, unknown>)['#text']);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error('connection request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A local file server for Download (GenieACS serves files on :7567). */
export async function startFileServer(files: Record<string, Buffer>): Promise<{ url: string; close(): Promise<void>; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const f = files[(req.url ?? '').replace(/^\//, '')];
    if (!f) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': f.length });
    res.end(f);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}
