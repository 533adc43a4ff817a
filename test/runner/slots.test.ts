import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Slots, withinLimit } from '../../harness/runner/slots.js';

const tick = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

describe('the cells in flight (harness/runner/slots.ts)', () => {
  it('law: never more than the size at once, every work runs once, and the slots are full while work waits', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), async (size, delays) => {
      const slots = new Slots(size);
      let active = 0;
      let most = 0;
      const ran: number[] = [];
      const signal = new AbortController().signal;
      await Promise.all(delays.map((ms, i) => slots.run(signal, async () => {
        active++;
        most = Math.max(most, active);
        await tick(ms);
        ran.push(i);
        active--;
      })));
      expect(most).toBe(Math.min(size, delays.length));
      expect(ran.sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
    }), { numRuns: 40 });
  });

  it('once the signal aborts, work waiting for a slot does not start; work already started finishes', async () => {
    const slots = new Slots(2);
    const stop = new AbortController();
    const started: number[] = [];
    const finished: number[] = [];
    const all = [0, 1, 2, 3, 4].map((i) => slots.run(stop.signal, async () => {
      started.push(i);
      await tick(20);
      finished.push(i);
    }));
    await tick(5);
    stop.abort();
    await Promise.all(all);
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0, 1]);
  });

  it('a time limit: the value if it comes in time, else what the late answer says', async () => {
    expect(await withinLimit(50, tick(1).then(() => 'answer'), () => 'late')).toBe('answer');
    expect(await withinLimit(10, tick(200).then(() => 'answer'), () => 'late')).toBe('late');
  });
});
