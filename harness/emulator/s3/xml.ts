/** S3's XML bodies: the responses the emulator writes and the two request bodies it reads. */
import { XMLParser } from 'fast-xml-parser';
import { escapeXml, S3Error } from './errors.js';
import type { StoredObject } from './store.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, isArray: (name) => name === 'Object' || name === 'Part' });

function parse(body: string): Record<string, unknown> {
  try {
    return parser.parse(body) as Record<string, unknown>;
  } catch {
    throw malformed();
  }
}

const malformed = () => new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');

/** `<Delete><Object><Key/></Object>…<Quiet/></Delete>`, at most 1000 keys. */
export function parseDelete(body: string): { keys: string[]; quiet: boolean } {
  const root = parse(body).Delete as { Object?: { Key?: unknown }[]; Quiet?: unknown } | undefined;
  const objects = root?.Object ?? [];
  if (!root || !objects.length || objects.length > 1000 || objects.some((o) => typeof o?.Key !== 'string')) throw malformed();
  return { keys: objects.map((o) => o.Key as string), quiet: String(root.Quiet ?? '').trim() === 'true' };
}

/** `<CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>…</CompleteMultipartUpload>`. */
export function parseComplete(body: string): { partNumber: number; etag: string }[] {
  const parts = (parse(body).CompleteMultipartUpload as { Part?: { PartNumber?: unknown; ETag?: unknown }[] } | undefined)?.Part;
  if (!parts?.length) throw malformed();
  return parts.map((p) => {
    const partNumber = Number(p.PartNumber);
    if (!Number.isInteger(partNumber) || typeof p.ETag !== 'string') throw malformed();
    return { partNumber, etag: p.ETag };
  });
}

/** S3's `encoding-type=url`: form encoding, `/` kept. */
export function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/').replace(/%20/g, '+');
}

export interface ListPage {
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  encode: boolean;
  startAfter?: string;
  continuationToken?: string;
  nextContinuationToken?: string;
  contents: StoredObject[];
  commonPrefixes: string[];
}

export function listXml(p: ListPage): string {
  const enc = (s: string) => escapeXml(p.encode ? urlEncode(s) : s);
  const el = (name: string, v: string | number | undefined) => (v === undefined ? '' : `<${name}>${v}</${name}>`);
  return `${HEAD}<ListBucketResult xmlns="${NS}">${el('Name', escapeXml(p.bucket))}${el('Prefix', enc(p.prefix))}${el('KeyCount', p.contents.length + p.commonPrefixes.length)}`
    + `${el('MaxKeys', p.maxKeys)}${p.delimiter !== undefined ? el('Delimiter', enc(p.delimiter)) : ''}${p.encode ? el('EncodingType', 'url') : ''}`
    + `${el('IsTruncated', String(!!p.nextContinuationToken))}${el('ContinuationToken', p.continuationToken && escapeXml(p.continuationToken))}`
    + `${el('NextContinuationToken', p.nextContinuationToken && escapeXml(p.nextContinuationToken))}${p.startAfter !== undefined ? el('StartAfter', enc(p.startAfter)) : ''}`
    + p.contents.map((o) => `<Contents><Key>${enc(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('')
    + p.commonPrefixes.map((c) => `<CommonPrefixes><Prefix>${enc(c)}</Prefix></CommonPrefixes>`).join('')
    + '</ListBucketResult>';
}

export function deleteResultXml(deleted: string[], errors: { key: string; code: string; message: string }[]): string {
  return `${HEAD}<DeleteResult xmlns="${NS}">${deleted.map((k) => `<Deleted><Key>${escapeXml(k)}</Key></Deleted>`).join('')}`
    + `${errors.map((e) => `<Error><Key>${escapeXml(e.key)}</Key><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error>`).join('')}</DeleteResult>`;
}

export function initiateXml(bucket: string, key: string, uploadId: string): string {
  return `${HEAD}<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(uploadId)}</UploadId></InitiateMultipartUploadResult>`;
}

export function completeXml(location: string, bucket: string, key: string, etag: string): string {
  return `${HEAD}<CompleteMultipartUploadResult xmlns="${NS}"><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`;
}

export function copyXml(o: StoredObject): string {
  return `${HEAD}<CopyObjectResult xmlns="${NS}"><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag></CopyObjectResult>`;
}

/** ListMultipartUploads with `encoding-type=url`, as one page: every upload in flight (the store bounds them). */
export function uploadsXml(bucket: string, prefix: string, uploads: { key: string; uploadId: string }[]): string {
  return `${HEAD}<ListMultipartUploadsResult xmlns="${NS}"><Bucket>${escapeXml(bucket)}</Bucket><Prefix>${escapeXml(urlEncode(prefix))}</Prefix><EncodingType>url</EncodingType><MaxUploads>${Math.max(1000, uploads.length)}</MaxUploads><IsTruncated>false</IsTruncated>`
    + uploads.map((u) => `<Upload><Key>${escapeXml(urlEncode(u.key))}</Key><UploadId>${escapeXml(u.uploadId)}</UploadId></Upload>`).join('')
    + '</ListMultipartUploadsResult>';
}

export function partsXml(bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string; size: number }[]): string {
  return `${HEAD}<ListPartsResult xmlns="${NS}"><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${escapeXml(uploadId)}</UploadId><IsTruncated>false</IsTruncated>`
    + parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag><Size>${p.size}</Size></Part>`).join('')
    + '</ListPartsResult>';
}
