import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

  /** Bytes of the regular files on the card (symlinks are not followed). Throws ShareError noexist without a card folder. */
  usedBytes(): number {
    this.#rootReal();
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
    if (!isDir(dir)) throw new ShareError('noexist', `no folder ${path}`);
    // What a client may reach: files and folders, and links that stay on the card; a dangling or escaping link is
    // not listed (the firmware's card holds no links).
    const root = this.#rootReal();
    const names = readdirSync(dir)
      .filter((name) => inside(root, join(dir, name)))
      .sort();
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
    if (!isDir(dir)) throw new ShareError('noexist', `no folder ${path}`);
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

  /** Card sizes, or the firmware's failure when the card folder is gone. */
  cardValueOrFailure(): Record<string, string> {
    try {
      return this.cardValue();
    } catch (e) {
      if (e instanceof ShareError) return { result: 'failure' };
      throw e;
    }
  }

  close(): void {
    if (this.#ownsRoot) rmSync(this.root, { recursive: true, force: true });
  }

  // --- internal ---

  #writable(): void {
    const share = this.#device.state.share;
    if (!share.enabled || share.access === 'readOnly') throw new ShareError('read_only', 'the share is read-only');
  }

  /** The card folder's real path; ShareError noexist when it is gone (removed by a /tmp cleaner, say). */
  #rootReal(): string {
    try {
      return realpathSync(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new ShareError('noexist', `the card folder ${this.root} is gone`);
      throw e;
    }
  }

  /**
   * Maps `/mmc2/a/b` to a path under the root; refuses anything that escapes it, lexically (`..`) or through a
   * symbolic link (the deepest existing part of the path is resolved with realpath and must stay on the card).
   */
  #resolve(path: string): string {
    let p = path.replace(/\\/g, '/');
    if (p === CARD_ROOT || p.startsWith(`${CARD_ROOT}/`)) p = p.slice(CARD_ROOT.length);
    const segments = p.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.some((s) => s === '..' || s.includes('\0'))) throw new ShareError('bad_path', `path ${path} leaves the card`);
    const full = resolve(this.root, ...segments);
    if (!within(this.root, full)) throw new ShareError('bad_path', `path ${path} leaves the card`);
    const root = this.#rootReal();
    // A link at the end (even a dangling one: writing through it would create its target) must stay on the card.
    let probe = full;
    for (;;) {
      const st = lstatOrNull(probe);
      if (st) {
        let real: string;
        try {
          real = realpathSync(probe);
        } catch (e) {
          // A dangling link: where it points is outside what the card holds.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ShareError('bad_path', `path ${path} is a link to nothing`);
          throw e;
        }
        if (!within(root, real)) throw new ShareError('bad_path', `path ${path} leaves the card through a link`);
        return full;
      }
      if (probe === this.root) return full;
      probe = dirname(probe);
    }
  }


}

function checkName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.length > 255) {
    throw new ShareError('bad_path', `bad file name "${name}"`);
  }
  return name;
}

/** `path` is `root` or lies under it (a name such as `...` is a name, not a way up). */
function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** True when `path` (a link included) resolves to something under the card's real path `root`. */
function inside(root: string, path: string): boolean {
  try {
    return within(root, realpathSync(path));
  } catch (e) {
    // A dangling link (or an entry removed meanwhile) is not on the card.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
}

/** Bytes of the regular files under `path`; links are not followed, entries that vanish meanwhile count nothing. */
function sizeOf(path: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += sizeOf(full);
    else if (entry.isFile()) total += lstatOrNull(full)?.size ?? 0;
  }
  return total;
}
