import { createCipheriv, createDecipheriv, createHash, publicEncrypt, constants, randomBytes } from 'node:crypto';
import type { Emulator } from '../../emulator/index.js';

// A test-side ZWRT client written from the reference alone (ubus-api.md §2-§5): it builds the bodies the stock UI
// sends, hashes the password, and does its own half of the key exchange, so the emulator is checked against an
// independent implementation rather than against its own code.

export const ZERO_SID = '00000000000000000000000000000000';

export const sha256Upper = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex').toUpperCase();

/** §4.3: UPPER_HEX(SHA256(UPPER_HEX(SHA256(plain)) ‖ salt)). */
export const loginHash = (plain: string, salt: string): string => sha256Upper(sha256Upper(plain) + salt);

export interface RpcAnswer {
  jsonrpc: string;
  id: unknown;
  result?: [number, Record<string, unknown>?];
  error?: { code: number; message: string };
}

export type Call = [object: string, method: string, args?: Record<string, unknown>];

/** Talks to an emulator's ubus surface in-process (the same `answer` its HTTP listener uses). */
export class UbusProbe {
  sid = ZERO_SID;
  aesKey: Buffer | null = null;
  #id = 1;

  constructor(
    readonly emu: Emulator,
    readonly from: { ip?: string; zMode?: string } = {},
  ) {}

  raw(body: string): string {
    return this.emu.ubus.answer(body, this.from);
  }

  /** One batch, as the stock UI sends it (always an array, ids counting up). */
  batch(calls: Call[], sid = this.sid): RpcAnswer[] {
    const body = calls.map(([o, m, a]) => ({ jsonrpc: '2.0', id: this.#id++, method: 'call', params: [sid, o, m, a ?? {}] }));
    return JSON.parse(this.raw(JSON.stringify(body))) as RpcAnswer[];
  }

  call(object: string, method: string, args: Record<string, unknown> = {}, sid = this.sid): RpcAnswer {
    return this.batch([[object, method, args]], sid)[0]!;
  }

  /** The data of a call that must answer [0, {...}]. */
  data(object: string, method: string, args: Record<string, unknown> = {}): Record<string, unknown> {
    const a = this.call(object, method, args);
    if (!a.result || a.result[0] !== 0) throw new Error(`${object}.${method} answered ${JSON.stringify(a)}`);
    return a.result[1] ?? {};
  }

  login(password = 'admin'): RpcAnswer {
    const info = this.call('zwrt_web', 'web_login_info', {}, ZERO_SID);
    const salt = info.result![1]!.zte_web_sault as string;
    const answer = this.call('zwrt_web', 'web_login', { password: loginHash(password, salt) }, ZERO_SID);
    const sid = answer.result?.[1]?.ubus_rpc_session;
    if (typeof sid === 'string') this.sid = sid;
    return answer;
  }

  /** §5.1: fetch the public key, send a fresh AES key under it. */
  keyExchange(): RpcAnswer {
    const pem = this.data('zwrt_web', 'web_crt_get').result as string;
    const body = pem.replace('-----BEGIN PUBLIC KEY-----', '').replace('-----END PUBLIC KEY-----', '');
    const wrapped = `-----BEGIN PUBLIC KEY-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const key = randomBytes(32);
    const blob = publicEncrypt({ key: wrapped, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(key.toString('hex'), 'latin1'));
    const answer = this.call('zwrt_web', 'web_http_enstr_set', { web_enstr: blob.toString('base64') });
    if (answer.result?.[0] === 0) this.aesKey = key;
    return answer;
  }

  /** §5.2: base64(IV ‖ TAG ‖ AES-256-GCM). */
  enc(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.aesKey!, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64');
  }

  dec(text: string): string {
    const blob = Buffer.from(text, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.aesKey!, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
  }
}

/** UCS-2 hex as the stock UI writes a message body (§6.14): astral characters as one 5-digit code point. */
export const ucs2 = (text: string): string => [...text].map((ch) => ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join('');
