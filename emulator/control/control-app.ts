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

// The bench's control plane as a Hono app: JSON over HTTP, zod-validated, described by OpenAPI 3.1.

export interface ControlAppOptions extends ControlContext {
  /** Bearer token every request must carry (Authorization: Bearer T, or ?token=T for SSE); null = none. */
  token: string | null;
  /** Largest request body, bytes. Default 1 MiB (snapshots are a few KiB). */
  maxBodyBytes?: number;
}

const VERSION = '0.1.0';

export function createControlApp(options: ControlAppOptions): Hono<{ Bindings: Partial<HttpBindings> }> {
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>();
  const stimulusListeners = new Set<(deviceId: string, name: string, body: unknown) => void>();
  const routes = controlRoutes({
    ...options,
    onStimulus: (id, name, body) => {
      options.onStimulus?.(id, name, body);
      for (const fn of stimulusListeners) fn(id, name, body);
    },
  });
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;

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

  app.use('/api/*', async function requireToken(c: Context, next: Next) {
    if (options.token === null) return next();
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : (c.req.query('token') ?? '');
    const a = Buffer.from(given);
    const b = Buffer.from(options.token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return sendProblem(c, problem(401, 'Unauthorized', 'this control API needs its token: send "Authorization: Bearer <token>"').problem);
    }
    return next();
  });

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
        if (text.length > maxBody) throw problem(413, 'Body too large', `the body has ${text.length} bytes; at most ${maxBody}`);
        let json: unknown;
        try {
          json = text === '' ? {} : JSON.parse(text);
        } catch (e) {
          throw problem(400, 'Invalid request', `body: not JSON (${e instanceof Error ? e.message : 'parse error'})`, [{ field: 'body', message: 'not JSON' }]);
        }
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
    const handle = options.devices.get(id);
    if (!handle) throw problem(404, 'Unknown device', `no device "${id}"; GET /api/v1/devices lists them`);
    return streamSSE(c, async (stream) => {
      let eventId = 0;
      let scheduled = false;
      const queue: { event: string; data: string }[] = [];
      let wake: (() => void) | null = null;
      const push = (event: string, data: unknown): void => {
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
        while (queue.length > 0) {
          const next = queue.shift()!;
          await stream.writeSSE({ event: next.event, data: next.data, id: String(++eventId) });
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000); // keep-alive tick
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
      }
    });
  });

  const doc = openApiDocument(
    [...routes, { method: 'get', path: '/devices/{id}/events', summary: 'Server-Sent Events: "state" summaries and "journal" entries of one device', tag: 'events', handler: () => null }],
    { title: 'routerlab control API', version: VERSION },
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

