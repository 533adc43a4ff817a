/**
 * A small S3 client for the storage cells and probes: the requests aws-amplify's storage functions send
 * (same paths, queries and headers, SigV4 for service `s3` with the payload digest in
 * `x-amz-content-sha256`, virtual-hosted addressing unless the bucket name has a dot), one at a time and
 * observable: every answer comes back as status, headers, body and S3 error code, never thrown.
 */
import { createHash } from 'node:crypto';
import type { HttpRequest } from '@smithy/protocol-http';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { Dispatcher } from 'undici';
import type { AwsCredentials } from './sigv4.js';

export type S3Request =
  | { op: 'GetObject' | 'HeadObject' | 'DeleteObject'; bucket: string; key: string; range?: string }
  | { op: 'PutObject'; bucket: string; key: string; body: Buffer | string; contentType?: string }
  | { op: 'ListObjectsV2'; bucket: string; prefix?: string; delimiter?: string; maxKeys?: number; continuationToken?: string }
  | { op: 'DeleteObjects'; bucket: string; keys: string[]; quiet?: boolean }
  | { op: 'CopyObject'; bucket: string; key: string; source: { bucket: string; key: string } }
  | { op: 'CreateMultipartUpload'; bucket: string; key: string; contentType?: string }
  | { op: 'UploadPart'; bucket: string; key: string; uploadId: string; partNumber: number; body: Buffer }
  | { op: 'CompleteMultipartUpload'; bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[] }
  | { op: 'AbortMultipartUpload' | 'ListParts'; bucket: string; key: string; uploadId: string }
  | { op: 'ListMultipartUploads'; bucket: string; prefix?: string };

/** A request on the wire, before or after signing. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** `<Code>` of an error body; HEAD errors have none (aws-amplify then names them by status). */
  error?: { code: string; message: string };
  requestId?: string;
  latencyMs: number;
  /** What was sent, for evidence (the caller redacts secrets). */
  sent: WireRequest;
}

export interface S3ClientOptions {
  /** `s3.us-east-1.amazonaws.com`, or the emulator's `s3.localhost:<port>`. */
  endpointHost: string;
  region: string;
  /** None: unsigned requests. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** The emulator's throwaway CA: requests go through an agent that trusts it for this endpoint alone (s3-trust.ts). */
  caPem?: string;
}

/** aws-amplify's object-key encoding: each segment percent-encoded (RFC 3986), `/` kept. */
export function encodeKey(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export class S3Client {
  constructor(readonly options: S3ClientOptions) {}

  /** Loaded when first needed, either way with undici's index, which a run without storage does without (exchange.ts). */
  private async dispatcher(): Promise<Dispatcher> {
    const { caPem, endpointHost } = this.options;
    return caPem ? (await import('./s3-trust.js')).s3Agent({ host: endpointHost, caPem }) : (await import('undici')).getGlobalDispatcher();
  }

  /** `https://<bucket>.<endpoint>` (virtual-hosted), or `https://<endpoint>/<bucket>` for dotted names. */
  bucketUrl(bucket: string): string {
    return bucket.includes('.') ? `https://${this.options.endpointHost}/${bucket}` : `https://${bucket}.${this.options.endpointHost}`;
  }

  /** The unsigned request for an operation. */
  build(r: S3Request): WireRequest {
    const base = this.bucketUrl(r.bucket);
    const object = 'key' in r ? `${base}/${encodeKey(r.key)}` : `${base}/`;
    const q = (params: Record<string, string | number | undefined>) => {
      const entries = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}${v === '' ? '' : `=${encodeURIComponent(String(v))}`}`);
      return entries.length ? `?${entries.join('&')}` : '';
    };
    switch (r.op) {
      case 'GetObject':
        return { method: 'GET', url: `${object}${q({ 'x-id': 'GetObject' })}`, headers: r.range ? { range: r.range } : {} };
      case 'HeadObject':
        return { method: 'HEAD', url: object, headers: {} };
      case 'DeleteObject':
        return { method: 'DELETE', url: `${object}${q({ 'x-id': 'DeleteObject' })}`, headers: {} };
      case 'PutObject': {
        const body = Buffer.from(r.body);
        return { method: 'PUT', url: `${object}${q({ 'x-id': 'PutObject' })}`, headers: { 'content-type': r.contentType ?? 'text/plain' }, body };
      }
      case 'ListObjectsV2':
        return {
          method: 'GET',
          url: `${base}/${q({ 'list-type': 2, 'continuation-token': r.continuationToken, delimiter: r.delimiter, 'encoding-type': 'url', 'max-keys': r.maxKeys ?? 1000, prefix: r.prefix })}`,
          headers: {},
        };
      case 'DeleteObjects': {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${r.keys.map((k) => `<Object><Key>${escape(k)}</Key></Object>`).join('')}<Quiet>${r.quiet ? 'true' : 'false'}</Quiet></Delete>`;
        const body = Buffer.from(xml);
        return { method: 'POST', url: `${base}/?delete`, headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') }, body };
      }
      case 'CopyObject':
        return { method: 'PUT', url: `${object}${q({ 'x-id': 'CopyObject' })}`, headers: { 'x-amz-copy-source': `${r.source.bucket}/${encodeKey(r.source.key)}`, 'x-amz-metadata-directive': 'COPY' } };
      case 'CreateMultipartUpload':
        return { method: 'POST', url: `${object}?uploads`, headers: { 'content-type': r.contentType ?? 'application/octet-stream' } };
      case 'UploadPart':
        return { method: 'PUT', url: `${object}${q({ partNumber: r.partNumber, uploadId: r.uploadId, 'x-id': 'UploadPart' })}`, headers: {}, body: r.body };
      case 'CompleteMultipartUpload': {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${r.parts.map((p) => `<Part><ETag>${escape(p.etag)}</ETag><PartNumber>${p.partNumber}</PartNumber></Part>`).join('')}</CompleteMultipartUpload>`;
        return { method: 'POST', url: `${object}${q({ uploadId: r.uploadId })}`, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) };
      }
      case 'AbortMultipartUpload':
        return { method: 'DELETE', url: `${object}${q({ uploadId: r.uploadId, 'x-id': 'AbortMultipartUpload' })}`, headers: {} };
      case 'ListParts':
        return { method: 'GET', url: `${object}${q({ uploadId: r.uploadId, 'x-id': 'ListParts' })}`, headers: {} };
      case 'ListMultipartUploads':
        return { method: 'GET', url: `${base}/${q({ uploads: '', 'encoding-type': 'url', prefix: r.prefix })}`, headers: {} };
    }
  }

  async send(r: S3Request): Promise<S3Response> {
    const wire = this.build(r);
    return this.sendWire(this.options.credentials ? await this.sign(wire) : wire);
  }

  /** Signs a request as aws-amplify does: every header present, the payload digest in `x-amz-content-sha256`. */
  async sign(wire: WireRequest, opts: { signingDate?: Date; credentials?: AwsCredentials; region?: string } = {}): Promise<WireRequest> {
    const credentials = opts.credentials ?? (await this.credentials());
    const digest = createHash('sha256').update(wire.body ?? Buffer.alloc(0)).digest('hex');
    const smithy = await loadSmithy();
    const req = httpRequest(smithy, wire.url, wire.method, { ...wire.headers, 'x-amz-content-sha256': digest }, wire.body);
    const signed = await signer(smithy, credentials, opts.region ?? this.options.region).sign(req, opts.signingDate ? { signingDate: opts.signingDate } : {});
    return { ...wire, headers: lower(signed.headers) };
  }

  /** A presigned URL (query-string SigV4, `UNSIGNED-PAYLOAD`), as aws-amplify's getUrl builds it. */
  async presign(r: { op: 'GetObject' | 'HeadObject'; bucket: string; key: string }, expiresIn: number, opts: { signingDate?: Date } = {}): Promise<string> {
    const wire = this.build(r);
    const smithy = await loadSmithy();
    const req = httpRequest(smithy, wire.url, wire.method, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const signed = await signer(smithy, await this.credentials(), this.options.region).presign(req, { expiresIn, ...(opts.signingDate ? { signingDate: opts.signingDate } : {}) });
    const query = Object.entries(signed.query ?? {}).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${rfc3986(k)}=${rfc3986(String(x ?? ''))}`)).join('&');
    return `${originOf(wire.url)}${req.path}?${query}`;
  }

  /** Sends a request as it is (probes tamper with it first). */
  async sendWire(wire: WireRequest): Promise<S3Response> {
    const began = performance.now();
    // Origin and path apart: a URL string would be normalized (`..` resolved) before it is sent.
    const res = await (await this.dispatcher()).request({
      origin: originOf(wire.url),
      path: rawPathAndQuery(wire.url),
      method: wire.method as Dispatcher.HttpMethod,
      headers: wire.headers,
      ...(wire.body ? { body: wire.body } : {}),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const headers = lower(res.headers as Record<string, unknown>);
    const error = res.statusCode >= 300 ? parseError(body) : undefined;
    return {
      status: res.statusCode,
      headers,
      body,
      ...(error ? { error } : {}),
      ...(headers['x-amz-request-id'] ? { requestId: headers['x-amz-request-id'] } : {}),
      latencyMs: performance.now() - began,
      sent: wire,
    };
  }

  private async credentials(): Promise<AwsCredentials> {
    const c = this.options.credentials;
    if (!c) throw new Error('this S3 client has no credentials to sign with');
    return typeof c === 'function' ? c() : c;
  }
}

interface Smithy {
  Hash: typeof import('@smithy/hash-node').Hash;
  HttpRequest: typeof HttpRequest;
  SignatureV4: typeof SignatureV4;
}
let smithy: Promise<Smithy> | undefined;

/** smithy's S3 signer, loaded with the first storage request: the test worker of an app without storage never needs it. */
function loadSmithy(): Promise<Smithy> {
  return (smithy ??= Promise.all([import('@smithy/hash-node'), import('@smithy/protocol-http'), import('@smithy/signature-v4')]).then(([h, p, s]) => ({ Hash: h.Hash, HttpRequest: p.HttpRequest, SignatureV4: s.SignatureV4 })));
}

function signer({ Hash, SignatureV4 }: Smithy, credentials: AwsCredentials, region: string): SignatureV4 {
  // S3 signs the path as sent (no second encoding), unlike other services.
  return new SignatureV4({ credentials, region, service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
}

/** The request to sign, from the URL exactly as it will be sent (its path is not normalized). */
function httpRequest({ HttpRequest }: Smithy, raw: string, method: string, headers: Record<string, string>, body?: Buffer): HttpRequest {
  const url = new URL(originOf(raw));
  const [path, search] = rawPathAndQuery(raw).split('?') as [string, string | undefined];
  const query: Record<string, string> = {};
  for (const part of (search ?? '').split('&').filter(Boolean)) {
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    if (!(k in query)) query[k] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path,
    query,
    headers: { ...headers, host: url.host },
    ...(body ? { body } : {}),
  });
}

/** The path and query of a URL string without the WHATWG normalization (`..` must reach S3 as sent). */
function rawPathAndQuery(url: string): string {
  const m = /^https?:\/\/[^/?#]+([^#]*)/.exec(url);
  const rest = m?.[1] ?? '/';
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function originOf(url: string): string {
  return /^https?:\/\/[^/?#]+/.exec(url)![0];
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function lower(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

function escape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function parseError(body: Buffer): { code: string; message: string } | undefined {
  const text = body.toString('utf8');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  if (!code) return undefined;
  return { code, message: unescapeXml(/<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '') };
}

export function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|apos|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[e]!);
}
