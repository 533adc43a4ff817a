/** API keys (`da2-…`) with expiry; an unknown or expired key is a 401. */
import { randomBytes } from 'node:crypto';
import { unauthorized } from '../failure.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * AppSync's format: `da2-` and 128 random bits in lowercase RFC 4648 base32 without padding (26 characters,
 * the last one carrying 3 bits): every key seen in public apps has this shape (docs/semantics.md).
 */
function newKey(): string {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = 'da2-';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out + BASE32[(value << (5 - bits)) & 31];
}

export class ApiKeys {
  private readonly keys = new Map<string, { expires: number; description?: string }>();

  /** A new key valid for `expiresInDays` (negative: already expired, for probes). */
  create(expiresInDays: number, description?: string): string {
    const key = newKey();
    this.keys.set(key, { expires: Date.now() + expiresInDays * 86_400_000, ...(description ? { description } : {}) });
    return key;
  }

  check(key: string, now = Date.now()): void {
    const k = this.keys.get(key);
    if (!k || k.expires < now) throw unauthorized();
  }
}
