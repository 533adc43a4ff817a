/** Secrets never reach logs or reports: tokens, keys, signatures and session tokens are redacted. */

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-amz-security-token']);

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? redactRepeated(v) : v;
  return out;
}

/** A persona's token, key or session token is redacted for each of its requests: once is enough. */
const redacted = new Map<string, string>();

function redactRepeated(v: string): string {
  // A signature is new on every request.
  if (v.startsWith('AWS4-HMAC-SHA256')) return redactValue(v);
  let out = redacted.get(v);
  if (out === undefined) {
    if (redacted.size >= 1000) redacted.clear();
    redacted.set(v, (out = redactValue(v)));
  }
  return out;
}

/** What redactValue writes (so that a value seen twice is kept as it is). */
const REDACTED = /^\[(JWT )?redacted, \d+ chars\]$|^da2-\[redacted\]$|^AWS4-HMAC-SHA256 .*Signature=\[redacted\]$/;

/** Keeps enough to tell credentials apart (kind and a short prefix), never the secret. Redacting twice changes nothing. */
export function redactValue(v: string): string {
  if (REDACTED.test(v)) return v;
  if (v.startsWith('AWS4-HMAC-SHA256')) return v.replace(/Signature=[0-9a-f]+/, 'Signature=[redacted]').replace(/Credential=([A-Z0-9]{4})[A-Z0-9]+/, 'Credential=$1…');
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(v)) return `[JWT redacted, ${v.length} chars]`;
  if (v.startsWith('da2-')) return 'da2-[redacted]';
  return `[redacted, ${v.length} chars]`;
}

/** Redacts secret-looking strings anywhere in a JSON-able value (tokens in variables, keys in bodies). */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') {
    if (/^eyJ[\w-]+\.[\w-]+\.[\w-]*$/.test(value) || value.startsWith('da2-') || value.startsWith('AWS4-HMAC-SHA256')) return redactValue(value);
    return value;
  }
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      const kept = SECRET_HEADERS.has(k.toLowerCase()) ? redactSecret(v) : redactDeep(v);
      // An own `__proto__` key stays a key (as Object.fromEntries makes it), not the copy's prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: kept, enumerable: true, writable: true, configurable: true });
      else out[k] = kept;
    }
    return out;
  }
  return value;
}

/** A secret header's value: a string, or a list of them (a Lambda proxy event's `multiValueHeaders`). */
function redactSecret(v: unknown): unknown {
  if (typeof v === 'string') return redactValue(v);
  return Array.isArray(v) ? v.map(redactSecret) : redactDeep(v);
}

/**
 * Secrets inside free text (a handler's log line, a JSON string it printed): JWTs, SigV4 signatures, API keys and
 * the value of a secret header written as `"name":"value"` or `name: value`.
 */
export function redactText(text: string): string {
  return text
    .replace(/eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, (t) => `[JWT redacted, ${t.length} chars]`)
    .replace(/Signature=[0-9a-f]{16,}/g, 'Signature=[redacted]')
    .replace(/\bda2-[a-z0-9]{8,}/g, 'da2-[redacted]')
    .replace(/(["']?(?:x-amz-security-token|x-api-key)["']?\s*[:=]\s*["']?)(?!\[)([^"',\s}\]]{8,})/gi, (_, name: string, v: string) => `${name}[redacted, ${v.length} chars]`);
}
