// The device's own web pages on the goform port (goform-api.md §9.1): `GET /` answers 200 like the firmware's web UI,
// either with a small page of the emulator's own or with a stock web UI folder the user extracted from their own
// device's firmware (`routerlab serve --webui DIR`); the Wi-Fi QR code image is generated from the current SSID/key.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import QRCode from 'qrcode';
import { BenchError } from '../../hil/errors.js';
import type { DeviceApi } from '../state/device-api.js';

export const QR_PATH = '/img/qrcode_ssid_wifikey.png';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Switches some stock bundles carry for ZTE's own mock backend (`simulate.js`); served as false, so the UI talks to
 * the goform API: `zte_web_ui_is_test: true`, `IS_TEST = true`, `isTest: true` and their quoted variants.
 */
const MOCK_SWITCH = /\b(zte_web_ui_is_test|IS_TEST|isTest)(["']?\s*[:=]\s*)(true|["']true["']|1)\b/g;

export interface WebUi {
  /** A file of the UI folder (or the built-in page), or null when there is none at `path`. */
  file(path: string): { body: Uint8Array<ArrayBuffer> | string; type: string } | null;
  /** The Wi-Fi QR code (WIFI:T:WPA;S:<ssid>;P:<key>;;) as PNG. */
  qrCode(): Promise<Uint8Array<ArrayBuffer>>;
}

/** @param dir - a stock web UI folder (index.html, js/, css/, img/...); undefined for the emulator's own page. */
export function createWebUi(device: DeviceApi, dir?: string): WebUi {
  let root: string | null = null;
  if (dir !== undefined) {
    try {
      root = realpathSync(resolve(dir));
      if (!statSync(join(root, 'index.html')).isFile()) throw new Error('no index.html');
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `[emulator:webui] ${dir} is not a web UI folder with an index.html; give the folder you extracted from your device's firmware`, { cause: e });
    }
  }
  return {
    file(path) {
      const wanted = path === '/' || path === '' ? '/index.html' : path;
      if (root === null) return wanted === '/index.html' ? { body: ownPage(device), type: TYPES['.html']! } : null;
      let full: string;
      try {
        full = realpathSync(join(root, decodeURIComponent(wanted)));
      } catch {
        // No such file (or an undecodable name): the device answers 404.
        return null;
      }
      const rel = relative(root, full);
      if (rel === '' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`) || !statSync(full).isFile()) return null;
      const type = TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream';
      const data = readFileSync(full);
      if (type.startsWith('application/javascript') || type.startsWith('text/html')) return { body: data.toString('utf8').replace(MOCK_SWITCH, '$1$2false'), type };
      return { body: new Uint8Array(data), type };
    },
    async qrCode() {
      const w = device.state.wifi.main;
      const esc = (v: string): string => v.replace(/([\\;,:"])/g, '\\$1');
      const auth = w.authMode === 'OPEN' ? 'nopass' : w.authMode.includes('WPA') ? 'WPA' : 'WEP';
      const text = `WIFI:T:${auth};S:${esc(w.ssid)};${auth === 'nopass' ? '' : `P:${esc(w.password)};`}${w.hidden ? 'H:true;' : ''};`;
      return new Uint8Array(await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 200 }));
    },
  };
}

function ownPage(device: DeviceApi): string {
  const esc = (v: string): string => v.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const name = esc(device.state.identity.deviceName || device.profile.model);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title>
<style>body{font:15px system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222}code{background:#eee;padding:0 .3em}</style></head>
<body>
<h1>${name}</h1>
<p>An emulated ${esc(device.profile.model)} (routerlab). Its web API is the goform API:
<code>/goform/goform_get_cmd_process</code> and <code>/goform/goform_set_cmd_process</code>; the login page reads
<code>cmd=Language,cr_version,wa_inner_version&amp;multi_data=1</code> first.</p>
<p>To click through the device's own web UI, start the emulator with <code>routerlab serve --webui DIR</code>, where DIR is
the web UI folder you extracted from your device's firmware.</p>
<p><img src="${QR_PATH}" alt="Wi-Fi QR code" width="200" height="200"></p>
</body></html>
`;
}
