/**
 * SigV4 verification against what real clients send: amplify-js's own signer (`signRequest`,
 * `presignUrl`, used by the aws-amplify data, REST and storage clients) and smithy's (the AWS SDK's),
 * for appsync, execute-api and s3, header and presigned forms, and every failure kind.
 */
import { createHash } from 'node:crypto';
import { presignUrl, signRequest, UNSIGNED_PAYLOAD } from '@aws-amplify/core/internals/aws-client-utils';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { verifySigV4, type IssuedKey, type SigV4Options, type SigV4Request, type SigV4Result } from '../../../harness/emulator/iam/sigv4.js';

const REGION = 'us-east-1';
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const creds = { accessKeyId: 'ASIAEXAMPLEKEY000001', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
const issued: IssuedKey<string> = { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, expiration: new Date(NOW + 3600_000), principal: 'guest' };
const keys = (id: string) => (id === creds.accessKeyId ? issued : undefined);
const opts = (service: string, extra: Partial<SigV4Options<string>> = {}): SigV4Options<string> => ({ service, region: REGION, keys, now: NOW, ...extra });

/** What the emulator's HTTP server hands the verifier: raw path and query, lower-cased headers. */
function received(url: URL, method: string, headers: Record<string, string>, body?: string): SigV4Request {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  h.host ??= url.host;
  return { method, path: url.pathname, query: url.search.slice(1), headers: h, ...(body !== undefined ? { body } : {}) };
}

/** amplify-js's signer, as the GraphQL and REST clients call it. */
function amplifySigned(url: string, service: string, body: string | undefined, headers: Record<string, string> = {}, extra: { signingDate?: Date; credentials?: typeof creds } = {}): SigV4Request {
  const u = new URL(url);
  const signed = signRequest(
    { method: body === undefined ? 'GET' : 'POST', url: u, headers, ...(body !== undefined ? { body } : {}) },
    { credentials: extra.credentials ?? creds, signingRegion: REGION, signingService: service, signingDate: extra.signingDate ?? new Date(NOW) },
  );
  return received(u, signed.method, signed.headers, body);
}

const failure = (r: SigV4Result<string>) => (r.ok ? 'ok' : r.failure.kind);

describe('header form, as amplify-js signs', () => {
  const gql = 'https://abc.appsync-api.us-east-1.amazonaws.com/graphql';
  const body = JSON.stringify({ query: '{ listTodos { items { id } } }', variables: {} });
  const headers = { 'content-type': 'application/json; charset=UTF-8', 'x-amz-user-agent': 'aws-amplify/6 api/1 framework/1' };

  it('accepts a signed AppSync request and names the principal', async () => {
    const r = await verifySigV4(amplifySigned(gql, 'appsync', body, headers), opts('appsync'));
    expect(r).toEqual({ ok: true, principal: 'guest', accessKeyId: creds.accessKeyId, form: 'header', payload: 'signed' });
  });

  it('accepts execute-api requests with query strings, repeated keys and encoded paths', async () => {
    const url = 'https://api1.execute-api.us-east-1.amazonaws.com/dev/items/a%20b/%C3%A9?limit=10&tag=x&tag=a%2Bb&q=hello%20world&empty=';
    expect(failure(await verifySigV4(amplifySigned(url, 'execute-api', undefined), opts('execute-api')))).toBe('ok');
  });

  it('refuses any change to what was signed', async () => {
    const req = amplifySigned(gql, 'appsync', body, headers);
    expect(failure(await verifySigV4({ ...req, body: body.replace('listTodos', 'listSecrets') }, opts('appsync')))).toBe('mismatch');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-user-agent': 'other' } }, opts('appsync')))).toBe('mismatch');
    expect(failure(await verifySigV4({ ...req, path: '/graphql/' }, opts('appsync')))).toBe('mismatch');
    expect(failure(await verifySigV4({ ...req, method: 'PUT' }, opts('appsync')))).toBe('mismatch');
    const forged = amplifySigned(gql, 'appsync', body, headers, { credentials: { ...creds, secretAccessKey: 'guessed' } });
    const r = await verifySigV4(forged, opts('appsync'));
    expect(r.ok ? undefined : r.failure).toMatchObject({ kind: 'mismatch', canonicalRequest: expect.stringContaining('POST\n/graphql\n'), stringToSign: expect.stringContaining('AWS4-HMAC-SHA256\n') });
    // Unsigned headers may change freely.
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, 'x-forwarded-for': '1.2.3.4' } }, opts('appsync')))).toBe('ok');
  });

  it('types every credential failure', async () => {
    const req = amplifySigned(gql, 'appsync', body, headers);
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, authorization: undefined } }, opts('appsync')))).toBe('missing');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, authorization: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig' } }, opts('appsync')))).toBe('incomplete');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, authorization: req.headers.authorization!.replace(/, SignedHeaders=[^,]+/, '') } }, opts('appsync')))).toBe('incomplete');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-date': undefined } }, opts('appsync')))).toBe('incomplete');
    expect(failure(await verifySigV4(req, opts('appsync', { keys: () => undefined })))).toBe('unknownKey');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-security-token': undefined } }, opts('appsync')))).toBe('invalidToken');
    expect(failure(await verifySigV4({ ...req, headers: { ...req.headers, 'x-amz-security-token': 'other' } }, opts('appsync')))).toBe('invalidToken');
    expect(failure(await verifySigV4(req, opts('appsync', { keys: () => ({ ...issued, expiration: new Date(NOW - 1) }) })))).toBe('expiredToken');
    expect(failure(await verifySigV4(req, opts('execute-api')))).toBe('scope');
    expect(failure(await verifySigV4(req, opts('appsync', { region: 'eu-west-1' })))).toBe('scope');
    const stale = amplifySigned(gql, 'appsync', body, headers, { signingDate: new Date(NOW - 6 * 60_000) });
    const r = await verifySigV4(stale, opts('appsync'));
    expect(r.ok ? undefined : r.failure.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const early = await verifySigV4(amplifySigned(gql, 'appsync', body, headers, { signingDate: new Date(NOW + 6 * 60_000) }), opts('appsync'));
    expect(early.ok ? undefined : early.failure).toMatchObject({ kind: 'expired', when: 'tooEarly' });
    expect(early.ok ? undefined : early.failure.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
    const region = await verifySigV4(req, opts('appsync', { region: 'eu-west-1' }));
    expect(region.ok ? undefined : region.failure).toMatchObject({ kind: 'scope', part: 'region', found: 'us-east-1' });
  });

  it("says what API Gateway says of a Bearer token on an IAM method", async () => {
    const req = received(new URL('https://api1.execute-api.us-east-1.amazonaws.com/dev/items'), 'GET', { authorization: 'Bearer eyJraWQiOiJ4In0' });
    const r = await verifySigV4(req, opts('execute-api'));
    expect(r.ok ? undefined : r.failure).toEqual({ kind: 'incomplete', message: "'Bearer' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer eyJraWQiOiJ4In0'." });
  });

  it('refuses a signature that leaves host unsigned', async () => {
    const url = new URL('https://abc.appsync-api.us-east-1.amazonaws.com/graphql');
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 'appsync', sha256: Hash.bind(null, 'sha256') });
    const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'https:', hostname: url.hostname, path: '/graphql', headers: { 'content-type': 'application/json' }, body }), { signingDate: new Date(NOW) });
    const h = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    expect(failure(await verifySigV4(received(url, 'POST', h, body), opts('appsync')))).toBe('incomplete');
  });
});

describe('S3', () => {
  const s3 = (extra: Partial<SigV4Options<string>> = {}) => opts('s3', { s3: true, ...extra });
  const objectUrl = new URL('https://bkt.s3.us-east-1.amazonaws.com/private/us-east-1%3A1111/a%20b%2Bc.jpg');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  /** smithy as the S3 client configures it: no second escaping of the path, the payload hash in x-amz-content-sha256. */
  async function sdkSigned(method: string, url: URL, body: string | undefined, contentSha256: string | undefined): Promise<SigV4Request> {
    const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
    const query = Object.fromEntries(url.searchParams);
    const headers: Record<string, string> = { host: url.host, ...(contentSha256 ? { 'x-amz-content-sha256': contentSha256 } : {}) };
    const signed = await signer.sign(new HttpRequest({ method, protocol: 'https:', hostname: url.hostname, path: url.pathname, query, headers, ...(body !== undefined ? { body } : {}) }), { signingDate: new Date(NOW) });
    return received(url, method, Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)])), body);
  }

  it('a PutObject whose x-amz-content-sha256 is the body digest', async () => {
    const body = 'jpeg bytes';
    const req = await sdkSigned('PUT', objectUrl, body, sha(body));
    expect(await verifySigV4(req, s3())).toMatchObject({ ok: true, payload: 'signed' });
    expect(failure(await verifySigV4({ ...req, body: 'other bytes' }, s3()))).toBe('contentSha256Mismatch');
  });

  it('UNSIGNED-PAYLOAD and streaming markers are signed as themselves', async () => {
    expect(await verifySigV4(await sdkSigned('PUT', objectUrl, 'x', 'UNSIGNED-PAYLOAD'), s3())).toMatchObject({ ok: true, payload: 'unsigned' });
    expect(await verifySigV4(await sdkSigned('PUT', objectUrl, 'x', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'), s3())).toMatchObject({ ok: true, payload: 'streaming' });
  });

  it('the header form needs x-amz-content-sha256', async () => {
    const r = await verifySigV4(await sdkSigned('GET', objectUrl, undefined, undefined), s3());
    expect(r.ok ? undefined : r.failure).toEqual({ kind: 'incomplete', message: 'Missing required header for this request: x-amz-content-sha256' });
  });

  it('a ListObjectsV2 query is part of the signature', async () => {
    const list = new URL('https://bkt.s3.us-east-1.amazonaws.com/?list-type=2&prefix=media%2F&delimiter=%2F&encoding-type=url');
    const req = await sdkSigned('GET', list, undefined, sha(''));
    expect(failure(await verifySigV4(req, s3()))).toBe('ok');
    expect(failure(await verifySigV4({ ...req, query: req.query.replace('media', 'admin') }, s3()))).toBe('mismatch');
  });

  it('the skew window is 15 minutes', async () => {
    const req = await sdkSigned('GET', objectUrl, undefined, sha(''));
    expect(failure(await verifySigV4(req, s3({ now: NOW + 14 * 60_000 })))).toBe('ok');
    expect(failure(await verifySigV4(req, s3({ now: NOW + 16 * 60_000, keys: () => ({ ...issued, expiration: undefined }) })))).toBe('expired');
  });

  describe('presigned URLs', () => {
    // amplify-js getUrl presigns with body UNSIGNED-PAYLOAD and no escaping of the path.
    const amplifyPresigned = (expiration = 900, url = objectUrl) =>
      presignUrl({ method: 'GET', url, body: UNSIGNED_PAYLOAD }, { credentials: creds, signingRegion: REGION, signingService: 's3', signingDate: new Date(NOW), uriEscapePath: false, expiration });
    const req = (u: URL): SigV4Request => ({ method: 'GET', path: u.pathname, query: u.search.slice(1), headers: { host: u.host } });

    it('amplify-js getUrl: valid until X-Amz-Expires, then "Request has expired"', async () => {
      const u = amplifyPresigned(900);
      expect(await verifySigV4(req(u), s3())).toMatchObject({ ok: true, form: 'query', payload: 'unsigned' });
      expect(failure(await verifySigV4(req(u), s3({ now: NOW + 899_000 })))).toBe('ok');
      const late = await verifySigV4(req(u), s3({ now: NOW + 901_000, keys: () => ({ ...issued, expiration: undefined }) }));
      expect(late.ok ? undefined : late.failure).toEqual({ kind: 'expired', message: 'Request has expired', when: 'tooLate' });
    });

    it('refuses a changed key, a longer expiry, a missing or changed token, another bucket', async () => {
      const u = amplifyPresigned(900);
      expect(failure(await verifySigV4({ ...req(u), path: u.pathname.replace('1111', '2222') }, s3()))).toBe('mismatch');
      expect(failure(await verifySigV4({ ...req(u), query: u.search.slice(1).replace('X-Amz-Expires=900', 'X-Amz-Expires=86400') }, s3()))).toBe('mismatch');
      expect(failure(await verifySigV4({ ...req(u), query: u.search.slice(1).replace(/&X-Amz-Security-Token=[^&]+/, '') }, s3()))).toBe('invalidToken');
      expect(failure(await verifySigV4({ ...req(u), headers: { host: 'other.s3.us-east-1.amazonaws.com' } }, s3()))).toBe('mismatch');
      expect(failure(await verifySigV4({ ...req(u), query: u.search.slice(1).replace(/&X-Amz-Signature=[^&]+/, '') }, s3()))).toBe('incomplete');
      expect(failure(await verifySigV4({ ...req(u), query: u.search.slice(1).replace('X-Amz-Expires=900', 'X-Amz-Expires=604801') }, s3()))).toBe('incomplete');
    });

    it('the AWS SDK presigner form (x-amz-content-sha256=UNSIGNED-PAYLOAD hoisted into the query)', async () => {
      const signer = new SignatureV4({ credentials: creds, region: REGION, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
      const presigned = await signer.presign(
        new HttpRequest({ method: 'GET', protocol: 'https:', hostname: objectUrl.hostname, path: objectUrl.pathname, query: { 'x-id': 'GetObject' }, headers: { host: objectUrl.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }),
        { signingDate: new Date(NOW), expiresIn: 900 },
      );
      const query = Object.entries(presigned.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
      expect(query.toLowerCase()).toContain('x-amz-content-sha256=unsigned-payload');
      expect(await verifySigV4({ method: 'GET', path: presigned.path, query, headers: { host: objectUrl.host } }, s3())).toMatchObject({ ok: true, form: 'query' });
    });
  });
});
