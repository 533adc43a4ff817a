/**
 * The storage cells: every bucket × declared path × action (get, list, write, delete, copy, multipart
 * upload) × persona that can speak to S3, on `{entity_id}` paths once in the caller's own folder and once
 * in another identity's, each with the oracle's decision. Objects live under a folder per run
 * (`<folder>authmatrix-<nonce>/<name>`); the objects the cells need first are storage fixtures, written
 * before the cells run.
 */
import { decideStorage, type StorageCaller, type StorageFacts, type StorageRequest } from '../rules/storage.js';
import type { AuthModel } from '../schema/model.js';
import { ENTITY_TOKEN, type StorageBucket } from '../schema/storage/model.js';
import type { Persona } from './cast.js';
import { cell, type Cell } from './cells.js';
import type { PresignTamper, StorageObject } from './storage-requests.js';

export const STORAGE_OPERATIONS = ['get', 'list', 'write', 'delete', 'copy', 'multipart'] as const;
export type StorageOperation = (typeof STORAGE_OPERATIONS)[number];

/** The object every read, copy and list of a folder is about. */
export const SHARED = 'shared.txt';

/** The run's folder inside a path folder: objects of different runs never meet. */
export function runKey(folder: string, name: string, nonce: string): string {
  return `${folder}authmatrix-${nonce}/${name}`;
}

/** Who a persona is to S3 (undefined: it has no AWS credentials at all, e.g. an API key). */
export function storageCaller(p: Persona): StorageCaller | undefined {
  switch (p.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'guest':
      return p.identityId ? { kind: 'identity', authenticated: false, identityId: p.identityId, groups: [] } : undefined;
    case 'iamUser':
    case 'owner':
    case 'stranger':
    case 'groupMember':
      return p.identityId ? { kind: 'identity', authenticated: true, identityId: p.identityId, groups: p.groups ?? [] } : undefined;
    case 'functionRole':
      return { kind: 'function', name: p.functionName ?? p.name };
    case 'iamAdmin':
      return { kind: 'admin', roleName: p.identity.kind === 'iam' && p.identity.roleName ? p.identity.roleName : 'authmatrix-admin', bucketAccess: 'none' };
    default:
      return undefined;
  }
}

export function storageFacts(auth: AuthModel): StorageFacts | undefined {
  if (!auth.storage) return undefined;
  return { storage: auth.storage, groupPrecedence: auth.storage.groupPrecedence, allowGuests: auth.authModes.identityPool?.allowUnauthenticated !== false };
}

const sharedPart = (path: string): string => {
  const i = path.indexOf(ENTITY_TOKEN);
  return i >= 0 ? path.slice(0, i) : path.slice(0, -1);
};

/** The identity whose folder stands for "another identity's" on owner paths. */
function otherOf(cast: Persona[], p: Persona): Persona | undefined {
  const order = ['owner', 'stranger', 'iamUser', 'guest'];
  return cast.filter((x) => x.identityId && x.name !== p.name && order.includes(x.kind)).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
}

export interface StorageMatrix {
  cells: Cell[];
  /** Every object the cells need, each once. */
  objects: StorageObject[];
}

export function storageCells(auth: AuthModel, cast: Persona[]): StorageMatrix {
  const facts = storageFacts(auth);
  if (!facts) return { cells: [], objects: [] };
  const objects = new Map<string, StorageObject>();
  const object = (bucket: StorageBucket, path: string, folder: string, where: string, name: string): StorageObject => {
    const instance = `${bucket.name}|${path}${where}|${name}`;
    let o = objects.get(instance);
    if (!o) objects.set(instance, (o = { instance, bucket: bucket.name, path, folder, name }));
    return o;
  };
  const out: Cell[] = [];
  for (const bucket of facts.storage.buckets) {
    for (const { path } of bucket.paths) {
      const owned = path.includes(ENTITY_TOKEN);
      for (const p of cast) {
        const caller = storageCaller(p);
        if (!caller) continue;
        const places: { ownership?: 'own' | 'other'; folder: string; where: string }[] = [];
        if (!owned) places.push({ folder: sharedPart(path), where: '' });
        else {
          if (p.identityId) places.push({ ownership: 'own', folder: `${sharedPart(path)}${p.identityId}/`, where: `@${p.name}` });
          const other = otherOf(cast, p);
          if (other) places.push({ ownership: 'other', folder: `${sharedPart(path)}${other.identityId}/`, where: `@${other.name}` });
        }
        for (const place of places) {
          const shared = object(bucket, path, place.folder, place.where, SHARED);
          const decideOn = (req: StorageRequest) => decideStorage(facts, caller, req);
          const key = (name: string) => runKey(place.folder, name, 'run');
          const base = { kind: 'storage' as const, persona: p.name, bucket: bucket.name, path, ...(place.ownership ? { ownership: place.ownership } : {}) };
          const id = (op: StorageOperation) => `${bucket.name}:${path}|${op}|${p.name}${place.ownership ? `|${place.ownership}` : ''}`;
          out.push(
            cell({ ...base, id: id('get'), operation: 'get', action: { type: 'storage', op: 'get', bucket: bucket.name, object: shared } },
              decideOn({ action: 'get', bucket: bucket.name, key: key(shared.name) })),
            cell({ ...base, id: id('list'), operation: 'list', action: { type: 'storage', op: 'list', bucket: bucket.name, prefix: place.folder } },
              decideOn({ action: 'list', bucket: bucket.name, prefix: place.folder })),
            cell({ ...base, id: id('write'), operation: 'write', action: { type: 'storage', op: 'write', bucket: bucket.name, folder: place.folder, name: `write-${fileName(p.name)}.txt` } },
              decideOn({ action: 'write', bucket: bucket.name, key: key(`write-${fileName(p.name)}.txt`) })),
            cell({ ...base, id: id('delete'), operation: 'delete', action: { type: 'storage', op: 'delete', bucket: bucket.name, object: object(bucket, path, place.folder, place.where, `delete-${fileName(p.name)}.txt`) } },
              decideOn({ action: 'delete', bucket: bucket.name, key: key(`delete-${fileName(p.name)}.txt`) })),
            cell({ ...base, id: id('copy'), operation: 'copy', action: { type: 'storage', op: 'copy', bucket: bucket.name, folder: place.folder, name: `copy-${fileName(p.name)}.txt`, source: shared } },
              decideOn({ action: 'copy', bucket: bucket.name, key: key(`copy-${fileName(p.name)}.txt`), source: { bucket: bucket.name, key: key(shared.name) } })),
            cell({ ...base, id: id('multipart'), operation: 'multipart', action: { type: 'storage', op: 'multipart', bucket: bucket.name, folder: place.folder, name: `multipart-${fileName(p.name)}.bin` } },
              decideOn({ action: 'write', bucket: bucket.name, key: key(`multipart-${fileName(p.name)}.bin`) })),
          );
        }
      }
    }
  }
  out.push(...probeCells(facts, cast, object));
  const all = [...objects.values()];
  // A listing returns every object under its prefix, those of inner paths included. Only the shared
  // objects are compared: the cells write and delete the others while the listings run.
  for (const c of out) {
    if (c.action.type !== 'storage' || c.action.op !== 'list' || c.expected !== 'allow') continue;
    const { prefix, bucket } = c.action;
    c.decision = { ...c.decision, visibleIds: all.filter((o) => o.bucket === bucket && o.name === SHARED && o.folder.startsWith(prefix)).map((o) => o.instance).sort() };
  }
  return { cells: out, objects: all };
}

/** Persona names as file names: `groupMember:Admin` → `groupMember-Admin`. */
function fileName(persona: string): string {
  return persona.replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * Storage probes, per bucket: presigned URLs that were tampered with, expired, or moved to another bucket
 * must be refused; a key that climbs out of a folder the caller may write (`..`, `%2F`) lands where S3
 * resolves it and is judged there, so it never reaches another identity's folder.
 */
function probeCells(facts: StorageFacts, cast: Persona[], object: (bucket: StorageBucket, path: string, folder: string, where: string, name: string) => StorageObject): Cell[] {
  const out: Cell[] = [];
  const buckets = facts.storage.buckets;
  for (const bucket of buckets) {
    // A persona reading its own folder, else any persona allowed to get somewhere.
    const reader = readerOf(facts, cast, bucket);
    if (reader) {
      const { persona, path, folder, where } = reader;
      const target = object(bucket, path, folder, where, SHARED);
      const other = buckets.find((b) => b !== bucket);
      const tampers: [PresignTamper, string, string][] = [
        ['signature', 'with one character of its signature changed', '403 SignatureDoesNotMatch'],
        ['expired', 'signed two minutes ago to last one minute', '403 AccessDenied (Request has expired)'],
        ...(other ? [['bucket', `sent to bucket ${other.name} instead of ${bucket.name}`, '403 SignatureDoesNotMatch'] as [PresignTamper, string, string]] : []),
      ];
      for (const [tamper, how, refusal] of tampers) {
        const reason = `${persona.name}'s presigned URL for ${path} ${how} must be refused with ${refusal}`;
        out.push({
          id: `${bucket.name}:${path}|presigned|${persona.name}|${tamper}`, kind: 'probe', persona: persona.name, bucket: bucket.name, path, operation: 'get', variant: `presigned:${tamper}`,
          expected: 'deny', rule: null, reason, decision: { outcome: 'deny', rule: null, reason },
          action: { type: 'storage', op: 'presigned', bucket: bucket.name, object: target, tamper, ...(tamper === 'bucket' ? { otherBucket: other!.name } : {}), refusal: tamper === 'expired' ? 'AccessDenied' : 'SignatureDoesNotMatch' },
        });
      }
      const get = decideStorage(facts, storageCaller(persona.p)!, { action: 'get', bucket: bucket.name, key: runKey(folder, SHARED, 'run') });
      out.push(cell({ id: `${bucket.name}:${path}|presigned|${persona.name}`, kind: 'storage', persona: persona.name, bucket: bucket.name, path, operation: 'get', variant: 'presigned', action: { type: 'storage', op: 'presigned', bucket: bucket.name, object: target } }, get));
    }
    // Out of a writable folder into another identity's.
    const sneak = sneakOf(facts, cast, bucket);
    if (sneak) {
      const { persona, from, into, intoPath } = sneak;
      for (const via of ['traversal', 'encoded'] as const) {
        const key = runKey(into, `sneak-${fileName(persona.name)}-${via}.txt`, 'run');
        const d = decideStorage(facts, storageCaller(persona)!, { action: 'write', bucket: bucket.name, key });
        out.push(cell({
          id: `${bucket.name}:${intoPath}|write|${persona.name}|${via}`, kind: 'storage', persona: persona.name, bucket: bucket.name, path: intoPath, operation: 'write', variant: via, ownership: 'other',
          action: { type: 'storage', op: 'sneak', bucket: bucket.name, folder: from, name: `sneak-${fileName(persona.name)}-${via}.txt`, via, into },
        }, { ...d, reason: `${via === 'traversal' ? `${from}../${into} resolves` : `${into.replaceAll('/', '%2F')} decodes`} to ${into}: ${d.reason}` }));
      }
    }
  }
  return out;
}

interface Reader {
  persona: { name: string; p: Persona };
  path: string;
  folder: string;
  where: string;
}

/** Who can get a fixture object of the bucket (its own folder first), for the presigned probes. */
function readerOf(facts: StorageFacts, cast: Persona[], bucket: StorageBucket): Reader | undefined {
  const candidates: Reader[] = [];
  for (const { path } of bucket.paths) {
    for (const p of cast) {
      const caller = storageCaller(p);
      if (!caller || caller.kind === 'anonymous') continue;
      const owned = path.includes(ENTITY_TOKEN);
      if (owned && !p.identityId) continue;
      const folder = owned ? `${sharedPart(path)}${p.identityId}/` : sharedPart(path);
      if (decideStorage(facts, caller, { action: 'get', bucket: bucket.name, key: runKey(folder, SHARED, 'run') }).outcome !== 'allow') continue;
      candidates.push({ persona: { name: p.name, p }, path, folder, where: owned ? `@${p.name}` : '' });
    }
  }
  return candidates.find((c) => c.where) ?? candidates[0];
}

/** A persona that may write a shared folder, and another identity's owner folder it may not write. */
function sneakOf(facts: StorageFacts, cast: Persona[], bucket: StorageBucket): { persona: Persona; from: string; into: string; intoPath: string } | undefined {
  const owned = bucket.paths.find((x) => x.path.includes(ENTITY_TOKEN));
  if (!owned) return undefined;
  for (const p of cast) {
    const caller = storageCaller(p);
    if (!caller || caller.kind !== 'identity') continue;
    const victim = otherOf(cast, p);
    if (!victim) continue;
    const into = `${sharedPart(owned.path)}${victim.identityId}/`;
    for (const { path } of bucket.paths) {
      if (path.includes(ENTITY_TOKEN)) continue;
      const from = sharedPart(path);
      const can = (key: string) => decideStorage(facts, caller, { action: 'write', bucket: bucket.name, key }).outcome === 'allow';
      if (can(runKey(from, 'x', 'run')) && !can(runKey(into, 'x', 'run'))) return { persona: p, from, into, intoPath: owned.path };
    }
  }
  return undefined;
}
