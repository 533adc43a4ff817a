/** API keys (`da2-…`) with expiry; an unknown or expired key is a 401. */
import { randomBytes } from 'node:crypto';
import { unauthorized } from './failure.js';

export class ApiKeys {
  private readonly keys = new Map<string, { expires: number; description?: string }>();

  /** A new key valid for `expiresInDays` (negative: already expired, for probes). */
  create(expiresInDays: number, description?: string): string {
    const key = `da2-${randomBytes(20).toString('base64url').replace(/[-_]/g, '').toLowerCase().slice(0, 26)}`;
    this.keys.set(key, { expires: Date.now() + expiresInDays * 86_400_000, ...(description ? { description } : {}) });
    return key;
  }

  check(key: string, now = Date.now()): void {
    const k = this.keys.get(key);
    if (!k || k.expires < now) throw unauthorized();
  }
}
