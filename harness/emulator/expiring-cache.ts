/**
 * Answers kept until they expire, at most `max` of them: when full it starts again empty, so that keys a caller makes
 * up (tokens) cannot grow it for ever. Verified JWTs and the Lambda authorizers' answers (AppSync, REST and HTTP APIs).
 */
export class ExpiringCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly max = 10_000) {}

  /** The value kept under `key`, unless it expired by `now`. */
  get(key: string, now = Date.now()): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > now ? hit.value : undefined;
  }

  /** Keeps `value` until the time `until` (ms). */
  set(key: string, value: T, until: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, { value, until });
  }

  clear(): void {
    this.entries.clear();
  }
}
