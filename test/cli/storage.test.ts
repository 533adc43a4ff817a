/**
 * Storage through the CLI: the photos example (data and two buckets) runs clean on the embedded
 * emulator with every storage cell kind observed; a widened path rule fails the gate as a high-severity
 * widening and breaks the contract it violates, naming the cells.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessIndex } from '../../reports/access.js';
import { cli, example, results, scratchDir } from './cli.js';

const dir = scratchDir('authmatrix-storage-');

describe('authmatrix run on an app with storage', () => {
  it('the photos example: every data and storage cell matches, probes are refused, the storage contracts hold', async () => {
    const out = path.join(dir, 'photos');
    const r = await cli(['run', '--schema', example('photos'), '--out', out]);
    expect(r.stdout).toMatch(/PASSED {2}\d+\/\d+ cells match/);
    expect(r.code).toBe(0);
    const report = results(out);
    const storage = report.cells.filter((c) => c.kind === 'storage');
    expect(storage.length).toBeGreaterThan(300);
    expect(storage.every((c) => c.pass)).toBe(true);
    expect(new Set(storage.map((c) => c.operation))).toEqual(new Set(['get', 'list', 'write', 'delete', 'copy', 'multipart']));
    expect(new Set(storage.map((c) => c.observed))).toEqual(new Set(['allow', 'deny']));
    // Owner folders, group roles, the function's role and the child override, each seen on the wire.
    const seen = (id: string) => report.cells.find((c) => c.id === id);
    expect(seen('photos:private/{entity_id}/*|get|owner|own')).toMatchObject({ observed: 'allow' });
    expect(seen('photos:private/{entity_id}/*|get|stranger|other')).toMatchObject({ observed: 'deny', rule: 'photos:private/{entity_id}/*#1' });
    expect(seen('photos:private/{entity_id}/*|get|groupMember:Admin|own')).toMatchObject({ observed: 'deny' });
    expect(seen('photos:media/albums/*|write|stranger')).toMatchObject({ observed: 'deny', rule: 'photos:media/*#2' });
    expect(seen('photos:thumbnails/*|write|function:thumbnails')).toMatchObject({ observed: 'allow' });
    // A listing of the parent returns the child path's objects too.
    expect(seen('photos:media/*|list|guest')!.seen).toEqual(['photos|media/*|shared.txt', 'photos|media/albums/*|shared.txt']);
    const probes = report.cells.filter((c) => c.kind === 'probe' && c.bucket);
    expect(probes.map((c) => c.variant).sort()).toEqual(['presigned:bucket', 'presigned:bucket', 'presigned:expired', 'presigned:expired', 'presigned:signature', 'presigned:signature']);
    expect(probes.every((c) => c.pass && c.observed === 'deny')).toBe(true);
    expect(report.cells.filter((c) => c.variant === 'traversal' || c.variant === 'encoded').map((c) => `${c.observed} ${c.summary}`)).toEqual(['deny 403 AccessDenied', 'deny 403 AccessDenied']);
    const contracts = report.contracts.filter((c) => c.file.endsWith('storage.contract.yaml'));
    expect(contracts.length).toBeGreaterThan(5);
    expect(contracts.filter((c) => c.broken)).toEqual([]);
    expect(r.stdout).toMatch(/storage paths × actions × roles +\d+\/\d+ +100%/);
    // "Who can" places each path, its own folder apart from others'.
    const paths = accessIndex(report.cells).surfaces.find((s) => s.name === 'Storage paths')!;
    const owned = paths.resources.find((x) => x.name === 'photos:private/{entity_id}/*')!;
    expect(owned.parts.map((p) => p.name).sort()).toEqual(["another identity's folder", 'own folder']);
    const others = owned.parts.find((p) => p.name === "another identity's folder")!.operations.find((o) => o.name === 'get')!;
    expect(new Set(others.branches.map((b) => b.outcome))).toEqual(new Set(['deny']));
  }, 300_000);
});

describe('a widened path rule', () => {
  // The photos example with guests allowed to upload to media/*.
  let wide: string;
  beforeAll(() => {
    wide = path.join(dir, 'photos-wide');
    cpSync(example('photos', 'amplify'), path.join(wide, 'amplify'), { recursive: true });
    const storage = path.join(wide, 'amplify/storage/resource.ts');
    const text = readFileSync(storage, 'utf8');
    const widened = text.replace("'media/*': [allow.guest.to(['read']),", "'media/*': [allow.guest.to(['read', 'write']),");
    expect(widened).not.toBe(text);
    writeFileSync(storage, widened);
  });

  it('fails the gate against the committed snapshot as a high-severity widening, and breaks its contract', async () => {
    const snapshot = path.join(dir, 'photos.snapshot.json');
    expect((await cli(['snapshot', '--schema', example('photos'), '--out', snapshot])).code).toBe(0);
    const out = path.join(dir, 'wide');
    const r = await cli(['run', '--schema', wide, '--baseline', snapshot, '--contracts', example('photos', 'specs/contracts'), '--out', out]);
    expect(r.code).toBe(1);
    const report = results(out);
    expect(report.totals.mismatches).toBe(0);
    const widened = report.gate!.baseline!.changes.filter((c) => c.direction === 'widened');
    expect(widened.map((c) => `${c.persona} ${c.permission} ${c.severity}`)).toEqual(expect.arrayContaining([
      'guest S3 photos:media/* write high', 'guest S3 photos:media/* copy high', 'guest S3 photos:media/* multipart high',
    ]));
    const broken = report.contracts.filter((c) => c.broken);
    expect(broken.map((c) => `${c.statement}: ${c.broken}`)).toEqual(['guest never writes media/*: static']);
    expect(broken[0]!.violations.map((v) => v.cell)).toEqual(expect.arrayContaining(['photos:media/*|write|guest']));
  }, 300_000);

  it('authmatrix diff names it', async () => {
    const r = await cli(['diff', '--base', example('photos'), '--head', wide]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Permission diff: 3 widened \(high 3\)/);
    expect(r.stdout).toMatch(/high +guest +S3 photos:media\/\* write +deny → allow/);
  }, 120_000);
});
