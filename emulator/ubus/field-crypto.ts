import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, privateDecrypt, constants, type KeyObject } from 'node:crypto';
import { SeededRandom } from '../state/identity.js';

// Field encryption of the ZWRT web UI (ubus-api.md §5): an RSA key pair per device transports a per-session
// AES-256 key; fields are base64(IV[12] ‖ TAG[16] ‖ AES-256-GCM(x)).

/** Bits of the device's RSA modulus. The real size is not public (§8.6); 2048 is what a PEM of "MIIB…" implies. */
export const RSA_BITS = 2048;

export interface DeviceKey {
  /** SubjectPublicKeyInfo PEM with no line breaks, as web_crt_get answers it (§5.1). */
  publicPem: string;
  privateKey: KeyObject;
}

const keys = new Map<number, DeviceKey>();

/**
 * The device's RSA key, drawn from its seed (the same seed gives the same key, so answers stay reproducible).
 * Made on first use and kept per seed (a few hundred ms of prime search; a fleet member that is never asked
 * costs nothing). At most 256 seeds are kept.
 */
export function deviceKey(seed: number): DeviceKey {
  const cached = keys.get(seed);
  if (cached) return cached;
  const key = seededRsaKey(seed);
  if (keys.size >= 256) keys.clear();
  keys.set(seed, key);
  return key;
}

/**
 * The session key a client sent with web_http_enstr_set: RSA PKCS#1 v1.5 of the key's 64 lower-case hex
 * characters, base64 (§5.1 step 2). Null when it does not decrypt to 64 hex characters.
 */
export function decryptSessionKey(key: DeviceKey, webEnstr: string): Buffer | null {
  let block: Buffer;
  try {
    // Node refuses PKCS#1 v1.5 private decryption since CVE-2023-46809, so the raw block is decrypted and the
    // v1.5 padding (00 02 PS 00 M, RFC 8017 §7.2.2) removed here; what a bad blob gives away does not matter on
    // an emulator.
    block = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(webEnstr, 'base64'));
  } catch (e) {
    // Recorded into the answer: a blob that does not decrypt is a bad argument (status 2).
    void e;
    return null;
  }
  if (block[0] !== 0 || block[1] !== 2) return null;
  const sep = block.indexOf(0, 2);
  if (sep < 10) return null;
  const plain = block.subarray(sep + 1);
  const hex = plain.toString('latin1');
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** ENC(x) of §5.2: base64(IV ‖ TAG ‖ ciphertext). `iv` is drawn by the caller (seeded, so answers repeat). */
export function encryptField(aesKey: Buffer, plain: string, iv: Buffer): string {
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/**
 * DEC(x) as the router reads a client's field: the plaintext when `text` is ENC under `aesKey` with a tag that
 * verifies; null otherwise (not base64, shorter than IV and tag, or a tag mismatch: then it is not ours, and the
 * caller decides whether a plaintext value is accepted, §5.4). ENC("") (28 bytes) decodes to "" (§5.2).
 */
export function decryptField(aesKey: Buffer, text: string): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const blob = Buffer.from(text, 'base64');
  if (blob.length < 28) return null;
  const decipher = createDecipheriv('aes-256-gcm', aesKey, blob.subarray(0, 12));
  decipher.setAuthTag(blob.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  } catch (e) {
    // A tag mismatch: not a field encrypted under this key (recorded as null for the caller).
    void e;
    return null;
  }
}

// --- internal ---

function seededRsaKey(seed: number): DeviceKey {
  const rng = new SeededRandom(seed ^ 0x5eed_25a);
  const e = 65537n;
  for (;;) {
    const p = prime(rng, RSA_BITS / 2);
    const q = prime(rng, RSA_BITS / 2);
    if (p === q) continue;
    const phi = (p - 1n) * (q - 1n);
    if (gcd(e, phi) !== 1n) continue;
    const n = p * q;
    if (n.toString(2).length !== RSA_BITS) continue;
    const d = modInverse(e, phi);
    const jwk = {
      kty: 'RSA',
      n: b64url(n),
      e: b64url(e),
      d: b64url(d),
      p: b64url(p),
      q: b64url(q),
      dp: b64url(d % (p - 1n)),
      dq: b64url(d % (q - 1n)),
      qi: b64url(modInverse(q, p)),
    };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    return { publicPem: pem.replace(/\r?\n/g, ''), privateKey };
  }
}

const SMALL_PRIMES = (() => {
  const out: bigint[] = [];
  for (let n = 3; out.length < 300; n += 2) if (out.every((p) => n % Number(p) !== 0)) out.push(BigInt(n));
  return out;
})();

function prime(rng: SeededRandom, bits: number): bigint {
  for (;;) {
    let n = 0n;
    for (let i = 0; i < bits; i += 16) n = (n << 16n) | BigInt(rng.int(0x10000));
    n &= (1n << BigInt(bits)) - 1n;
    n |= (3n << BigInt(bits - 2)) | 1n; // top two bits set so p*q has the full length; odd
    if (SMALL_PRIMES.some((p) => n % p === 0n)) continue;
    if (millerRabin(n, rng)) return n;
  }
}

function millerRabin(n: bigint, rng: SeededRandom): boolean {
  let d = n - 1n;
  let r = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    r++;
  }
  for (let round = 0; round < 12; round++) {
    const a = 2n + (BigInt(rng.int(0x7fffffff)) % (n - 4n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let i = 1; i < r; i++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

function b64url(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}
