/**
 * Which S3 operation a request is, from its method, host, path and query, as the S3 REST API defines
 * them; the bucket comes from the host (virtual-hosted: `<bucket>.s3.localhost:<port>`) or the first path
 * segment (path-style). The path is taken as sent: S3 keys are literal, so `..` is never resolved.
 */
import { S3Error } from './errors.js';

export type S3Operation =
  | { op: 'ListObjectsV2'; bucket: string }
  | { op: 'HeadBucket'; bucket: string }
  | { op: 'ListMultipartUploads'; bucket: string }
  | { op: 'DeleteObjects'; bucket: string }
  | { op: 'GetObject' | 'HeadObject' | 'PutObject' | 'DeleteObject' | 'CreateMultipartUpload'; bucket: string; key: string }
  | { op: 'CopyObject'; bucket: string; key: string; source: { bucket: string; key: string } }
  | { op: 'UploadPart'; bucket: string; key: string; uploadId: string; partNumber: number }
  | { op: 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts'; bucket: string; key: string; uploadId: string };

export interface ParsedTarget {
  bucket: string | null;
  key: string;
  /** Query parameters, decoded (first value of each). */
  query: Map<string, string>;
  addressing: 'virtual-hosted' | 'path-style';
}

/** Splits the request target; `endpointHost` is `s3.localhost:<port>`. */
export function parseTarget(rawUrl: string, host: string, endpointHost: string): ParsedTarget {
  const q = rawUrl.indexOf('?');
  const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '')) if (!query.has(k)) query.set(k, v);
  const path = decodePath(rawPath);
  const lower = host.toLowerCase();
  const suffix = `.${endpointHost.toLowerCase()}`;
  if (lower.endsWith(suffix)) return { bucket: lower.slice(0, -suffix.length), key: path.replace(/^\//, ''), query, addressing: 'virtual-hosted' };
  const rest = path.replace(/^\//, '');
  const slash = rest.indexOf('/');
  const bucket = slash >= 0 ? rest.slice(0, slash) : rest;
  return { bucket: bucket || null, key: slash >= 0 ? rest.slice(slash + 1) : '', query, addressing: 'path-style' };
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

export function operationOf(method: string, t: ParsedTarget, headers: Record<string, string | undefined>): S3Operation {
  if (!t.bucket) throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  const bucket = t.bucket;
  const { key, query } = t;
  const uploadId = query.get('uploadId');
  if (!key) {
    if (method === 'GET' && query.get('list-type') === '2') return { op: 'ListObjectsV2', bucket };
    if (method === 'HEAD') return { op: 'HeadBucket', bucket };
    if (method === 'GET' && query.has('uploads')) return { op: 'ListMultipartUploads', bucket };
    if (method === 'POST' && query.has('delete')) return { op: 'DeleteObjects', bucket };
    throw new S3Error(501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented in the authmatrix emulator.');
  }
  switch (method) {
    case 'GET':
      return uploadId ? { op: 'ListParts', bucket, key, uploadId } : { op: 'GetObject', bucket, key };
    case 'HEAD':
      return { op: 'HeadObject', bucket, key };
    case 'PUT': {
      const copy = headers['x-amz-copy-source'];
      if (uploadId) {
        if (copy) throw new S3Error(501, 'NotImplemented', 'UploadPartCopy is not implemented in the authmatrix emulator.');
        return { op: 'UploadPart', bucket, key, uploadId, partNumber: Number(query.get('partNumber')) };
      }
      return copy ? { op: 'CopyObject', bucket, key, source: copySource(copy) } : { op: 'PutObject', bucket, key };
    }
    case 'POST':
      if (query.has('uploads')) return { op: 'CreateMultipartUpload', bucket, key };
      if (uploadId) return { op: 'CompleteMultipartUpload', bucket, key, uploadId };
      break;
    case 'DELETE':
      return uploadId ? { op: 'AbortMultipartUpload', bucket, key, uploadId } : { op: 'DeleteObject', bucket, key };
  }
  throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

/** `x-amz-copy-source: /bucket/key` (URL-encoded, leading slash optional, `?versionId=` refused). */
function copySource(value: string): { bucket: string; key: string } {
  const [path, version] = value.split('?');
  if (version) throw new S3Error(501, 'NotImplemented', 'Copying an object version is not implemented in the authmatrix emulator.');
  const decoded = decodePath(path!).replace(/^\//, '');
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw new S3Error(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

/** What IAM action and resource each operation is authorized as (S3 API reference, "Permissions"). */
export function iamActionOf(op: S3Operation['op']): string {
  switch (op) {
    case 'GetObject':
    case 'HeadObject':
      return 's3:GetObject';
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
    case 'CopyObject':
      return 's3:PutObject';
    case 'DeleteObject':
    case 'DeleteObjects':
      return 's3:DeleteObject';
    case 'AbortMultipartUpload':
      return 's3:AbortMultipartUpload';
    case 'ListParts':
      return 's3:ListMultipartUploadParts';
    case 'ListMultipartUploads':
      return 's3:ListBucketMultipartUploads';
    case 'ListObjectsV2':
    case 'HeadBucket':
      return 's3:ListBucket';
  }
}
