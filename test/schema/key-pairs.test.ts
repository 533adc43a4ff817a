import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompactSign, compactVerify } from 'jose';
import { cachedKeyPair } from '../../harness/schema/key-pairs.js';
import { privateCacheHome } from '../cache-home.js';

const home = privateCacheHome('authmatrix-keys-');

const file = (name: string) => path.join(home, 'authmatrix', 'keys', `${name}.json`);
const signs = async (a: Awaited<ReturnType<typeof cachedKeyPair>>, b: Awaited<ReturnType<typeof cachedKeyPair>>) => {
  const jws = await new CompactSign(new TextEncoder().encode('x')).setProtectedHeader({ alg: 'RS256' }).sign(a.privateKey);
  return compactVerify(jws, b.publicKey).then(() => true, () => false);
};

describe('cached RS256 key pairs', () => {
  it('gives the same pair for a name on every call, kept readable by the user only', async () => {
    const first = await cachedKeyPair('rs256-test');
    const again = await cachedKeyPair('rs256-test');
    expect(again.jwk).toEqual(first.jwk);
    expect(await signs(first, again)).toBe(true);
    expect(statSync(file('rs256-test')).mode & 0o077).toBe(0);
    expect(Object.keys(first.jwk).sort()).toEqual(['e', 'kty', 'n']);
  });

  it('gives different names different pairs: one never verifies the other', async () => {
    const a = await cachedKeyPair('rs256-a');
    const b = await cachedKeyPair('rs256-b');
    expect(a.jwk.n).not.toBe(b.jwk.n);
    expect(await signs(a, b)).toBe(false);
  });

  it('makes a new pair when the cached one is not a key', async () => {
    mkdirSync(path.dirname(file('rs256-bad')), { recursive: true });
    writeFileSync(file('rs256-bad'), '{"kty":"RSA","n":"nonsense"}');
    const made = await cachedKeyPair('rs256-bad');
    expect(await signs(made, made)).toBe(true);
    expect(JSON.parse(readFileSync(file('rs256-bad'), 'utf8')).n).toBe(made.jwk.n);
  });
});
