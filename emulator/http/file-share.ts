import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { BenchError } from '../../hil/errors.js';
import type { DeviceApi } from '../state/device-api.js';

// The router's file sharing (SD card / HTTP share, goform-api.md §3.10 and §4.8), stored in a real folder.

export const CARD_ROOT = '/mmc2';
const BLOCK = 32 * 1024; // HTTPSHARE_GETCARD_VALUE sizes are in 32 KiB units (§3.10)

export interface ShareEntry {
  fileName: string;
  attribute: 'document' | 'folder';
  size: string;
  lastUpdateTime: string;
}

export type ShareErrorCode = 'noexist' | 'exist' | 'read_only' | 'bad_path' | 'quota' | 'no_sdcard';

export class ShareError extends Error {
  override readonly name = 'ShareError';
  constructor(readonly result: ShareErrorCode, message: string) {
    super(message);
  }
}

export class FileShare {
  readonly root: string;
  readonly #device: DeviceApi;
  readonly #ownsRoot: boolean;

  /** @param folder - where shared files live; default a new temporary folder removed on close(). */
  constructor(device: DeviceApi, folder?: string) {
    this.#device = device;
    this.#ownsRoot = folder === undefined;
    this.root = resolve(folder ?? mkdtempSync(join(tmpdir(), 'routerlab-share-')));
    try {
      mkdirSync(this.root, { recursive: true });
    } catch (e) {
      throw new BenchError('CONFIG_INVALID', `[emulator:share] cannot create share folder ${this.root}; give a writable --share-dir`, { cause: e });
    }
  }

  get quotaBytes(): number {
    return this.#device.state.share.quotaBytes;
  }

  usedBytes(): number {
    return sizeOf(this.root);
  }

  /** Card sizes in 32 KiB units, as HTTPSHARE_GETCARD_VALUE answers. */
  cardValue(): { sd_card_total_size: string; sd_card_avi_space: string } {
    return {
      sd_card_total_size: String(Math.floor(this.quotaBytes / BLOCK)),
      sd_card_avi_space: String(Math.floor(Math.max(0, this.quotaBytes - this.usedBytes()) / BLOCK)),
    };
  }

  list(path: string, page: number, perPage = 10): { totalRecord: string; fileInfo: ShareEntry[] } {
    const dir = this.#resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ShareError('noexist', `no folder ${path}`);
    const names = readdirSync(dir).sort();
    const entries = names.slice(Math.max(0, page - 1) * perPage, Math.max(1, page) * perPage).map((name) => {
      const st = statSync(join(dir, name));
      return {
        fileName: name,
        attribute: st.isDirectory() ? ('folder' as const) : ('document' as const),
        size: String(st.isDirectory() ? 0 : st.size),
        lastUpdateTime: String(Math.floor(st.mtimeMs / 1000)),
      };
    });
    return { totalRecord: String(names.length), fileInfo: entries };
  }

  mkdir(path: string, name: string): void {
    this.#writable();
    const target = this.#resolve(`${path}/${checkName(name)}`);
    if (existsSync(target)) throw new ShareError('exist', `${name} exists`);
    mkdirSync(target);
  }

  rename(oldPath: string, newPath: string): void {
    this.#writable();
    const from = this.#resolve(oldPath);
    const to = this.#resolve(newPath);
    if (!existsSync(from)) throw new ShareError('noexist', `no ${oldPath}`);
    if (existsSync(to)) throw new ShareError('exist', `${newPath} exists`);
    renameSync(from, to);
  }

  /** Delete the named entries (files or folders) under `path`. */
  remove(path: string, names: string[]): void {
    this.#writable();
    for (const name of names) {
      const target = this.#resolve(`${path}/${checkName(name)}`);
      if (!existsSync(target)) throw new ShareError('noexist', `no ${name}`);
    }
    for (const name of names) rmSync(this.#resolve(`${path}/${name}`), { recursive: true, force: true });
  }

  /** Store an uploaded file; refuses past the quota or in read-only mode, without touching existing data. */
  write(path: string, name: string, data: Uint8Array): void {
    this.#writable();
    const dir = this.#resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ShareError('noexist', `no folder ${path}`);
    const target = this.#resolve(`${path}/${checkName(name)}`);
    const replacing = existsSync(target) ? statSync(target).size : 0;
    if (this.usedBytes() - replacing + data.byteLength > this.quotaBytes) {
      throw new ShareError('quota', `upload of ${data.byteLength} bytes exceeds the ${this.quotaBytes}-byte card`);
    }
    writeFileSync(target, data);
  }

  read(path: string): Buffer {
    const target = this.#resolve(path);
    if (!existsSync(target) || !statSync(target).isFile()) throw new ShareError('noexist', `no file ${path}`);
    return readFileSync(target);
  }

  close(): void {
    if (this.#ownsRoot) rmSync(this.root, { recursive: true, force: true });
  }

  // --- internal ---

  #writable(): void {
    const share = this.#device.state.share;
    if (!share.enabled || share.access === 'readOnly') throw new ShareError('read_only', 'the share is read-only');
  }

  /** Maps `/mmc2/a/b` to a path under the root; refuses anything that escapes it. */
  #resolve(path: string): string {
    let p = path.replace(/\\/g, '/');
    if (p === CARD_ROOT || p.startsWith(`${CARD_ROOT}/`)) p = p.slice(CARD_ROOT.length);
    const segments = p.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.some((s) => s === '..' || s.includes('\0'))) throw new ShareError('bad_path', `path ${path} leaves the card`);
    const full = resolve(this.root, ...segments);
    const rel = relative(this.root, full);
    if (rel.startsWith('..') || rel.includes(`..${sep}`)) throw new ShareError('bad_path', `path ${path} leaves the card`);
    return full;
  }
}

function checkName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 255) {
    throw new ShareError('bad_path', `bad file name "${name}"`);
  }
  return name;
}

function sizeOf(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? sizeOf(full) : statSync(full).size;
  }
  return total;
}
