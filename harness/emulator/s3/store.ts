/**
 * The emulated buckets' objects and multipart uploads, in memory and bounded: an object, a part, the
 * whole store and the number of uploads in flight all have limits, so that whatever a client sends the
 * emulator stays up (S3's own answers when a limit is hit: EntityTooLarge, and the emulator's own
 * StorageFull / TooManyUploads as 503s that no cell counts as a denial).
 */
import { createHash, randomBytes } from 'node:crypto';
import { S3Error } from './errors.js';

export interface StoredObject {
  key: string;
  body: Buffer;
  /** Quoted, as S3 sends it: `"<md5>"`, or `"<md5 of part md5s>-<parts>"` after a multipart upload. */
  etag: string;
  lastModified: Date;
  contentType: string;
  metadata: Record<string, string>;
}

export interface StoreLimits {
  /** Largest single object or part body accepted (S3: 5 GiB per PUT). */
  maxObjectBytes: number;
  /** All objects and pending parts together. */
  maxTotalBytes: number;
  maxObjects: number;
  maxUploads: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxObjectBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxObjects: 100_000,
  maxUploads: 1_000,
};

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, { body: Buffer; etag: string }>;
}

/** S3's minimum part size, except for the last part. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

export class ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly uploads = new Map<string, Upload>();
  private bytes = 0;
  private objects = 0;

  constructor(bucketNames: string[], readonly limits: StoreLimits = DEFAULT_LIMITS) {
    for (const b of bucketNames) this.buckets.set(b, new Map());
  }

  has(bucket: string): boolean {
    return this.buckets.has(bucket);
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.bucket(bucket).get(key);
  }

  put(bucket: string, key: string, body: Buffer, contentType = 'binary/octet-stream', metadata: Record<string, string> = {}, etag = quotedMd5(body)): StoredObject {
    const objects = this.bucket(bucket);
    const previous = objects.get(key);
    this.reserve(body.length - (previous?.body.length ?? 0), previous ? 0 : 1);
    const object: StoredObject = { key, body, etag, lastModified: new Date(), contentType, metadata };
    objects.set(key, object);
    return object;
  }

  delete(bucket: string, key: string): boolean {
    const objects = this.bucket(bucket);
    const previous = objects.get(key);
    if (!previous) return false;
    objects.delete(key);
    this.bytes -= previous.body.length;
    this.objects--;
    return true;
  }

  /** Keys in UTF-8 binary order, as S3 lists them. */
  keys(bucket: string, prefix: string): string[] {
    return [...this.bucket(bucket).keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
  }

  createUpload(bucket: string, key: string, contentType: string, metadata: Record<string, string>): string {
    this.bucket(bucket);
    if (this.uploads.size >= this.limits.maxUploads) throw new S3Error(503, 'SlowDown', 'Too many multipart uploads in flight in this emulator; complete or abort some first.');
    const id = randomBytes(24).toString('base64url');
    this.uploads.set(id, { bucket, key, contentType, metadata, parts: new Map() });
    return id;
  }

  /** The upload, if it exists for this bucket and key. */
  upload(bucket: string, key: string, uploadId: string): Upload {
    const u = this.uploads.get(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key) {
      throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
    }
    return u;
  }

  putPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Buffer): string {
    const u = this.upload(bucket, key, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    }
    const previous = u.parts.get(partNumber);
    this.reserve(body.length - (previous?.body.length ?? 0), 0);
    const etag = quotedMd5(body);
    u.parts.set(partNumber, { body, etag });
    return etag;
  }

  listParts(bucket: string, key: string, uploadId: string): { partNumber: number; etag: string; size: number }[] {
    const u = this.upload(bucket, key, uploadId);
    return [...u.parts.entries()].sort(([a], [b]) => a - b).map(([partNumber, p]) => ({ partNumber, etag: p.etag, size: p.body.length }));
  }

  complete(bucket: string, key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): StoredObject {
    const u = this.upload(bucket, key, uploadId);
    if (!parts.length) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    const chosen = parts.map(({ partNumber, etag }, i) => {
      if (i > 0 && partNumber <= parts[i - 1]!.partNumber) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      const p = u.parts.get(partNumber);
      if (!p || unquote(p.etag) !== unquote(etag)) throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.');
      return p;
    });
    chosen.slice(0, -1).forEach((p) => {
      if (p.body.length < MIN_PART_BYTES) throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
    });
    const body = Buffer.concat(chosen.map((p) => p.body));
    const digest = createHash('md5').update(Buffer.concat(chosen.map((p) => Buffer.from(unquote(p.etag), 'hex')))).digest('hex');
    this.release(u);
    this.uploads.delete(uploadId);
    return this.put(bucket, key, body, u.contentType, u.metadata, `"${digest}-${chosen.length}"`);
  }

  abort(bucket: string, key: string, uploadId: string): void {
    const u = this.upload(bucket, key, uploadId);
    this.release(u);
    this.uploads.delete(uploadId);
  }

  /** The uploads in flight in a bucket under a prefix, by key. */
  uploadsIn(bucket: string, prefix: string): { key: string; uploadId: string }[] {
    this.bucket(bucket);
    return [...this.uploads].filter(([, u]) => u.bucket === bucket && u.key.startsWith(prefix)).map(([uploadId, u]) => ({ key: u.key, uploadId })).sort((a, b) => compareKeys(a.key, b.key));
  }

  /** Empties every bucket and forgets every upload. */
  reset(): void {
    for (const objects of this.buckets.values()) objects.clear();
    this.uploads.clear();
    this.bytes = 0;
    this.objects = 0;
  }

  get stats(): { objects: number; bytes: number; uploads: number } {
    return { objects: this.objects, bytes: this.bytes, uploads: this.uploads.size };
  }

  private bucket(name: string): Map<string, StoredObject> {
    const b = this.buckets.get(name);
    if (!b) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return b;
  }

  private reserve(bytes: number, objects: number): void {
    if (this.bytes + bytes > this.limits.maxTotalBytes || this.objects + objects > this.limits.maxObjects) {
      throw new S3Error(503, 'SlowDown', 'The emulator\'s in-memory store is full; delete objects or restart it.');
    }
    this.bytes += bytes;
    this.objects += objects;
  }

  private release(u: Upload): void {
    for (const p of u.parts.values()) this.bytes -= p.body.length;
  }
}

function quotedMd5(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** S3 orders keys by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
