/**
 * The clients' SigV4 signer (harness/client/sigv4.ts) signs exactly as `@smithy/signature-v4`'s `sign()` does, the
 * signer the AWS SDKs use and the emulator's verifier is built on: the same headers, in the same order, with the
 * same signature, for any method, path, query, headers, body, credentials, service and date.
 */
import fc from 'fast-check';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { signRequest, type AwsCredentials, type SigningOptions } from '../../harness/client/sigv4.js';

/** What sigv4.ts did before it hashed with node:crypto: smithy's whole `sign()`. */
async function smithySigned(url: URL, headers: Record<string, string>, body: string, credentials: AwsCredentials, region: string, options: SigningOptions): Promise<Record<string, string>> {
  const request = new HttpRequest({
    method: options.method ?? 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    body,
  });
  const signer = new SignatureV4({ credentials, region, service: options.service ?? 'appsync', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
  const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = String(v);
  return out;
}

const token = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const headerName = fc.oneof(
  fc.constantFrom('content-type', 'x-amz-user-agent', 'x-api-key', 'Authorization', 'date', 'X-Amz-Date', 'user-agent', 'proxy-x', 'sec-fetch-mode', 'X-Amz-Security-Token', 'x-amz-content-sha256', 'Host', 'cache-control'),
  token.map((t) => `x-${t}`),
);
const headerValue = fc.oneof(fc.string({ maxLength: 20 }).filter((v) => !/[\r\n]/.test(v)), fc.constant('  a \t b  '), fc.constant('application/json; charset=UTF-8'));
const segment = fc.oneof(token, fc.constantFrom('.', '..', '', 'a b', 'é', '%41', "it's", '(x)*!'));

describe('signRequest', () => {
  it('signs as smithy signs: same headers, same order, same signature', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
          segments: fc.array(segment, { maxLength: 5 }),
          trailingSlash: fc.boolean(),
          query: fc.array(fc.tuple(fc.oneof(token, fc.constantFrom('X-Amz-Signature', 'a b', 'ü')), fc.string({ maxLength: 8 })), { maxLength: 4 }),
          port: fc.constantFrom('', ':8443', ':20002'),
          headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
          body: fc.string({ maxLength: 200 }),
          sessionToken: fc.option(token, { nil: undefined }),
          region: fc.constantFrom('us-east-1', 'eu-west-3'),
          service: fc.option(fc.constantFrom('appsync', 'execute-api', 'apigateway'), { nil: undefined }),
          date: fc.option(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), { nil: undefined }),
          secret: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
        }),
        async (c) => {
          const url = new URL(`https://api.example.com${c.port}/${c.segments.map(encodeURIComponent).join('/')}${c.trailingSlash ? '/' : ''}`);
          for (const [k, v] of c.query) url.searchParams.append(k, v);
          const credentials: AwsCredentials = { accessKeyId: 'ASIAEXAMPLE000000001', secretAccessKey: c.secret, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
          // Without a date of its own each signer reads the clock: the two run with the same one.
          const options: SigningOptions = { method: c.method, signingDate: c.date ?? new Date(), ...(c.service ? { service: c.service } : {}) };
          const ours = await signRequest(url, c.headers, c.body, credentials, c.region, options);
          const theirs = await smithySigned(url, c.headers, c.body, credentials, c.region, options);
          expect(Object.entries(ours)).toEqual(Object.entries(theirs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('signs with the current time when given no date', async () => {
    const before = Date.now();
    const headers = await signRequest(new URL('https://api.example.com/graphql'), { 'content-type': 'application/json' }, '{}', { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's'.repeat(40) }, 'us-east-1');
    const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(headers['x-amz-date']!)!;
    const at = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/);
  });
});
