/**
 * Redaction (harness/client/redact.ts): secrets in headers and JSON values never reach reports, whatever the shape;
 * redacting twice changes nothing; a header seen on many requests is redacted as it was the first time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactDeep, redactHeaders, redactValue } from '../../harness/client/redact.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl';
const SIGV4 = 'AWS4-HMAC-SHA256 Credential=ASIAABCDEFGHIJKLMNOP/20261205/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef';

describe('redactHeaders', () => {
  it.each([
    ['authorization', JWT, `[JWT redacted, ${JWT.length} chars]`],
    ['Authorization', SIGV4, 'AWS4-HMAC-SHA256 Credential=ASIA…/20261205/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=[redacted]'],
    ['x-api-key', 'da2-abcdefghijklmnop', 'da2-[redacted]'],
    ['x-amz-security-token', 'IQoJb3JpZ2luX2VjEB8aCXVz+/==', '[redacted, 28 chars]'],
    ['content-type', 'application/json', 'application/json'],
  ])('%s: %s', (name, value, want) => {
    // Twice: the second request's header is redacted as the first's was.
    expect(redactHeaders({ [name]: value })).toEqual({ [name]: want });
    expect(redactHeaders({ [name]: value })).toEqual({ [name]: want });
  });

  it('redacts every secret header as redactValue does, however often a value repeats', () => {
    const secret = fc.oneof(fc.constant(JWT), fc.constant(SIGV4), fc.string({ maxLength: 30 }), fc.string({ maxLength: 10 }).map((s) => `da2-${s}`));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('authorization', 'x-api-key', 'X-Amz-Security-Token', 'x-amz-date', 'host'), secret), { maxLength: 8 }), (pairs) => {
        for (const [name, value] of pairs) {
          const secretHeader = name !== 'x-amz-date' && name !== 'host';
          expect(redactHeaders({ [name]: value })[name]).toBe(secretHeader ? redactValue(value) : value);
        }
      }),
    );
  });
});

describe('redactDeep', () => {
  it('redacts tokens anywhere and secret headers by name, keeping the shape and key order', () => {
    const value = { b: [JWT, { 'x-api-key': 'k'.repeat(12) }], a: { authorization: ['one', 'two'], nested: { s: 'da2-x' } }, n: 1, z: null };
    expect(JSON.stringify(redactDeep(value))).toBe(JSON.stringify({
      b: [`[JWT redacted, ${JWT.length} chars]`, { 'x-api-key': '[redacted, 12 chars]' }],
      a: { authorization: ['[redacted, 3 chars]', '[redacted, 3 chars]'], nested: { s: 'da2-[redacted]' } },
      n: 1,
      z: null,
    }));
  });

  it('keeps an own __proto__ key as a key', () => {
    const value = JSON.parse(`{"__proto__": {"authorization": "${JWT}"}, "x": 1}`) as unknown;
    const out = redactDeep(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'x']);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"authorization":"[JWT redacted, ${JWT.length} chars]"},"x":1}`);
  });

  it('changes nothing the second time', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const once = redactDeep(v);
      expect(redactDeep(once)).toEqual(once);
    }));
  });
});
