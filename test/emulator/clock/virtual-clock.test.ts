import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../emulator/clock/virtual-clock.js';

describe('VirtualClock', () => {
  const clocks: VirtualClock[] = [];
  const make = (...args: ConstructorParameters<typeof VirtualClock>): VirtualClock => {
    const c = new VirtualClock(...args);
    clocks.push(c);
    return c;
  };
  afterEach(() => {
    for (const c of clocks.splice(0)) c.close();
  });

  it('stays still while paused and moves exactly by advance()', () => {
    const clock = make({ mode: 'paused', originMs: 1000 });
    expect(clock.now()).toBe(1000);
    clock.advance(2500);
    expect(clock.now()).toBe(3500);
  });

  it('fires timers in time order, then creation order, with now() at their due time', () => {
    const clock = make({ mode: 'paused', originMs: 0 });
    const seen: string[] = [];
    clock.after(300, () => seen.push(`b@${clock.now()}`));
    clock.after(100, () => seen.push(`a@${clock.now()}`));
    clock.after(300, () => seen.push(`c@${clock.now()}`));
    clock.advance(1000);
    expect(seen).toEqual(['a@100', 'b@300', 'c@300']);
  });

  it('runs a repeating timer once per interval whether stepped at once or in small steps', () => {
    const big = make({ mode: 'paused', originMs: 0 });
    const small = make({ mode: 'paused', originMs: 0 });
    let a = 0;
    let b = 0;
    big.every(1000, () => a++);
    small.every(1000, () => b++);
    big.advance(86_400_000);
    for (let i = 0; i < 864; i++) small.advance(100_000);
    expect(a).toBe(86_400);
    expect(b).toBe(86_400);
  });

  it('lets a timer schedule another timer that is due within the same advance', () => {
    const clock = make({ mode: 'paused', originMs: 0 });
    const seen: number[] = [];
    clock.after(10, () => clock.after(10, () => seen.push(clock.now())));
    clock.advance(100);
    expect(seen).toEqual([20]);
  });

  it('does not fire a cancelled timer', () => {
    const clock = make({ mode: 'paused', originMs: 0 });
    let fired = false;
    clock.after(10, () => (fired = true)).cancel();
    clock.advance(100);
    expect(fired).toBe(false);
  });

  it('follows wall time multiplied by speed while running', async () => {
    const clock = make({ mode: 'running', originMs: 0, speed: 1000 });
    await new Promise((r) => setTimeout(r, 60));
    // 60 ms of wall time at x1000 is about 60 s of virtual time; allow for scheduling noise.
    expect(clock.now()).toBeGreaterThanOrEqual(50_000);
    clock.pause();
    const frozen = clock.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(clock.now()).toBe(frozen);
  });

  it('refuses a bad speed or a negative advance with INVALID_ARGUMENT', () => {
    const clock = make({ mode: 'paused' });
    expect(() => clock.setSpeed(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => clock.setSpeed(Number.NaN)).toThrow(/speed/);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
