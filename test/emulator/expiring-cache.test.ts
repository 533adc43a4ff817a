/** The emulator's bounded cache of verified tokens and authorizer answers (harness/emulator/expiring-cache.ts). */
import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../harness/emulator/expiring-cache.js';

describe('ExpiringCache', () => {
  it('keeps a value until its time, not at it', () => {
    const cache = new ExpiringCache<string>();
    cache.set('token', 'claims', 1_000);
    expect(cache.get('token', 999)).toBe('claims');
    expect(cache.get('token', 1_000)).toBeUndefined();
    expect(cache.get('other', 0)).toBeUndefined();
  });

  it('starts again empty when full, so made-up keys cannot grow it for ever', () => {
    const cache = new ExpiringCache<number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) cache.set(k, i, 10);
    expect(['a', 'b', 'c'].map((k) => cache.get(k, 0))).toEqual([0, 1, 2]);
    cache.set('d', 3, 10);
    expect(['a', 'b', 'c', 'd'].map((k) => cache.get(k, 0))).toEqual([undefined, undefined, undefined, 3]);
  });
});
