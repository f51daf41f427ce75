import type { Emulator } from '../../emulator/index.js';

/** A JSON client for the control API through app.request (no sockets). */
export class ControlClient {
  constructor(
    readonly emulator: Emulator,
    readonly token?: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string; type: string }> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await this.emulator.control.request(`/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON (JSON lines, HTML): the text is in `text`.
      json = null;
    }
    return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
  }

  /** POST a stimulus to the device and expect 200. */
  async stimulus(name: string, body: unknown = {}): Promise<unknown> {
    const r = await this.call('POST', `/devices/dev-0/stimuli/${name}`, body);
    if (r.status !== 200) throw new Error(`stimulus ${name} answered ${r.status}: ${r.text}`);
    return r.json;
  }
}
