/**
 * Per-object results of the oracle, remembered: it is pure over models, identities and records that are not changed
 * once made, and the matrix asks the same questions many times.
 */

/** The value for `key`, computed once. */
export function cached<K extends object, V>(cache: WeakMap<K, V>, key: K, compute: () => V): V {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = compute()));
  return v;
}

/** The value for `key` and `sub`, computed once. */
export function memo<K extends object, V>(cache: WeakMap<K, Map<string, V>>, key: K, sub: string, compute: () => V): V {
  const m = cached(cache, key, () => new Map<string, V>());
  let v = m.get(sub);
  if (v === undefined) m.set(sub, (v = compute()));
  return v;
}

/** memo for two objects (a model and an identity). */
export function memo2<A extends object, B extends object, V>(cache: WeakMap<A, WeakMap<B, Map<string, V>>>, a: A, b: B, sub: string, compute: () => V): V {
  return memo(cached(cache, a, () => new WeakMap<B, Map<string, V>>()), b, sub, compute);
}
