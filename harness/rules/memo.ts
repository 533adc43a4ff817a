/**
 * Per-object results of the oracle, remembered: it is pure over models, identities and records that are not changed
 * once made, and the matrix asks the same questions many times.
 */

/** The value for `key` and `sub`, computed once. */
export function memo<K extends object, V>(cache: WeakMap<K, Map<string, V>>, key: K, sub: string, compute: () => V): V {
  let m = cache.get(key);
  if (!m) cache.set(key, (m = new Map()));
  let v = m.get(sub);
  if (v === undefined) m.set(sub, (v = compute()));
  return v;
}

/** memo for two objects (a model and an identity). */
export function memo2<A extends object, B extends object, V>(cache: WeakMap<A, WeakMap<B, Map<string, V>>>, a: A, b: B, sub: string, compute: () => V): V {
  let inner = cache.get(a);
  if (!inner) cache.set(a, (inner = new WeakMap()));
  return memo(inner, b, sub, compute);
}
