/**
 * The "who can" index: every permission the run checked, as surface › resource › part › operation,
 * each with the cells that decide it, so that the page can show for one operation which personas may
 * do it and by which rule (as SpiceDB's `zed permission expand` does for one permission). Each surface
 * says how its cells join the index; another surface (REST routes, storage paths) adds its entry to
 * SURFACES and the page shows it with no change of its own.
 */
import type { RestPresentation } from '../harness/matrix/rest-action.js';
import type { CellResult } from '../harness/matrix/verdict.js';

export interface AccessPlace {
  /** A model, a custom operation, a route, a path. */
  resource: string;
  /** What of it: `the record`, `field ssn`, `relation comments`, `events`. */
  part: string;
  operation: string;
  /** The rule to show for the cell here, when not the one it quotes (a field's own rule, for its field). */
  rule?: string | null;
}

export interface Surface {
  /** Its heading in the picker. */
  name: string;
  /** Where a cell sits, or null when it is not this surface's or is an attack rather than a permission. */
  place: (c: CellResult) => AccessPlace | null;
}

const FIELD_OPERATION: Record<string, string> = { get: 'read', create: 'create', update: 'update' };

/**
 * The field's own rule that decided a field cell (the oracle's trace), rather than the model rule the
 * cell quotes for admitting the request: a granted field by a rule that admitted the caller, a refused
 * one by a rule that did not. None where the field's rules were not in force for the caller.
 */
function fieldRule(c: CellResult): string | null {
  const own = `${c.model}.${c.field}#`;
  const granted = c.expected === 'allow' || (c.operation !== 'get' && c.expected === 'partial');
  return c.decidedBy?.[granted ? 'allowing' : 'refusing'].find((id) => id.startsWith(own)) ?? null;
}

function dataPlace(c: CellResult): AccessPlace | null {
  if (!c.model || c.variant) return null;
  switch (c.kind) {
    case 'model':
    case 'subscription':
      return { resource: c.model, part: 'the record', operation: c.operation };
    case 'field':
      return FIELD_OPERATION[c.operation] ? { resource: c.model, part: `field ${c.field}`, operation: FIELD_OPERATION[c.operation]!, rule: fieldRule(c) } : null;
    case 'relation':
      return { resource: c.model, part: `relation ${c.field}`, operation: 'read' };
    case 'delivery':
      return { resource: c.model, part: 'events', operation: `receive ${c.operation}` };
    default:
      return null;
  }
}

/** How a REST caller presented itself (the cell's variant, harness/matrix/rest-action.ts RestPresentation). */
const REST_PRESENTED: Record<RestPresentation | 'preflight', string> = {
  unsigned: 'with no credentials',
  signed: 'signed (SigV4)',
  idToken: 'with an ID token',
  accessToken: 'with an access token',
  oidcToken: 'with an OIDC token',
  apiKey: 'with an API key',
  token: "with the authorizer's token",
  preflight: 'CORS preflight',
};

/**
 * A REST cell by API and resource, how the caller presented itself, and verb. The same request through
 * global or overriding headers, or after a cached authorizer answer (`idToken:global`, `token:cached
 * after …`), is a variant of that permission and is left out, as the data surface leaves out variants.
 */
function restPlace(c: CellResult): AccessPlace | null {
  if (c.kind !== 'rest' || !c.api || !c.path || !c.variant) return null;
  const presented = (REST_PRESENTED as Record<string, string | undefined>)[c.variant];
  return presented ? { resource: `${c.api} ${c.path}`, part: presented, operation: c.operation } : null;
}

/** A storage path in its bucket; on `{entity_id}` paths, the caller's own folder apart from others'. */
function storagePlace(c: CellResult): AccessPlace | null {
  if (c.kind !== 'storage' || !c.bucket || !c.path || c.variant) return null;
  const part = c.ownership === 'own' ? 'own folder' : c.ownership === 'other' ? "another identity's folder" : 'the files';
  return { resource: `${c.bucket}:${c.path}`, part, operation: c.operation };
}

export const SURFACES: readonly Surface[] = [
  { name: 'Data models', place: dataPlace },
  { name: 'Custom operations', place: (c) => (c.kind === 'custom' && c.customOperation && !c.variant ? { resource: c.customOperation, part: 'the operation', operation: c.operation } : null) },
  { name: 'REST APIs', place: restPlace },
  { name: 'Storage paths', place: storagePlace },
];

/** The personas one outcome of an operation holds for, by one rule (or by none: each cell's reason says why). */
export interface Branch {
  outcome: string;
  rule: string | null;
  personas: { persona: string; cells: number[]; /** It holds on every record this persona was tried on. */ every: boolean }[];
}

export interface AccessOperation {
  name: string;
  /** Grants first (allow, filtered, partial), then refusals. */
  branches: Branch[];
}

export interface AccessIndex {
  surfaces: { name: string; resources: { name: string; parts: { name: string; operations: AccessOperation[] }[] }[] }[];
}

const RANK: Record<string, number> = { allow: 0, filtered: 1, partial: 2, deny: 3, invalid: 4 };

/** The answer to "who can", as `zed permission expand` gives it: outcome › rule › personas. */
function branches(cells: CellResult[], indexes: number[], ruleOf: Map<number, string | null>): Branch[] {
  const out: Branch[] = [];
  const byKey = new Map<string, Branch>();
  const tried = new Map<string, number>();
  for (const i of indexes) tried.set(cells[i]!.persona, (tried.get(cells[i]!.persona) ?? 0) + 1);
  for (const i of indexes) {
    const c = cells[i]!;
    const rule = ruleOf.has(i) ? ruleOf.get(i)! : c.rule;
    const key = `${c.expected}\0${rule ?? ''}`;
    let b = byKey.get(key);
    if (!b) {
      byKey.set(key, (b = { outcome: c.expected, rule, personas: [] }));
      out.push(b);
    }
    let p = b.personas.find((x) => x.persona === c.persona);
    if (!p) b.personas.push((p = { persona: c.persona, cells: [], every: false }));
    p.cells.push(i);
  }
  for (const b of out) for (const p of b.personas) p.every = p.cells.length > 1 && p.cells.length === tried.get(p.persona);
  return out.sort((a, b) => (RANK[a.outcome] ?? 9) - (RANK[b.outcome] ?? 9));
}

/** Every cell that stands for a permission, placed in its surface, in the order the cells come. */
export function accessIndex(cells: CellResult[], surfaces: readonly Surface[] = SURFACES): AccessIndex {
  const out: AccessIndex = { surfaces: surfaces.map((s) => ({ name: s.name, resources: [] })) };
  const placed = new Map<string, { op: AccessOperation; cells: number[] }>();
  const known = new Map<string, unknown>();
  const ruleOf = new Map<number, string | null>();
  const child = <T>(parent: T[], key: string, make: () => T): T => {
    let x = known.get(key) as T | undefined;
    if (!x) {
      known.set(key, (x = make()));
      parent.push(x);
    }
    return x;
  };
  cells.forEach((c, i) => {
    for (let s = 0; s < surfaces.length; s++) {
      const at = surfaces[s]!.place(c);
      if (!at) continue;
      const key = `${s}\0${at.resource}\0${at.part}\0${at.operation}`;
      let entry = placed.get(key);
      if (!entry) {
        const resource = child(out.surfaces[s]!.resources, `${s}\0${at.resource}`, () => ({ name: at.resource, parts: [] as { name: string; operations: AccessOperation[] }[] }));
        const part = child(resource.parts, `${s}\0${at.resource}\0${at.part}`, () => ({ name: at.part, operations: [] as AccessOperation[] }));
        const op: AccessOperation = { name: at.operation, branches: [] };
        part.operations.push(op);
        placed.set(key, (entry = { op, cells: [] }));
      }
      entry.cells.push(i);
      if (at.rule !== undefined) ruleOf.set(i, at.rule);
      return;
    }
  });
  for (const { op, cells: mine } of placed.values()) op.branches = branches(cells, mine, ruleOf);
  out.surfaces = out.surfaces.filter((s) => s.resources.length);
  return out;
}
