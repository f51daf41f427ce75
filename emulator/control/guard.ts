// What keeps a listener safe next to a browser (README "Security"): a web page the tester opens must not be able
// to drive or read the control API or the dashboard, by a cross-site request (CSRF) or a rebinding DNS name.
import type { Context, Next } from 'hono';
import { browserRefusal } from '../net.js';
import { problem, type Problem } from './route.js';

export interface GuardOptions {
  /** Host names (or addresses) besides loopback that requests may name in Host (--control-allow-host). */
  allowHosts?: readonly string[] | undefined;
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
    const origin = c.req.header('origin');
    const refused = browserRefusal(hostHeader, origin, c.req.header('sec-fetch-site'), allowed);
    if (refused === 'host') return sendProblem(c, problem(403, 'Forbidden', `Host "${hostHeader}" is not this control API's; use a loopback address or allow the name with --control-allow-host`).problem);
    if (refused === 'origin') return sendProblem(c, problem(403, 'Forbidden', `cross-origin requests are refused (Origin ${origin ?? ''}); the control API serves its own dashboard only`).problem);
    if (refused === 'cross-site') return sendProblem(c, problem(403, 'Forbidden', 'cross-site requests are refused').problem);
    await next();
  };
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
