/**
 * The storage section of a deployed Gen 2 app, from amplify_outputs.json `storage.buckets[].paths`
 * (client-config schema v1.3+). Those maps are written by @aws-amplify/backend-storage from the same rules
 * it compiles to IAM, with `{entity_id}` already substituted and `read` already expanded; the declared
 * rules are recovered from them. They are advisory: the IAM policies are what S3 enforces, and
 * `allow.resource(fn)` grants are not written there at all.
 */
import { InputError } from '../errors.js';
import { ENTITY_TOKEN, IDENTITY_VARIABLE, STORAGE_ACTIONS, type StorageAction, type StorageBucket, type StorageGrant, type StoragePrincipal, type StorageSection } from './model.js';

type Json = Record<string, unknown>;

export interface OutputsStorage {
  storage: StorageSection;
  caveats: string[];
}

export function outputsStorage(file: string, outputs: Json): OutputsStorage | undefined {
  const s = outputs.storage as Json | undefined;
  if (!s || typeof s !== 'object') return undefined;
  const defaultName = typeof s.bucket_name === 'string' ? s.bucket_name : undefined;
  const raw = Array.isArray(s.buckets) ? (s.buckets as Json[]) : defaultName ? [{ name: defaultName, bucket_name: defaultName, aws_region: s.aws_region }] : [];
  const caveats: string[] = [];
  const buckets = raw.map((b, i): StorageBucket => {
    const bucketName = typeof b.bucket_name === 'string' ? b.bucket_name : undefined;
    const name = typeof b.name === 'string' ? b.name : bucketName;
    if (!name) throw new InputError(`storage.buckets[${i}] has no name`, { file }, 'regenerate the outputs with npx ampx generate outputs');
    const paths = b.paths as Record<string, Record<string, unknown>> | undefined;
    if (!paths) caveats.push(`bucket ${name}: amplify_outputs.json records no access paths (older @aws-amplify/backend); its rules are unknown and every caller is expected to be refused`);
    return {
      name,
      ...(bucketName ? { bucketName } : {}),
      ...(typeof b.aws_region === 'string' ? { region: b.aws_region } : typeof s.aws_region === 'string' ? { region: s.aws_region } : {}),
      isDefault: bucketName !== undefined && bucketName === defaultName,
      flavor: 'gen2',
      paths: declared(file, name, paths ?? {}),
    };
  });
  if (buckets.length && !buckets.some((b) => b.isDefault)) buckets[0]!.isDefault = true;
  caveats.push('storage rules come from amplify_outputs.json `paths`, which is advisory: the IAM policies are what S3 enforces, and allow.resource(fn) grants are not recorded there, so function roles are not tested');
  return { storage: { buckets, groupPrecedence: outputsGroups(outputs) }, caveats };
}

/** Outputs keys back to declared paths: `p/${sub}/*` is the owner form of `p/{entity_id}/*`, and `p/*` its shared form when both exist. */
function declared(file: string, bucket: string, paths: Record<string, Record<string, unknown>>): StorageBucket['paths'] {
  const keys = Object.keys(paths);
  const ownerForms = new Set(keys.filter((k) => k.includes(IDENTITY_VARIABLE)).map((k) => k.replace(`${IDENTITY_VARIABLE}/`, '')));
  const out = new Map<string, { principal: StoragePrincipal; actions: StorageAction[] }[]>();
  const hidden = new Set<string>();
  for (const key of keys) {
    const path = key.includes(IDENTITY_VARIABLE) ? key.replace(IDENTITY_VARIABLE, ENTITY_TOKEN) : ownerForms.has(key) ? `${key.slice(0, -1)}${ENTITY_TOKEN}/*` : key;
    const grants = out.get(path) ?? [];
    const entries = Object.entries(paths[key] ?? {});
    // The schema (client-config v1.2+) also allows a `resource` entry; backend-storage writes function grants as nothing at all.
    if (!entries.filter(([who]) => who !== 'resource').length) hidden.add(path);
    for (const [who, actions] of entries) {
      if (!Array.isArray(actions) || actions.some((a) => a !== 'read' && !STORAGE_ACTIONS.includes(a as StorageAction))) {
        throw new InputError(`storage path ${key}: ${who} has unknown actions ${JSON.stringify(actions)}`, { file }, 'expected a list of read, get, list, write, delete');
      }
      if (who === 'resource') continue;
      const expanded = [...new Set((actions as string[]).flatMap((a) => (a === 'read' ? ['get', 'list'] : [a])))] as StorageAction[];
      grants.push({ principal: principalOf(file, key, who), actions: expanded });
    }
    out.set(path, grants);
  }
  return [...out.entries()].map(([path, grants]) => ({
    path,
    grants: grants.map((g, i): StorageGrant => ({ id: `${bucket}:${path}#${i + 1}`, ...g })),
    ...(hidden.has(path) && !grants.length ? { hiddenGrants: true as const } : {}),
  }));
}

function principalOf(file: string, key: string, who: string): StoragePrincipal {
  if (who === 'guest' || who === 'authenticated') return { kind: who };
  if (who === 'entityidentity') return { kind: 'owner' };
  if (who.startsWith('groups') && who.length > 'groups'.length) return { kind: 'group', group: who.slice('groups'.length) };
  throw new InputError(`storage path ${key}: unknown principal "${who}"`, { file }, 'expected guest, authenticated, groups<Name> or entityidentity');
}

/** `auth.groups`: `[{ "Admin": { "precedence": 0 } }, …]`, first by precedence. */
function outputsGroups(outputs: Json): string[] {
  const groups = (outputs.auth as Json | undefined)?.groups;
  if (!Array.isArray(groups)) return [];
  const entries = groups.flatMap((g) => Object.entries((g ?? {}) as Record<string, { precedence?: unknown }>));
  return entries.map(([name, v], i) => ({ name, order: typeof v?.precedence === 'number' ? v.precedence : Number.MAX_SAFE_INTEGER, i }))
    .sort((a, b) => a.order - b.order || a.i - b.i).map((g) => g.name);
}
