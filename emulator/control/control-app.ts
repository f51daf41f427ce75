import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context, type Next } from 'hono';
import { streamSSE } from 'hono/streaming';
import { timingSafeEqual } from 'node:crypto';
import type { StateView } from '../state/device-state.js';
import { controlRoutes, type ControlContext } from './control-routes.js';
import { batteryBars, dataLimitAmount, signalBars } from '../state/derive.js';
import { fotaPercent, usedPercent } from '../cloud/telemetry.js';
import { dashboardPage } from './dashboard.js';
import { DOCS_PAGE } from './docs-page.js';
import { openApiDocument, ProblemError, problem, toHonoPath, validationProblem, type Problem } from './route.js';
import { bodyLimit } from 'hono/body-limit';
import { BenchError } from '../../hil/errors.js';
import { browserGuard, forbiddenKeyPath, isJsonContentType } from './guard.js';
import { DeviceHistory } from './history.js';
import { countRows } from './fleet-view.js';

const EVENTS_PATH = /^\/api\/v1\/(devices\/[^/]+\/events|fleet\/events)$/;

// The bench's control plane as a Hono app: JSON over HTTP, zod-validated, described by OpenAPI 3.1.

export interface ControlAppOptions extends ControlContext {
  /**
   * Bearer token every request must carry (`Authorization: Bearer T`, the scheme in any case; `?token=T` only on
   * the event stream, which EventSource cannot give headers); null = none. An empty token throws CONFIG_INVALID.
   */
  token: string | null;
  /** Largest request body, bytes, from Content-Length or while it streams. Default 1 MiB (snapshots are a few KiB). */
  maxBodyBytes?: number;
  /** Host names besides loopback that requests may name (--control-allow-host); others get 403. */
  allowHosts?: readonly string[] | undefined;
  /** Events one event stream may hold for a client that does not read; the oldest go first (counted). Default 1000. */
  maxQueuedEvents?: number;
}

const VERSION = '0.1.0';

export function createControlApp(options: ControlAppOptions): Hono<{ Bindings: Partial<HttpBindings> }> {
  if (options.token !== null && options.token.trim() === '') {
    throw new BenchError('CONFIG_INVALID', '[emulator:control] the control token is empty (an unset CI secret?); give a non-empty --control-token or ROUTERLAB_CONTROL_TOKEN, or none at all on loopback');
  }
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  const stimulusListeners = new Set<(deviceId: string, name: string, body: unknown) => void>();
  // Charts start before the page opens: devices that are always live are recorded from now, a fleet's devices from
  // the first time the control API touches them (history.ts bounds both).
  const history = new DeviceHistory({ summaryOf: (d) => summaryOf(d.device.state, options.clock.now()) });
  for (const [id, d] of options.devices.live?.() ?? []) history.track(id, d);
  const devices: ControlContext['devices'] = {
    ...options.devices,
    get(id) {
      const d = options.devices.get(id);
      if (d) history.track(id, d);
      return d;
    },
  };
  const routes = controlRoutes({
    ...options,
    devices,
    history: (id) => history.view(id),
    onStimulus: (id, name, body) => {
      options.onStimulus?.(id, name, body);
      history.mark(id, { virtualMs: options.clock.now(), name, body });
      for (const fn of stimulusListeners) fn(id, name, body);
    },
  });
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxQueued = options.maxQueuedEvents ?? 1000;
  let eventsDropped = 0;

  const sendProblem = (c: Context, p: Problem): Response => c.json(p, p.status as 400, { 'Content-Type': 'application/problem+json' });

  // The one place control-API errors become output: a problem document, never a stack trace.
  app.onError((err, c) => {
    if (err instanceof ProblemError) return sendProblem(c, err.problem);
    if (err instanceof Error && 'code' in err && (err as { code: unknown }).code === 'INVALID_ARGUMENT') {
      return sendProblem(c, problem(400, 'Invalid request', err.message).problem);
    }
    process.stderr.write(`[emulator:control] ${c.req.method} ${c.req.path} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return sendProblem(c, problem(500, 'Internal error', 'the emulator failed on this request; see its stderr').problem);
  });

  // Before anything else, for the API, its docs and the dashboard alike: Host and Origin (guard.ts). No CORS.
  app.use('*', browserGuard({ allowHosts: options.allowHosts }, sendProblem));

  app.use('/api/*', async function requireToken(c: Context, next: Next) {
    // The docs page, like the dashboard, holds no data: it opens in a browser and asks for the token itself.
    if (options.token === null || (c.req.method === 'GET' && c.req.path === '/api/v1/docs')) return next();
    const header = /^bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    // RFC 7235: the scheme is case-insensitive. A token in the URL (logs, history) only where no header can go.
    const given = header ? header[1]!.trim() : EVENTS_PATH.test(c.req.path) ? (c.req.query('token') ?? '') : '';
    const a = Buffer.from(given);
    const b = Buffer.from(options.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return sendProblem(c, problem(401, 'Unauthorized', 'this control API needs its token: send "Authorization: Bearer <token>"').problem);
    }
    return next();
  });

  // Bodies are cut off at the limit while they stream, not after they were buffered whole.
  app.use(
    '/api/*',
    bodyLimit({ maxSize: maxBody, onError: (c) => sendProblem(c, problem(413, 'Body too large', `the body is larger than ${maxBody} bytes`).problem) }),
  );

  for (const route of routes) {
    app.on(route.method.toUpperCase(), `/api/v1${toHonoPath(route.path)}`, async (c) => {
      let query: Record<string, unknown> = {};
      if (route.query) {
        const parsed = route.query.safeParse(c.req.query());
        if (!parsed.success) throw validationProblem('query', parsed.error);
        query = parsed.data;
      }
      let body: unknown;
      if (route.body) {
        const text = await c.req.text();
        // A body must say it is JSON: a page's <form> can post text/plain or urlencoded cross-site, not JSON.
        if (text !== '' && !isJsonContentType(c.req.header('content-type'))) {
          throw problem(415, 'Unsupported media type', `send the body as application/json, not ${c.req.header('content-type') ?? 'without a Content-Type'}`);
        }
        let json: unknown;
        try {
          json = text === '' ? {} : JSON.parse(text);
        } catch (e) {
          throw problem(400, 'Invalid request', `body: not JSON (${e instanceof Error ? e.message : 'parse error'})`, [{ field: 'body', message: 'not JSON' }]);
        }
        const bad = forbiddenKeyPath(json);
        if (bad) throw problem(400, 'Invalid request', `${bad}: the keys __proto__, constructor and prototype are refused`, [{ field: bad, message: 'forbidden key' }]);
        const parsed = route.body.safeParse(json);
        if (!parsed.success) throw validationProblem('body', parsed.error);
        body = parsed.data;
      }
      const result = route.handler({ params: c.req.param(), query, body, c });
      return result instanceof Response ? result : c.json(result as object);
    });
  }

  // Server-Sent Events: state changes and journal entries of one device, as they happen.
  app.get('/api/v1/devices/:id/events', (c) => {
    const id = c.req.param('id');
    const handle = devices.get(id);
    if (!handle) throw problem(404, 'Unknown device', `no device "${id}"; GET /api/v1/devices lists them`);
    return streamSSE(c, async (stream) => {
      let eventId = 0;
      let scheduled = false;
      const queue: { event: string; data: string }[] = [];
      let dropped = 0;
      let wake: (() => void) | null = null;
      const push = (event: string, data: unknown): void => {
        // A client that stops reading must not grow the queue without bound: the oldest events go, counted, and the
        // client is told with a 'dropped' event once it reads again.
        if (queue.length >= maxQueued) {
          queue.shift();
          dropped++;
          eventsDropped++;
        }
        queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const offState = handle.device.on('changed', () => {
        // Coalesced: one 'state' event per turn of the event loop, however many changes happened in it.
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          push('state', summaryOf(handle.device.state, options.clock.now()));
        });
      });
      const offJournal = options.journal.subscribe((e) => {
        if (e.deviceId === id) push('journal', e);
      });
      const onStimulus = (deviceId: string, name: string, body: unknown): void => {
        if (deviceId === id) push('stimulus', { virtualMs: options.clock.now(), name, body });
      };
      stimulusListeners.add(onStimulus);
      stream.onAbort(() => {
        offState();
        offJournal();
        stimulusListeners.delete(onStimulus);
        wake?.();
      });
      push('state', summaryOf(handle.device.state, options.clock.now()));
      while (!stream.aborted) {
        while (queue.length > 0 || dropped > 0) {
          if (dropped > 0) {
            const n = dropped;
            dropped = 0;
            await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ dropped: n }), id: String(++eventId) });
            continue;
          }
          const next = queue.shift()!;
          await stream.writeSSE({ event: next.event, data: next.data, id: String(++eventId) });
        }
        await new Promise<void>((resolve) => {
          // Keep-alive tick. Cleared when woken and never holding the process: a stopping server must not wait 15 s
          // for an open dashboard (it did).
          const tick = setTimeout(resolve, 15_000);
          tick.unref();
          wake = () => {
            clearTimeout(tick);
            resolve();
          };
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
    });
  });

  // Server-Sent Events for the fleet page: "summary" (the counts of /fleet/summary) when the page connects, after a
  // stimulus (batched over 100 ms), and once a second when the counts changed. The page never asks each device.
  app.get('/api/v1/fleet/events', (c) =>
    streamSSE(c, async (stream) => {
      let last = '';
      let eventId = 0;
      let wake: (() => void) | null = null;
      let due = true;
      const summary = (): string => {
        const rows = devices.rows();
        return JSON.stringify({ total: rows.length, virtualMs: options.clock.now(), counts: countRows(rows) });
      };
      const soon = (): void => {
        due = true;
        wake?.();
      };
      let batch: NodeJS.Timeout | null = null;
      const onStimulus = (): void => {
        if (batch) return;
        batch = setTimeout(() => {
          batch = null;
          soon();
        }, 100);
        batch.unref();
      };
      stimulusListeners.add(onStimulus);
      const tick = setInterval(soon, 1000);
      tick.unref();
      stream.onAbort(() => {
        stimulusListeners.delete(onStimulus);
        clearInterval(tick);
        if (batch) clearTimeout(batch);
        wake?.();
      });
      while (!stream.aborted) {
        if (due) {
          due = false;
          const text = summary();
          if (text !== last) {
            last = text;
            await stream.writeSSE({ event: 'summary', data: text, id: String(++eventId) });
          }
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (due || stream.aborted) resolve();
        });
        wake = null;
      }
    }),
  );

  const doc = openApiDocument(
    [
      ...routes,
      { method: 'get', path: '/devices/{id}/events', summary: 'Server-Sent Events: "state" summaries and "journal" entries of one device; "dropped" counts events a slow reader lost', tag: 'events', handler: () => null },
      { method: 'get', path: '/fleet/events', summary: 'Server-Sent Events for the fleet page: "summary" with the counts of /fleet/summary on connect, after stimuli and when they change (at most once a second)', tag: 'events', handler: () => null },
      { method: 'get', path: '/limits', summary: 'The bounds in force (body size, event queue, journal) and what they dropped or cut', tag: 'journal', handler: () => null },
    ],
    { title: 'routerlab control API', version: VERSION },
  );
  // The bounds in force and what they have dropped or cut so far (README "Bounds").
  app.get('/api/v1/limits', (c) =>
    c.json({
      bodyBytes: maxBody,
      eventStream: { maxQueuedEvents: maxQueued, dropped: eventsDropped },
      journal: { capacity: options.journal.capacity, size: options.journal.size, maxBytes: options.journal.maxBytes, bytes: options.journal.bytes, cutValues: options.journal.cutValues },
    }),
  );
  app.get('/api/v1/openapi.json', (c) => c.json(doc));
  app.get('/api/v1/docs', (c) => c.html(DOCS_PAGE));
  // The dashboard: one self-contained page (no external resources) on the control listener's root. It holds no
  // data itself; with a token set it asks for it and sends it with every API call.
  app.get('/', (c) => c.html(dashboardPage()));

  app.notFound((c) => sendProblem(c, problem(404, 'Not found', `no route ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`).problem));
  return app;
}

/** What the event stream sends on each change: the values a dashboard charts. */
function summaryOf(s: StateView, nowMs: number): Record<string, unknown> {
  return {
    virtualMs: nowMs,
    registration: s.radio.registration,
    technology: s.radio.technology,
    rsrpDbm: s.radio.rsrpDbm,
    rsrqDb: s.radio.rsrqDb,
    sinrDb: s.radio.sinrDb,
    bars: signalBars(s),
    batteryPercent: s.battery.percent,
    batteryBars: batteryBars(s.battery.percent),
    charging: s.battery.chargerConnected,
    ppp: s.connection.ppp,
    rxBytesPerSecond: s.traffic.rxBytesPerSecond,
    txBytesPerSecond: s.traffic.txBytesPerSecond,
    monthlyBytes: s.traffic.monthlyRxBytes + s.traffic.monthlyTxBytes,
    limit: dataLimitAmount(s),
    usedPercent: usedPercent(s),
    fotaPercent: fotaPercent(s),
    smsCount: s.sms.messages.length,
    stationsOnline: s.stations.filter((x) => x.online).length,
    fota: s.fota.upgradeState,
  };
}

