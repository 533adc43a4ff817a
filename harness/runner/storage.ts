/**
 * Storage in a run: the objects the cells need, written before them (by a persona the rules let write
 * there, or put straight into the emulator's store when nobody may), each storage cell as the S3
 * request(s) aws-amplify sends, classified (only S3's AccessDenied is a denial) and judged, and the
 * objects a run made deleted at the end.
 */
import { encodeKey, S3Client, type S3Response, type WireRequest } from '../client/s3.js';
import { credentialsOf, type ClientAuth } from '../client/auth.js';
import { redactHeaders } from '../client/redact.js';
import type { Cell } from '../matrix/cells.js';
import type { Observation } from '../matrix/classify.js';
import type { Persona } from '../matrix/cast.js';
import { runKey, storageCaller, storageFacts, SHARED } from '../matrix/storage-cells.js';
import type { StorageAction, StorageObject } from '../matrix/storage-requests.js';
import { judge, judged, type CellResult } from '../matrix/verdict.js';
import { decideStorage } from '../rules/storage.js';
import type { AuthModel } from '../schema/model.js';

/** Where the app's buckets are, for this run (no credentials). */
export interface StorageTarget {
  /** `s3.us-east-1.amazonaws.com`, or the emulator's `s3.localhost:<port>`. */
  endpointHost: string;
  region: string;
  /** The emulator's test CA, when the endpoint is the emulator. */
  caPem?: string;
  /** Friendly name → bucket name. */
  buckets: Record<string, string>;
  /** The run's folder name part: objects live under `<folder>authmatrix-<nonce>/`. */
  nonce: string;
}

/** An object the run wrote, so that it can be deleted at the end. */
export interface CreatedObject {
  bucket: string;
  key: string;
  /** The persona that wrote it (tried first when deleting). */
  by: string;
}

export interface StorageFixtures {
  /** Fixture instance → its key, for the objects that exist. */
  keys: Record<string, string>;
  /** Fixture instance → why it could not be written. */
  failed: Record<string, string>;
}

/** What sends S3 requests for a persona: its AWS credentials (none for anonymous) on the target. */
export type S3ClientFor = (persona: string) => S3Client;

export function s3ClientFactory(target: StorageTarget, auths: Map<string, ClientAuth>): S3ClientFor {
  const clients = new Map<string, S3Client>();
  return (persona) => {
    let c = clients.get(persona);
    if (!c) {
      const auth = auths.get(persona);
      const credentials = auth?.mode === 'iam' ? () => credentialsOf(auth) : undefined;
      c = new S3Client({ endpointHost: target.endpointHost, region: target.region, ...(credentials ? { credentials } : {}), ...(target.caPem ? { caPem: target.caPem } : {}) });
      clients.set(persona, c);
    }
    return c;
  };
}

/**
 * Writes every fixture object, each by the first persona the rules let write at its key (the folder's
 * owner first), else through `seed` (the emulator's store) when there is one.
 */
export async function createStorageFixtures(
  auth: AuthModel,
  cast: Persona[],
  objects: StorageObject[],
  target: StorageTarget,
  clientFor: S3ClientFor,
  seed?: (bucket: string, key: string, body: Buffer) => void,
): Promise<{ fixtures: StorageFixtures; created: CreatedObject[] }> {
  const facts = storageFacts(auth);
  const fixtures: StorageFixtures = { keys: {}, failed: {} };
  const created: CreatedObject[] = [];
  if (!facts) return { fixtures, created };
  await Promise.all(objects.map(async (o) => {
    const key = runKey(o.folder, o.name, target.nonce);
    const bucket = target.buckets[o.bucket]!;
    const body = Buffer.from(`authmatrix fixture ${o.instance}\n`);
    const owner = o.instance.includes('@') ? o.instance.split('@')[1]!.split('|')[0] : undefined;
    const writers = [...cast].sort((a, b) => Number(b.name === owner) - Number(a.name === owner)).filter((p) => {
      const caller = storageCaller(p);
      return caller && decideStorage(facts, caller, { action: 'write', bucket: o.bucket, key }).outcome === 'allow';
    });
    let why = 'no persona of the cast may write there';
    for (const p of writers) {
      const r = await clientFor(p.name).send({ op: 'PutObject', bucket, key, body, contentType: 'text/plain' });
      if (r.status === 200) {
        fixtures.keys[o.instance] = key;
        created.push({ bucket, key, by: p.name });
        return;
      }
      why = `${p.name} was refused: ${r.status} ${r.error?.code ?? ''}`.trim();
    }
    if (seed) {
      seed(bucket, key, body);
      fixtures.keys[o.instance] = key;
      return;
    }
    fixtures.failed[o.instance] = why;
  }));
  return { fixtures, created };
}

/** Runs one storage cell and judges it. */
export async function runStorageCell(cell: Cell, action: StorageAction, target: StorageTarget, fixtures: StorageFixtures, client: S3Client, onCreated: (o: CreatedObject[]) => void | Promise<void>): Promise<CellResult> {
  const bucket = target.buckets[action.bucket]!;
  const fixture = (o: StorageObject): string => {
    const key = fixtures.keys[o.instance];
    if (!key) throw new FixtureMissing(`object ${o.instance} was not written${fixtures.failed[o.instance] ? `: ${fixtures.failed[o.instance]}` : ''}`);
    return key;
  };
  try {
    let r: S3Response;
    let obs: Observation;
    switch (action.op) {
      case 'get':
        r = await client.send({ op: 'GetObject', bucket, key: fixture(action.object) });
        obs = classifyS3(r);
        break;
      case 'delete':
        r = await client.send({ op: 'DeleteObject', bucket, key: fixture(action.object) });
        obs = classifyS3(r);
        break;
      case 'list': {
        r = await client.send({ op: 'ListObjectsV2', bucket, prefix: action.prefix });
        obs = classifyS3(r);
        if (obs.outcome === 'allow') obs = { ...obs, seen: sharedSeen(r, fixtures, target.nonce) };
        break;
      }
      case 'write': {
        const key = writtenKey(action, target.nonce)!;
        r = await client.send({ op: 'PutObject', bucket, key, body: `written by ${cell.persona}\n` });
        obs = classifyS3(r);
        if (r.status === 200) await onCreated([{ bucket, key, by: cell.persona }]);
        break;
      }
      case 'copy': {
        const key = writtenKey(action, target.nonce)!;
        r = await client.send({ op: 'CopyObject', bucket, key, source: { bucket, key: fixture(action.source) } });
        obs = classifyS3(r);
        if (r.status === 200) await onCreated([{ bucket, key, by: cell.persona }]);
        break;
      }
      case 'multipart': {
        const key = writtenKey(action, target.nonce)!;
        ({ r, obs } = await multipart(client, bucket, key));
        if (obs.outcome === 'allow') await onCreated([{ bucket, key, by: cell.persona }]);
        break;
      }
      case 'presigned': {
        const url = await presignedUrl(client, bucket, fixture(action.object), action, target);
        r = await client.sendWire({ method: 'GET', url, headers: {} });
        obs = classifyS3(r, action.refusal);
        break;
      }
      case 'sneak': {
        const key = writtenKey(action, target.nonce)!;
        r = await client.sendWire(await client.sign(sneakRequest(client, bucket, action, key, target.nonce)));
        obs = classifyS3(r);
        if (r.status === 200) await onCreated([{ bucket, key, by: cell.persona }]);
        break;
      }
    }
    return storageResult(cell, obs, r);
  } catch (e) {
    return storageResult(cell, { outcome: 'error', summary: e instanceof FixtureMissing ? e.message : `the request failed: ${(e as Error).message}` });
  }
}

class FixtureMissing extends Error {}

/** A presigned GET as aws-amplify's getUrl makes it, then altered as the probe says. */
async function presignedUrl(client: S3Client, bucket: string, key: string, action: Extract<StorageAction, { op: 'presigned' }>, target: StorageTarget): Promise<string> {
  const url = await client.presign({ op: 'GetObject', bucket, key }, 60, action.tamper === 'expired' ? { signingDate: new Date(Date.now() - 120_000) } : {});
  if (action.tamper === 'signature') return url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
  if (action.tamper === 'bucket') return url.replace(client.bucketUrl(bucket), client.bucketUrl(target.buckets[action.otherBucket!]!));
  return url;
}

/**
 * The PUT of a key out of its folder: `..` resolved as a browser (and aws-amplify's URL handling) does
 * before sending, or the key's slashes sent as `%2F` for S3 to decode.
 */
function sneakRequest(client: S3Client, bucket: string, action: Extract<StorageAction, { op: 'sneak' }>, key: string, nonce: string): WireRequest {
  const base = client.bucketUrl(bucket);
  const body = Buffer.from(`sneaked in by a ${action.via} key (run ${nonce})\n`);
  const url = action.via === 'traversal'
    ? new URL(`${base}/${encodeKey(`${action.folder}../${key}`)}`).href
    : `${base}/${encodeKey(key).replaceAll('/', '%2F')}`;
  return { method: 'PUT', url, headers: { 'content-type': 'text/plain' }, body };
}

/**
 * A one-part multipart upload, as aws-amplify sends one above 5 MiB (create, part, complete): the first
 * refused step decides; an upload left open is aborted.
 */
async function multipart(client: S3Client, bucket: string, key: string): Promise<{ r: S3Response; obs: Observation }> {
  const created = await client.send({ op: 'CreateMultipartUpload', bucket, key, contentType: 'application/octet-stream' });
  if (created.status !== 200) return { r: created, obs: classifyS3(created) };
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString('utf8'))?.[1] ?? '';
  const part = await client.send({ op: 'UploadPart', bucket, key, uploadId, partNumber: 1, body: Buffer.from('multipart part\n') });
  const done = part.status === 200
    ? await client.send({ op: 'CompleteMultipartUpload', bucket, key, uploadId, parts: [{ partNumber: 1, etag: part.headers.etag ?? '' }] })
    : part;
  if (done.status !== 200) await client.send({ op: 'AbortMultipartUpload', bucket, key, uploadId });
  return { r: done, obs: classifyS3(done) };
}

/**
 * An S3 answer in the matrix's terms: 2xx allow, AccessDenied (or a bodiless 403 to a HEAD) deny,
 * anything else an error. A probe names the refusal it expects instead (e.g. SignatureDoesNotMatch).
 */
export function classifyS3(r: S3Response, refusal = 'AccessDenied'): Observation {
  const code = r.error?.code;
  if (r.status >= 200 && r.status < 300) return { outcome: 'allow', summary: `${r.status}` };
  if (r.status === 403 && (code === refusal || (!code && r.sent.method === 'HEAD'))) return { outcome: 'deny', summary: `403 ${code ?? ''}${r.error?.message === 'Request has expired' ? ' (Request has expired)' : ''}`.trim() };
  return { outcome: 'error', summary: `${r.status}${code ? ` ${code}` : ''}${r.error?.message ? `: ${r.error.message.slice(0, 160)}` : ''}` };
}

/** The shared fixture objects a listing returned (other objects come and go as cells run). */
function sharedSeen(r: S3Response, fixtures: StorageFixtures, nonce: string): string[] {
  const listed = new Set([...r.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeURIComponent(m[1]!.replace(/\+/g, ' '))));
  return Object.entries(fixtures.keys).filter(([instance, key]) => instance.endsWith(`|${SHARED}`) && key.includes(`authmatrix-${nonce}/`) && listed.has(key)).map(([instance]) => instance).sort();
}

function storageResult(cell: Cell, obs: Observation, r?: S3Response): CellResult {
  return {
    ...judged(cell, obs, judge(cell, obs)),
    latencyMs: r ? Math.round(r.latencyMs * 10) / 10 : 0,
    ...(r?.requestId ? { requestId: r.requestId } : {}),
    ...(r ? { evidence: { request: evidenceOf(r.sent), response: { status: r.status, ...(r.requestId ? { requestId: r.requestId } : {}), body: r.body.length > 4096 ? `${r.body.subarray(0, 4096).toString('utf8')}…` : r.body.toString('utf8') } } } : {}),
  };
}

function evidenceOf(w: WireRequest): { url: string; headers: Record<string, string>; body: unknown } {
  return { url: w.url, headers: redactHeaders(w.headers), body: w.body ? `${w.body.length} bytes` : null };
}

/**
 * Deletes the objects a run wrote: each by the persona that wrote it, else by any persona the rules let
 * delete there. Returns those nobody could delete.
 */
export async function deleteStorageObjects(auth: AuthModel, objects: CreatedObject[], cast: Persona[], target: StorageTarget, clientFor: S3ClientFor): Promise<CreatedObject[]> {
  const facts = storageFacts(auth);
  const friendly = new Map(Object.entries(target.buckets).map(([name, bucket]) => [bucket, name]));
  const left: CreatedObject[] = [];
  await Promise.all(objects.map(async (o) => {
    const deleters = cast.filter((p) => {
      const caller = storageCaller(p);
      return p.name === o.by || (facts && caller && decideStorage(facts, caller, { action: 'delete', bucket: friendly.get(o.bucket) ?? o.bucket, key: o.key }).outcome === 'allow');
    }).sort((a, b) => Number(b.name === o.by) - Number(a.name === o.by));
    for (const p of deleters) {
      const r = await clientFor(p.name).send({ op: 'DeleteObject', bucket: o.bucket, key: o.key }).catch(() => undefined);
      if (r && r.status === 204) return;
    }
    left.push(o);
  }));
  return left;
}

/** The key a storage action writes, if it writes one (a sneaked key lands in its `into` folder when S3 lets it). */
function writtenKey(action: StorageAction, nonce: string): string | undefined {
  if (action.op === 'write' || action.op === 'copy' || action.op === 'multipart') return runKey(action.folder, action.name, nonce);
  if (action.op === 'sneak') return runKey(action.into, action.name, nonce);
  return undefined;
}

/** Every object a run may write: its fixture objects, and what its cells write if allowed (for the run's ledger). */
export function objectsToWrite(cells: Cell[], objects: StorageObject[], target: StorageTarget): { bucket: string; key: string; multipart?: true }[] {
  const fixtures = objects.map((o) => ({ bucket: target.buckets[o.bucket]!, key: runKey(o.folder, o.name, target.nonce) }));
  const written = cells.flatMap((c) => {
    const key = c.action.type === 'storage' ? writtenKey(c.action, target.nonce) : undefined;
    return key && c.action.type === 'storage' ? [{ bucket: target.buckets[c.action.bucket]!, key, ...(c.action.op === 'multipart' ? { multipart: true as const } : {}) }] : [];
  });
  return [...fixtures, ...written];
}

/** The fixture objects a storage action reads, deletes, copies or presigns. */
function storageInstances(action: StorageAction): string[] {
  if (action.op === 'get' || action.op === 'delete' || action.op === 'presigned') return [action.object.instance];
  if (action.op === 'copy') return [action.source.instance];
  return [];
}

/** The fixture objects a cell needs: those it acts on, and the shared objects its listing expects to see. */
export function cellObjects(c: Cell): string[] {
  return c.action.type === 'storage' ? [...storageInstances(c.action), ...(c.decision.visibleIds ?? [])] : [];
}

/** The objects the selected cells need. */
export function storageObjectsFor(cells: Cell[], all: StorageObject[]): StorageObject[] {
  const needed = new Set(cells.flatMap(cellObjects));
  return all.filter((o) => needed.has(o.instance));
}
