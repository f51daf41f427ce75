// What keeps a listener safe next to a browser (README "Security"): a web page the tester opens must not be able
// to drive or read the control API or the dashboard, by a cross-site request (CSRF) or a rebinding DNS name.
import type { Context, Next } from 'hono';
import { isIP } from 'node:net';
import { isLoopbackHost } from '../net.js';
import { problem, type Problem } from './route.js';

export interface GuardOptions {
  /** Host names (or addresses) besides loopback that requests may name in Host (--control-allow-host). */
  allowHosts?: readonly string[] | undefined;
}

/** The host part of a Host header (`name:port`, `[::1]:port`), lower-cased; null when there is none. */
export function hostOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? null : h.slice(1, end);
  }
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/**
 * 403 for a Host that names neither an address, nor localhost, nor an allowed host (DNS rebinding: the page's own name
 * resolving to 127.0.0.1), and for an Origin other than the listener's own (a cross-site fetch or form POST; a
 * page's `Origin: null` included). Requests without Origin (curl, SDKs, same-origin GETs) pass.
 */
export function browserGuard(options: GuardOptions, sendProblem: (c: Context, p: Problem) => Response) {
  const allowed = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
  return async function guard(c: Context, next: Next) {
    const hostHeader = c.req.header('host') ?? new URL(c.req.url).host;
    const host = hostOf(hostHeader);
    // An address in Host cannot be a rebinding (a browser sends the name it resolved); a name must be loopback's
    // or allowed.
    if (host === null || !(isIP(host) !== 0 || isLoopbackHost(host) || allowed.has(host))) {
      return sendProblem(c, problem(403, 'Forbidden', `Host "${hostHeader ?? ''}" is not this control API's; use a loopback address or allow the name with --control-allow-host`).problem);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !sameOrigin(origin, hostHeader)) {
      return sendProblem(c, problem(403, 'Forbidden', `cross-origin requests are refused (Origin ${origin}); the control API serves its own dashboard only`).problem);
    }
    // Fetch metadata (browsers that send it): a cross-site request is refused even without an Origin header.
    if (c.req.header('sec-fetch-site') === 'cross-site') {
      return sendProblem(c, problem(403, 'Forbidden', 'cross-site requests are refused').problem);
    }
    await next();
  };
}

function sameOrigin(origin: string, hostHeader: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    // `null` (a sandboxed or file page) and anything unparsable are not this listener's origin.
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === hostHeader.trim().toLowerCase();
}

/** True for `application/json` and `application/*+json` (merge-patch), with or without parameters. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The JSON path of the first `__proto__`, `constructor` or `prototype` key in a parsed body, or null. */
export function forbiddenKeyPath(value: unknown, path = 'body'): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return `${path}.${key}`;
    const inner = forbiddenKeyPath((value as Record<string, unknown>)[key], `${path}.${key}`);
    if (inner) return inner;
  }
  return null;
}
