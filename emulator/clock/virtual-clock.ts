// The virtual clock: every time-based behaviour of the emulator reads it and schedules on it.
// Imports nothing internal but hil/errors.ts.
import { BenchError } from '../../hil/errors.js';

/** How virtual time moves. */
export type ClockMode =
  /** Virtual time follows wall time, multiplied by `speed` (1 = real time). */
  | 'running'
  /** Virtual time only moves through `advance()`; used by tests and stepped scenarios. */
  | 'paused';

export interface ClockOptions {
  /** Virtual epoch ms at creation. Default: 2026-01-01T00:00:00Z when paused, Date.now() when running. */
  originMs?: number;
  /** Default 'running'. */
  mode?: ClockMode;
  /** Virtual seconds per wall second while running. Default 1. Must be > 0 and <= 100000. */
  speed?: number;
  /** Wall-clock pump period while running, ms. Default 50. */
  pumpIntervalMs?: number;
}

export interface TimerHandle {
  cancel(): void;
}

/** Default origin in paused mode, fixed so that the same seed and steps give the same answers. */
export const DEFAULT_PAUSED_ORIGIN_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
const MAX_SPEED = 100_000;

interface Timer {
  atMs: number;
  seq: number;
  fn: () => void;
  intervalMs: number;
  cancelled: boolean;
}

/**
 * A discrete-event clock. Timers fire in (time, creation order) order, and `now()` during a callback
 * is the timer's own due time, so a day of device time stepped in one `advance()` gives the same
 * results as the same day stepped second by second.
 */
export class VirtualClock {
  #nowMs: number;
  #mode: ClockMode;
  #speed: number;
  /** Pending timers as a binary min-heap on (atMs, seq): a fleet keeps tens of thousands of them. */
  #timers: Timer[] = [];
  #seq = 0;
  #wallAnchor = 0;
  #virtualAnchor = 0;
  #pump: ReturnType<typeof setInterval> | undefined;
  #pumpIntervalMs: number;
  #advancing = false;
  #closed = false;
  /** Cancelled timers still in the heap. */
  #cancelled = 0;

  constructor(options: ClockOptions = {}) {
    this.#mode = options.mode ?? 'running';
    this.#nowMs = options.originMs ?? (this.#mode === 'paused' ? DEFAULT_PAUSED_ORIGIN_MS : Date.now());
    this.#speed = checkSpeed(options.speed ?? 1);
    this.#pumpIntervalMs = options.pumpIntervalMs ?? 50;
    if (this.#mode === 'running') this.#startPump();
  }

  get mode(): ClockMode {
    return this.#mode;
  }

  get speed(): number {
    return this.#speed;
  }

  /** Virtual epoch milliseconds. While running it first catches up with wall time. */
  now(): number {
    if (this.#mode === 'running' && !this.#advancing) this.#catchUp();
    return this.#nowMs;
  }

  /** Stop virtual time; it then moves only with `advance()`. Idempotent. */
  pause(): void {
    if (this.#mode === 'paused') return;
    this.#catchUp();
    this.#mode = 'paused';
    this.#stopPump();
  }

  /** Let virtual time follow wall time again at the current speed. Idempotent. */
  resume(): void {
    if (this.#closed) throw new BenchError('CLOCK_MODE', '[emulator:clock] the clock is closed; create a new emulator');
    if (this.#mode === 'running') return;
    this.#mode = 'running';
    this.#startPump();
  }

  /** Change the speed (virtual seconds per wall second); throws INVALID_ARGUMENT outside (0, 100000]. */
  setSpeed(speed: number): void {
    checkSpeed(speed);
    if (this.#mode === 'running') this.#catchUp();
    this.#speed = speed;
    this.#anchor();
  }

  /** Move virtual time forward by `ms`, firing every timer due on the way. Works in both modes. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new BenchError('INVALID_ARGUMENT', `[emulator:clock] cannot advance by ${ms} ms; give a finite duration >= 0`);
    }
    if (this.#mode === 'running') this.#catchUp();
    this.#runUntil(this.#nowMs + ms);
    this.#anchor();
  }

  /**
   * Set virtual time to `nowMs` (earlier or later) without firing anything: every pending timer keeps the delay
   * it had left, so intervals and order are unchanged. What a bench reset uses to start each run at the same time.
   */
  rebase(nowMs: number): void {
    if (!Number.isFinite(nowMs)) throw new BenchError('INVALID_ARGUMENT', `[emulator:clock] cannot set the time to ${nowMs}`);
    if (this.#mode === 'running') this.#catchUp();
    const delta = nowMs - this.#nowMs;
    for (const t of this.#timers) t.atMs += delta;
    this.#nowMs = nowMs;
    this.#anchor();
  }

  /** Run `fn` once at virtual time `atMs` (or at the next step if it is in the past). */
  at(atMs: number, fn: () => void): TimerHandle {
    return this.#add(Math.max(atMs, this.#nowMs), fn, 0);
  }

  /** Run `fn` once after `delayMs` of virtual time. */
  after(delayMs: number, fn: () => void): TimerHandle {
    return this.#add(this.#nowMs + Math.max(0, delayMs), fn, 0);
  }

  /** Run `fn` every `intervalMs` of virtual time, first after one interval. */
  every(intervalMs: number, fn: () => void): TimerHandle {
    if (!(intervalMs > 0)) {
      throw new BenchError('INVALID_ARGUMENT', `[emulator:clock] interval must be > 0 ms, got ${intervalMs}`);
    }
    return this.#add(this.#nowMs + intervalMs, fn, intervalMs);
  }

  /** Stop the wall-clock pump and drop every timer. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stopPump();
    for (const t of this.#timers) t.cancelled = true;
    this.#timers = [];
  }

  // --- internal ---

  #add(atMs: number, fn: () => void, intervalMs: number): TimerHandle {
    const timer: Timer = { atMs, seq: this.#seq++, fn, intervalMs, cancelled: false };
    heapPush(this.#timers, timer);
    return {
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        // Let go of the callback (and the device it holds) now, not when the timer would have come due.
        timer.fn = noop;
        if (++this.#cancelled > 1024 && this.#cancelled > this.#timers.length / 2) this.#compact();
      },
    };
  }

  /** Drop cancelled timers and rebuild the heap (when they are the majority, e.g. a fleet put devices away). */
  #compact(): void {
    const live = this.#timers.filter((t) => !t.cancelled);
    this.#timers = [];
    for (const t of live) heapPush(this.#timers, t);
    this.#cancelled = 0;
  }

  #runUntil(targetMs: number): void {
    this.#advancing = true;
    try {
      for (;;) {
        const next = this.#timers[0];
        if (!next || next.atMs > targetMs) break;
        heapPop(this.#timers);
        if (next.cancelled) {
          this.#cancelled = Math.max(0, this.#cancelled - 1);
          continue;
        }
        this.#nowMs = Math.max(this.#nowMs, next.atMs);
        if (next.intervalMs > 0) {
          next.atMs += next.intervalMs;
          next.seq = this.#seq++;
          heapPush(this.#timers, next);
        }
        next.fn();
      }
      this.#nowMs = Math.max(this.#nowMs, targetMs);
    } finally {
      this.#advancing = false;
    }
  }

  #catchUp(): void {
    const wall = Date.now();
    const target = this.#virtualAnchor + Math.floor((wall - this.#wallAnchor) * this.#speed);
    if (target > this.#nowMs) this.#runUntil(target);
  }

  #anchor(): void {
    this.#wallAnchor = Date.now();
    this.#virtualAnchor = this.#nowMs;
  }

  #startPump(): void {
    this.#anchor();
    this.#pump = setInterval(() => {
      if (!this.#advancing) this.#catchUp();
    }, this.#pumpIntervalMs);
    this.#pump.unref();
  }

  #stopPump(): void {
    if (this.#pump) clearInterval(this.#pump);
    this.#pump = undefined;
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0 || speed > MAX_SPEED) {
    throw new BenchError('INVALID_ARGUMENT', `[emulator:clock] speed ${speed} is out of range; give a number in (0, ${MAX_SPEED}]`);
  }
  return speed;
}

function noop(): void {
  // a cancelled timer's callback
}

function before(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

function heapPush(heap: Timer[], timer: Timer): void {
  let i = heap.push(timer) - 1;
  while (i > 0) {
    const parent = (i - 1) >>> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: Timer[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
