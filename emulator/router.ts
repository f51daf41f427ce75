// One router assembled from one device: its goform surface, its modem, the journal and faults they share and
// its file share. The single emulator and every fleet member are built here, so they behave the same.
import { getRequestListener } from '@hono/node-server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FileShare } from './http/file-share.js';
import { createGoformApp, type GoformApp } from './http/goform-app.js';
import { createWebUi } from './http/web-ui.js';
import { Faults } from './instrument/faults.js';
import type { Journal } from './instrument/journal.js';
import { UnhandledReporter } from './instrument/unhandled.js';
import { Modem } from './modem/modem.js';
import { createUbusApp, type UbusApp } from './ubus/ubus-app.js';
import type { Device } from './state/device.js';

export interface RouterOptions {
  /** Where every goform request and AT command/URC is recorded; null for none. */
  journal: Journal | null;
  /** Faults of this router; default a fresh set seeded from the device. */
  faults?: Faults | undefined;
  /**
   * The file share: `{ dir }` to hold shared files in a folder, `{ dir: null }` for a temporary folder deleted on
   * close, or null for none. Default a temporary folder when the profile has the httpshare group.
   */
  share?: { dir: string | null } | null | undefined;
  /** The unhandled policy (shared by a fleet's routers so a name is warned about once). Default warn. */
  unhandled?: UnhandledReporter | undefined;
  /** Largest goform request body, bytes (default 64 KiB). */
  maxBodyBytes?: number | undefined;
  /** A stock web UI folder served on the goform port (`--webui`); default the emulator's own page at `/`. */
  webUiDir?: string | undefined;
}

export interface Router {
  readonly device: Device;
  readonly faults: Faults;
  readonly journal: Journal | null;
  readonly share: FileShare | null;
  readonly unhandled: UnhandledReporter;
  /** The goform surface, made on first use (a fleet member that is never asked costs nothing). */
  readonly goform: GoformApp;
  /** The ubus (ZWRT JSON-RPC) surface, made on first use; a goform profile's device can be driven over it in tests. */
  readonly ubus: UbusApp;
  /** The AT modem, made on first use. */
  readonly modem: Modem;
  /** Where this router's surfaces listen, once they do. */
  readonly endpoints: { goformUrl?: string; modemTcp?: string };
  /** A node request listener for the goform surface: the socket fast path for status reads, else Hono. */
  serveGoform(req: IncomingMessage, res: ServerResponse): void;
  /**
   * The device's HTTP port: the surface its profile speaks (goform or ubus), looked up per request so a bench
   * reset to another profile switches it. The one place that picks between the two.
   */
  serveDevice(req: IncomingMessage, res: ServerResponse): void;
  /** Close the modem's ports, stop the device, remove a temporary share folder. Idempotent. */
  close(): void;
}

export function createRouter(device: Device, options: RouterOptions): Router {
  const faults = options.faults ?? new Faults(device.state.seed);
  faults.rules.attach({ now: () => device.now(), journal: options.journal ?? null, deviceId: device.state.id });
  const unhandled = options.unhandled ?? new UnhandledReporter('warn');
  const shareOption = options.share === undefined ? (device.profile.keyGroups.includes('httpshare') ? { dir: null } : null) : options.share;
  const share = shareOption === null ? null : new FileShare(device, shareOption.dir ?? undefined);
  const webUi = createWebUi(device, options.webUiDir);
  let goform: GoformApp | null = null;
  let modem: Modem | null = null;
  let ubus: UbusApp | null = null;
  let listener: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let closed = false;
  const router: Router = {
    device,
    faults,
    journal: options.journal,
    share,
    unhandled,
    endpoints: {},
    get goform() {
      goform ??= createGoformApp({ device, share, journal: options.journal ?? undefined, faults, unhandled, webUi, ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }) });
      return goform;
    },
    get ubus() {
      ubus ??= createUbusApp({ device, journal: options.journal, faults, unhandled, page: (path) => webUi.file(path) });
      return ubus;
    },
    get modem() {
      modem ??= new Modem(device, { faults, journal: options.journal, unhandled });
      return modem;
    },
    serveGoform(req, res) {
      if (!listener) {
        const app = router.goform;
        const hono = getRequestListener(app.app.fetch);
        listener = function goformListener(rq, rs) {
          if (!app.fastRead(rq, rs)) void hono(rq, rs);
        };
      }
      listener(req, res);
    },
    serveDevice(req, res) {
      if (device.profile.api === 'ubus') router.ubus.serve(req, res);
      else router.serveGoform(req, res);
    },
    close() {
      if (closed) return;
      closed = true;
      modem?.close();
      device.close();
      share?.close();
    },
  };
  return router;
}
