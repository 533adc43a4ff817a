/**
 * The emulated S3 data plane for the app's buckets: every request is authenticated (SigV4 in the header
 * or presigned in the query), each operation is authorized as the IAM action S3 maps it to against the
 * caller's own policies, and answered with S3's status codes, headers and XML, from an in-memory store.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessDeniedMessage, type PolicyDecision } from '../iam/policy.js';
import { ANONYMOUS_DENIED, errorXml, S3Error } from './errors.js';
import { iamActionOf, operationOf, parseTarget, type S3Operation } from './request.js';
import { ObjectStore, type StoredObject } from './store.js';
import { completeXml, copyXml, deleteResultXml, initiateXml, listXml, parseComplete, parseDelete, partsXml, uploadsXml } from './xml.js';

/** An authenticated caller: its ARN (for AccessDenied messages) and its IAM evaluation. */
export interface S3Caller {
  arn: string;
  evaluate(action: string, resource: string, context: Record<string, string>): PolicyDecision;
}

/** The request as a SigV4 verifier needs it, the body included (S3 checks its digest separately). */
export interface S3SignedRequest {
  method: string;
  host: string;
  /** The path and query exactly as received. */
  rawUrl: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface S3Authenticator {
  /** null for a request without credentials; throws an S3Error (403 SignatureDoesNotMatch, …) for bad ones. */
  authenticate(req: S3SignedRequest): Promise<S3Caller | null>;
}

export interface S3ServiceOptions {
  /** `s3.localhost:<port>`: the endpoint's own host; buckets are its subdomains. */
  endpointHost: string;
  region: string;
  store: ObjectStore;
  auth: S3Authenticator;
  log?: (line: string) => void;
}

/** One answered request, as the recent-requests log keeps it. */
export interface S3LogEntry {
  op: string;
  key?: string;
  query: string;
  status: number;
  code?: string;
}

const LOG_SIZE = 500;

export class S3Service {
  readonly stats = { requests: 0 };
  /** The last requests answered (at most 500), oldest first: what a client really sent. */
  readonly recent: S3LogEntry[] = [];

  constructor(private readonly o: S3ServiceOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(24).toString('base64');
    const head = req.method === 'HEAD';
    const query = (req.url ?? '').split('?')[1] ?? '';
    let opName = `${req.method ?? 'GET'} (unrouted)`;
    let key: string | undefined;
    const headers: Record<string, string> = { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId, server: 'AmazonS3', ...cors(req) };
    try {
      if (req.method === 'OPTIONS') return void res.writeHead(200, { ...headers, ...preflight(req) }).end();
      const body = await readBody(req, this.o.store.limits.maxObjectBytes);
      const target = parseTarget(req.url ?? '/', req.headers.host ?? '', this.o.endpointHost);
      const op = operationOf(req.method ?? 'GET', target, flat(req.headers));
      checkPayloadDigest(req, body);
      const caller = await this.o.auth.authenticate({ method: req.method ?? 'GET', host: req.headers.host ?? '', rawUrl: req.url ?? '/', headers: flat(req.headers), body });
      if (!this.o.store.has(op.bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: op.bucket });
      opName = op.op;
      key = 'key' in op ? op.key : undefined;
      const out = await this.operate(op, caller, target.query, req, body);
      this.remember({ op: opName, ...(key !== undefined ? { key } : {}), query, status: out.status });
      res.writeHead(out.status, { ...headers, ...out.headers });
      res.end(head ? undefined : out.body);
    } catch (e) {
      const err = e instanceof S3Error ? e : internal(e, this.o.log);
      this.remember({ op: opName, ...(key !== undefined ? { key } : {}), query, status: err.status, code: err.code });
      const xml = errorXml(err, requestId, hostId);
      // The rest of an over-size body is never read: the connection closes, and says so, so that no client reuses it.
      const closing = err.code === 'EntityTooLarge';
      res.writeHead(err.status, { ...headers, ...(head ? {} : { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(xml)) }), ...(closing ? { connection: 'close' } : {}) });
      res.end(head ? undefined : xml);
      if (closing) req.destroy();
    }
  }

  private remember(entry: S3LogEntry): void {
    this.recent.push(entry);
    if (this.recent.length > LOG_SIZE) this.recent.splice(0, this.recent.length - LOG_SIZE);
  }

  private async operate(op: S3Operation, caller: S3Caller | null, query: Map<string, string>, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const store = this.o.store;
    const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
    const bucketArn = `arn:aws:s3:::${op.bucket}`;
    const need = (action: string, resource: string, context: Record<string, string> = {}) => authorize(caller, action, resource, context);
    switch (op.op) {
      case 'GetObject':
      case 'HeadObject': {
        need('s3:GetObject', objectArn(op.bucket, op.key));
        const o = store.get(op.bucket, op.key);
        if (!o) throw this.missing(caller, op.bucket, op.key);
        return objectAnswer(o, req.headers.range, op.op === 'HeadObject');
      }
      case 'PutObject': {
        need('s3:PutObject', objectArn(op.bucket, op.key));
        const o = store.put(op.bucket, op.key, body, contentTypeOf(req), metadataOf(req));
        return { status: 200, headers: { etag: o.etag }, body: '' };
      }
      case 'CopyObject': {
        need('s3:GetObject', objectArn(op.source.bucket, op.source.key));
        need('s3:PutObject', objectArn(op.bucket, op.key));
        if (!store.has(op.source.bucket)) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: op.source.bucket });
        const src = store.get(op.source.bucket, op.source.key);
        if (!src) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: op.source.key });
        const replace = String(req.headers['x-amz-metadata-directive'] ?? '').toUpperCase() === 'REPLACE';
        const o = store.put(op.bucket, op.key, src.body, replace ? contentTypeOf(req) : src.contentType, replace ? metadataOf(req) : src.metadata, src.etag);
        return xmlAnswer(copyXml(o));
      }
      case 'DeleteObject':
        need('s3:DeleteObject', objectArn(op.bucket, op.key));
        store.delete(op.bucket, op.key);
        return { status: 204, headers: {}, body: '' };
      case 'DeleteObjects': {
        const md5 = req.headers['content-md5'];
        if (!md5 && !Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-'))) {
          throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
        }
        if (md5 && md5 !== createHash('md5').update(body).digest('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
        const { keys, quiet } = parseDelete(body.toString('utf8'));
        const deleted: string[] = [];
        const errors: { key: string; code: string; message: string }[] = [];
        for (const key of keys) {
          // Each key is its own s3:DeleteObject decision; refusals are reported per key with a 200.
          if (!caller || caller.evaluate('s3:DeleteObject', objectArn(op.bucket, key), baseContext()).outcome !== 'allow') {
            errors.push({ key, code: 'AccessDenied', message: 'Access Denied' });
            continue;
          }
          store.delete(op.bucket, key);
          deleted.push(key);
        }
        return xmlAnswer(deleteResultXml(quiet ? [] : deleted, errors));
      }
      case 'ListObjectsV2': {
        const prefix = query.get('prefix');
        need('s3:ListBucket', bucketArn, prefix === undefined ? {} : { 's3:prefix': prefix });
        return xmlAnswer(listXml(listPage(store, op.bucket, query)));
      }
      case 'HeadBucket':
        need('s3:ListBucket', bucketArn);
        return { status: 200, headers: { 'x-amz-bucket-region': this.o.region }, body: '' };
      case 'CreateMultipartUpload': {
        need('s3:PutObject', objectArn(op.bucket, op.key));
        const id = store.createUpload(op.bucket, op.key, contentTypeOf(req), metadataOf(req));
        return xmlAnswer(initiateXml(op.bucket, op.key, id));
      }
      case 'UploadPart': {
        need('s3:PutObject', objectArn(op.bucket, op.key));
        const etag = store.putPart(op.bucket, op.key, op.uploadId, op.partNumber, body);
        return { status: 200, headers: { etag }, body: '' };
      }
      case 'CompleteMultipartUpload': {
        need('s3:PutObject', objectArn(op.bucket, op.key));
        const o = store.complete(op.bucket, op.key, op.uploadId, parseComplete(body.toString('utf8')));
        return xmlAnswer(completeXml(`https://${op.bucket}.${this.o.endpointHost}/${encodeURI(op.key)}`, op.bucket, op.key, o.etag));
      }
      case 'AbortMultipartUpload':
        need(iamActionOf(op.op), objectArn(op.bucket, op.key));
        store.abort(op.bucket, op.key, op.uploadId);
        return { status: 204, headers: {}, body: '' };
      case 'ListMultipartUploads': {
        need(iamActionOf(op.op), bucketArn);
        const prefix = query.get('prefix') ?? '';
        return xmlAnswer(uploadsXml(op.bucket, prefix, store.uploadsIn(op.bucket, prefix)));
      }
      case 'ListParts':
        need(iamActionOf(op.op), objectArn(op.bucket, op.key));
        return xmlAnswer(partsXml(op.bucket, op.key, op.uploadId, store.listParts(op.bucket, op.key, op.uploadId)));
    }
  }

  /**
   * A missing key: 404 NoSuchKey only for a caller who may list the bucket, else 403 (S3 API, HeadObject
   * "Permissions"). Asked as S3 asks it: s3:ListBucket on the bucket with no s3:prefix in the context,
   * so a ListBucket granted only for some prefixes does not count.
   */
  private missing(caller: S3Caller | null, bucket: string, key: string): S3Error {
    if (!caller) return ANONYMOUS_DENIED();
    const resource = `arn:aws:s3:::${bucket}`;
    const decision = caller.evaluate('s3:ListBucket', resource, baseContext());
    if (decision.outcome === 'allow') return new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return accessDenied(caller.arn, 's3:ListBucket', resource, decision);
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Requests only arrive over TLS (the endpoint has no plain-HTTP listener). */
function baseContext(): Record<string, string> {
  return { 'aws:SecureTransport': 'true' };
}

function authorize(caller: S3Caller | null, action: string, resource: string, context: Record<string, string>): void {
  if (!caller) throw ANONYMOUS_DENIED();
  const decision = caller.evaluate(action, resource, { ...baseContext(), ...context });
  if (decision.outcome !== 'allow') throw accessDenied(caller.arn, action, resource, decision);
}

/** The detailed AccessDenied S3 gives callers of its own account (troubleshoot-403-errors.html); S3 quotes the resource. */
function accessDenied(principalArn: string, action: string, resource: string, decision: PolicyDecision): S3Error {
  return new S3Error(403, 'AccessDenied', accessDeniedMessage(principalArn, { action, resource }, decision, { quoteResource: true }));
}

function xmlAnswer(xml: string): Answer {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
}

function objectAnswer(o: StoredObject, range: string | undefined, head: boolean): Answer {
  const headers: Record<string, string> = {
    'content-type': o.contentType,
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
  };
  const size = o.body.length;
  const m = !head && range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    const end = m[1] ? Math.min(size - 1, m[2] ? Number(m[2]) : size - 1) : size - 1;
    if (start >= size || start > end) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: range!, ActualObjectSize: String(size) });
    return { status: 206, headers: { ...headers, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${size}` }, body: o.body.subarray(start, end + 1) };
  }
  return { status: 200, headers: { ...headers, 'content-length': String(size) }, body: head ? '' : o.body };
}

function listPage(store: ObjectStore, bucket: string, q: Map<string, string>) {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const rawMax = q.get('max-keys');
  const maxKeys = rawMax === undefined ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const limit = Math.min(maxKeys, 1000);
  const token = q.get('continuation-token');
  let after = q.get('start-after') ?? '';
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:')) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
    after = decoded.slice(2);
  }
  // Each key lists as itself or as its common prefix (keys sharing a prefix are contiguous in key order);
  // the continuation token is the last entry returned.
  const contents: StoredObject[] = [];
  const common: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for (const key of store.keys(bucket, prefix)) {
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entry = cut >= 0 ? prefix + rest.slice(0, cut + delimiter!.length) : key;
    if (after && byteOrder(entry, after) <= 0) continue;
    if (entry === last) continue;
    if (contents.length + common.length >= limit) {
      truncated = true;
      break;
    }
    if (cut >= 0) common.push(entry);
    else contents.push(store.get(bucket, key)!);
    last = entry;
  }
  return {
    bucket,
    prefix,
    ...(delimiter !== undefined ? { delimiter } : {}),
    maxKeys,
    encode: q.get('encoding-type') === 'url',
    ...(q.has('start-after') ? { startAfter: q.get('start-after')! } : {}),
    ...(token !== undefined ? { continuationToken: token } : {}),
    ...(truncated && last ? { nextContinuationToken: Buffer.from(`k:${last}`).toString('base64url') } : {}),
    contents,
    commonPrefixes: common,
  };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function contentTypeOf(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'binary/octet-stream');
}

function metadataOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-amz-meta-')).map(([k, v]) => [k.slice('x-amz-meta-'.length), String(v)]));
}

/** A signed `x-amz-content-sha256` that is a digest must be the body's (the signature only covers the header). */
function checkPayloadDigest(req: IncomingMessage, body: Buffer): void {
  const claimed = req.headers['x-amz-content-sha256'];
  if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) return;
  if (createHash('sha256').update(body).digest('hex') !== claimed) {
    throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

function flat(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** The bucket's CORS rule as Amplify configures it (backend-storage `construct.ts`): every origin. */
function cors(req: IncomingMessage): Record<string, string> {
  if (!req.headers.origin) return {};
  return {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'x-amz-server-side-encryption, x-amz-request-id, x-amz-id-2, ETag',
    'access-control-max-age': '3000',
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

function preflight(req: IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE',
    'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? '*'),
  };
}

/** Reads the body, refusing more than `limit` bytes without buffering them. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function tooLarge(limit: number): S3Error {
  return new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(limit) });
}

function internal(e: unknown, log?: (line: string) => void): S3Error {
  log?.(`s3 request failed: ${(e as Error)?.stack ?? String(e)}`);
  return new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
}
