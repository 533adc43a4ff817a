import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pending, Slots, withinLimit } from '../../harness/runner/slots.js';

const tick = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));
const never = new AbortController().signal;

describe('the cells in flight (harness/runner/slots.ts)', () => {
  it('law: never more than the size at once and the size reached, every work runs once, a second release counts once', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), async (size, delays) => {
      const slots = new Slots(size);
      let active = 0;
      let most = 0;
      const ran: number[] = [];
      await Promise.all(delays.map(async (ms, i) => {
        const release = await slots.acquire(never);
        if (!release) throw new Error('no slot without an abort');
        active++;
        most = Math.max(most, active);
        await tick(ms);
        ran.push(i);
        active--;
        release();
        release();
      }));
      expect(most).toBe(Math.min(size, delays.length));
      expect(ran.sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
    }), { numRuns: 40 });
  });

  it('once the signal aborts, work waiting for a slot does not start; work already started finishes', async () => {
    const slots = new Slots(2);
    const stop = new AbortController();
    const started: number[] = [];
    const all = [0, 1, 2, 3, 4].map(async (i) => {
      const release = await slots.acquire(stop.signal);
      if (!release) return;
      started.push(i);
      await tick(20);
      release();
    });
    await tick(5);
    stop.abort();
    await Promise.all(all);
    expect(started).toEqual([0, 1]);
  });

  it('law: pending work is idle exactly when every tracked promise has settled, fulfilled or rejected', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 12 }), async (works) => {
      const pending = new Pending();
      let settled = 0;
      for (const [ms, fails] of works) {
        void pending.track(tick(ms).then(() => {
          settled++;
          if (fails) throw new Error('a request that failed');
        })).catch(() => undefined);
      }
      await pending.idle();
      expect(settled).toBe(works.length);
      // Idle again at once, and again after more work.
      await pending.idle();
      void pending.track(tick(1).then(() => settled++));
      await pending.idle();
      expect(settled).toBe(works.length + 1);
    }), { numRuns: 30 });
  });

  it('a time limit: the value if it comes in time, else what the late answer says', async () => {
    expect(await withinLimit(50, tick(1).then(() => 'answer'), () => 'late')).toBe('answer');
    expect(await withinLimit(10, tick(200).then(() => 'answer'), () => 'late')).toBe('late');
  });
});
