import { createHash, randomBytes } from 'node:crypto';

// HTTP Digest (RFC 7616, MD5) as a CPE answers an ACS or a file server (device-management.md §1.10).

/** RFC 7616 Digest (MD5) for a challenge; `qop=auth` when offered, else the RFC 2069 form. */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string, body: string, nc: number): string {
  const p = Object.fromEntries([...challenge.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1]!.toLowerCase(), m[2] ?? m[3] ?? '']));
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const ha1 = md5(`${username}:${p.realm ?? ''}:${password}`);
  const qops = (p.qop ?? '').split(',').map((q) => q.trim()).filter(Boolean);
  const qop = qops.includes('auth') ? 'auth' : qops.includes('auth-int') ? 'auth-int' : '';
  const ha2 = qop === 'auth-int' ? md5(`${method}:${uri}:${md5(body)}`) : md5(`${method}:${uri}`);
  const ncText = nc.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const response = qop ? md5(`${ha1}:${p.nonce ?? ''}:${ncText}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${p.nonce ?? ''}:${ha2}`);
  const parts = [`username="${username}"`, `realm="${p.realm ?? ''}"`, `nonce="${p.nonce ?? ''}"`, `uri="${uri}"`, `response="${response}"`, 'algorithm=MD5'];
  if (qop) parts.push(`qop=${qop}`, `nc=${ncText}`, `cnonce="${cnonce}"`);
  if (p.opaque !== undefined) parts.push(`opaque="${p.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

