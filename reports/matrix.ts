/**
 * Renders the expected permission matrix: a terminal table (≤ 100 columns, grouped by model), Markdown,
 * or JSON cells.
 */
import { cellIdentity, type Cell, type CellIdentity, type Expected } from '../harness/matrix/cells.js';
import type { Persona } from '../harness/matrix/cast.js';
import type { RestPresentation } from '../harness/matrix/rest-action.js';
import type { AuthModel, Model, Rule } from '../harness/schema/model.js';
import { emptyBucketNotes } from '../harness/schema/storage/model.js';
import { describeRule } from '../harness/rules/describe.js';

export const SYMBOL: Record<Expected, string> = { allow: '✓', deny: '✗', filtered: '~', partial: '◐', invalid: '⊘', conditionFailed: '≠' };
export const LEGEND = '✓ allow   ✗ deny   ~ filtered (some records)   ◐ partial (null + error)   ≠ condition failed   · n/a';

export interface MatrixJsonCell extends CellIdentity {
  expected: Expected;
  rule: string | null;
  reason: string;
  deniedFields?: string[];
  redactedFields?: string[];
  visibleIds?: string[];
}

export function matrixJson(cells: Cell[]): MatrixJsonCell[] {
  return cells.map((c) => {
    const d = c.decision;
    return {
      ...cellIdentity(c),
      expected: c.expected,
      rule: c.rule,
      reason: c.reason,
      ...(d.deniedFields ? { deniedFields: d.deniedFields } : {}),
      ...(d.redactedFields ? { redactedFields: d.redactedFields } : {}),
      ...(d.visibleIds ? { visibleIds: d.visibleIds } : {}),
    };
  });
}

/** What a grid needs of a cell: where it sits (the symbol it shows is the caller's choice). */
export type GridCell = Pick<CellIdentity, 'kind' | 'persona' | 'model' | 'customOperation' | 'api' | 'bucket' | 'path' | 'operation' | 'field' | 'fixture' | 'ownership' | 'variant'>;

interface Column {
  /** Header line 1 (operation) and line 2 (fixture letter). */
  group: string;
  sub: string;
  pick: (c: GridCell) => boolean;
}

export interface Grid {
  title: string;
  notes: string[];
  columns: Column[];
  rows: { persona: string; cells: string[] }[];
}

const FIXTURE_LETTER: Record<string, string> = { owned: 'O', shared: 'S', unowned: 'U', record: '' };

/** One letter per fixture: O, S, U, and the group field's initial for `shared:<field>` (V for viewers). */
function fixtureLetters(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const taken = new Set(['O', 'S', 'U']);
  for (const n of names) {
    if (n in FIXTURE_LETTER) out[n] = FIXTURE_LETTER[n]!;
    else {
      const field = n.replace(/^shared:/, '').toUpperCase();
      const letter = [...field, ...'ABCDEFGHIJKLMNPQRTVWXYZ'].find((ch) => /[A-Z]/.test(ch) && !taken.has(ch))!;
      taken.add(letter);
      out[n] = letter;
    }
  }
  return out;
}

/** The cells the grids show: plain operations, field reads and writes, plain subscription starts. */
const inGrid = (c: GridCell) => (c.kind === 'model' || c.kind === 'subscription' || c.kind === 'field' || c.kind === 'custom') && !c.variant;

function modelGrids<C extends GridCell>(m: Model, cells: C[], personas: string[], fixtures: Map<string, string>, symbol: (c: C | undefined) => string): Grid[] {
  const mine = cells.filter((c) => c.model === m.name && inGrid(c));
  if (!mine.length) return [];
  const fx = [...new Set(mine.filter((c) => c.fixture).map((c) => c.fixture!))];
  const FIXTURE_LETTER = fixtureLetters(fx);
  const columns: Column[] = [];
  const plain = (op: string): Column => ({ group: op, sub: '', pick: (c) => c.operation === op && !c.field });
  for (const op of ['create', 'get', 'list', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'] as const) {
    if (!mine.some((c) => c.operation === op)) continue;
    if (op === 'get' || op === 'update' || op === 'delete') {
      for (const f of fx) columns.push({ group: op, sub: FIXTURE_LETTER[f]!, pick: (c) => c.operation === op && !c.field && c.fixture === f });
    } else columns.push(plain(op));
  }
  const grids: Grid[] = [{
    title: `${m.name}`,
    notes: [rulesLine(m.rules), ...fx.filter((f) => f !== 'record').map((f) => `${FIXTURE_LETTER[f]} = ${fixtures.get(`${m.name}|${f}`) ?? f}`)],
    columns,
    rows: [],
  }];
  const fieldNames = [...new Set(mine.filter((c) => c.field).map((c) => c.field!))];
  if (fieldNames.length) {
    const fcols: Column[] = [];
    for (const name of fieldNames) {
      for (const f of fx) fcols.push({ group: `${name} read`, sub: FIXTURE_LETTER[f]!, pick: (c) => c.field === name && c.operation === 'get' && c.fixture === f });
      fcols.push({ group: `${name} create`, sub: '', pick: (c) => c.field === name && c.operation === 'create' });
      for (const f of fx) fcols.push({ group: `${name} update`, sub: FIXTURE_LETTER[f]!, pick: (c) => c.field === name && c.operation === 'update' && c.fixture === f });
    }
    const fieldRules = m.fields.filter((f) => f.rules).map((f) => `${f.name}: ${f.rules!.map((r) => `#${r.id.split('#')[1]} ${short(r)}`).join(' · ')}`);
    grids.push({ title: `${m.name} fields`, notes: fieldRules, columns: fcols, rows: [] });
  }
  for (const g of grids) g.rows = personas.map((p) => ({ persona: p, cells: g.columns.map((col) => symbol(mine.find((c) => c.persona === p && col.pick(c)))) }));
  return grids;
}

function customGrid<C extends GridCell>(auth: AuthModel, all: C[], personas: string[], symbol: (c: C | undefined) => string): Grid[] {
  if (!auth.customOperations.length) return [];
  const cells = all.filter(inGrid);
  const columns = auth.customOperations.map((op) => ({ group: op.name, sub: '', pick: (c: GridCell) => c.customOperation === op.name }));
  const notes = auth.customOperations.map((op) => `${op.name} (${op.type}): ${op.rules.map((r) => `#${r.id.split('#')[1]} ${short(r)}`).join(' · ')}`);
  const grid: Grid = { title: 'Custom operations', notes, columns, rows: [] };
  grid.rows = personas.map((p) => ({ persona: p, cells: columns.map((col) => symbol(cells.find((c) => c.persona === p && col.pick(c)))) }));
  return [grid];
}

const expectedSymbol = (c: Cell | undefined): string => (c ? SYMBOL[c.expected] : '·');

function rulesLine(rules: Rule[]): string {
  if (!rules.length) return 'rules: none (deny by default)';
  return `rules: ${rules.map((r) => `#${r.id.split('#')[1]} ${short(r)}`).join(' · ')}`;
}

const ALL_OPS = 8;

/** A rule in a few words, with its operations when they are not all of them. */
export function short(r: Rule): string {
  const ops = r.operations.length === ALL_OPS ? '' : ` [${compactOps(r.operations)}]`;
  return `${describeRule(r).replace(/ \(claim `cognito:groups`\)/, '')}${ops}`;
}

function compactOps(ops: string[]): string {
  const read = ['get', 'list', 'listen', 'sync', 'search'];
  const hasRead = read.every((o) => ops.includes(o));
  const rest = ops.filter((o) => !hasRead || !read.includes(o));
  return [...rest.filter((o) => ['create', 'update', 'delete'].includes(o)), ...(hasRead ? ['read'] : []), ...rest.filter((o) => !['create', 'update', 'delete'].includes(o))].join(',');
}

/** How a persona presents itself to a REST route, in one letter (the request's own headers; global-header variants are left out). */
const PRESENTATION_LETTER: Record<RestPresentation, string> = { unsigned: 'u', signed: 's', idToken: 'i', accessToken: 'a', oidcToken: 'o', apiKey: 'k', token: 't' };
const PRESENTATION_NOTE = 'u unsigned · s SigV4-signed · i ID token · a access token · o OIDC token · k API key · t authorizer token';

/** One grid per REST API: a column per method and route, its sub-columns the ways personas present themselves. */
function restGrids<C extends GridCell>(cells: C[], personas: string[], symbol: (c: C | undefined) => string): Grid[] {
  const plain = cells.filter((c) => c.kind === 'rest' && c.variant !== undefined && c.variant in PRESENTATION_LETTER);
  return [...new Set(plain.map((c) => c.api!))].map((api) => {
    const mine = plain.filter((c) => c.api === api);
    const columns: Column[] = [];
    for (const route of new Set(mine.map((c) => `${c.operation} ${c.path}`))) {
      const ways = [...new Set(mine.filter((c) => `${c.operation} ${c.path}` === route).map((c) => c.variant as RestPresentation))];
      for (const way of ways) columns.push({ group: route, sub: PRESENTATION_LETTER[way], pick: (c) => c.api === api && `${c.operation} ${c.path}` === route && c.variant === way });
    }
    return fill({ title: `REST API ${api}`, notes: [PRESENTATION_NOTE], columns, rows: [] }, mine, personas, symbol);
  });
}

const STORAGE_LETTER: Record<string, string> = { get: 'g', list: 'l', write: 'w', delete: 'd', copy: 'c', multipart: 'm', presigned: 'p' };

/** One grid per bucket: a column per path (per folder, the persona's own or another's, where the path has owners), its sub-columns the actions. */
function storageGrids<C extends GridCell>(cells: C[], personas: string[], symbol: (c: C | undefined) => string): Grid[] {
  const mine = cells.filter((c) => c.kind === 'storage' && !c.variant);
  const place = (c: GridCell) => (c.ownership ? `${c.path} (${c.ownership})` : c.path!);
  return [...new Set(mine.map((c) => c.bucket!))].map((bucket) => {
    const inBucket = mine.filter((c) => c.bucket === bucket);
    const columns: Column[] = [];
    for (const where of new Set(inBucket.map(place))) {
      for (const op of new Set(inBucket.filter((c) => place(c) === where).map((c) => c.operation))) {
        columns.push({ group: where, sub: STORAGE_LETTER[op] ?? op, pick: (c) => c.bucket === bucket && place(c) === where && c.operation === op });
      }
    }
    return fill({ title: `Storage bucket ${bucket}`, notes: ['g get · l list · w write · d delete · c copy · m multipart upload · p presigned URL'], columns, rows: [] }, inBucket, personas, symbol);
  });
}

function fill<C extends GridCell>(grid: Grid, cells: C[], personas: string[], symbol: (c: C | undefined) => string): Grid {
  grid.rows = personas.filter((p) => cells.some((c) => c.persona === p)).map((p) => ({ persona: p, cells: grid.columns.map((col) => symbol(cells.find((c) => c.persona === p && col.pick(c)))) }));
  return grid;
}

/** The grids of the models (and their fields), the custom operations, the REST APIs and the buckets, each cell shown by `symbol`. */
export function gridsFor<C extends GridCell>(auth: AuthModel, cells: C[], personaNames: string[], fixtures: Map<string, string>, symbol: (c: C | undefined) => string): Grid[] {
  const personas = personaNames.filter((p) => cells.some((c) => c.persona === p));
  return [
    ...auth.models.flatMap((m) => modelGrids(m, cells, personas, fixtures, symbol)),
    ...customGrid(auth, cells, personas, symbol),
    ...restGrids(cells, personas, symbol),
    ...storageGrids(cells, personas, symbol),
  ];
}

const expectedGrids = (auth: AuthModel, cells: Cell[], cast: Persona[], fixtures: Map<string, string>): Grid[] => gridsFor(auth, cells, cast.map((p) => p.name), fixtures, expectedSymbol);

/** Fixed-width text. Wide grids (many fields) wrap onto further blocks so that no line passes `width`. */
export function renderMatrixTable(auth: AuthModel, cells: Cell[], cast: Persona[], fixtures: Map<string, string>, width = 100): string {
  const out: string[] = [LEGEND, ''];
  for (const g of expectedGrids(auth, cells, cast, fixtures)) {
    out.push(g.title, ...g.notes.flatMap((n) => wrap(n, width, '  ')));
    const nameWidth = Math.min(24, Math.max(8, ...g.rows.map((r) => r.persona.length)) + 2);
    // Split columns into blocks that fit, keeping each operation's sub-columns together.
    const groups: Column[][] = [];
    for (const col of g.columns) {
      if (groups.at(-1)?.[0]?.group === col.group) groups.at(-1)!.push(col);
      else groups.push([col]);
    }
    const blocks: Column[][] = [];
    let cur: Column[] = [];
    let used = nameWidth;
    for (const group of groups) {
      const w = group.reduce((sum, col) => sum + colWidth(g.columns, g.columns.indexOf(col)), 0);
      if (used + w > width && cur.length) {
        blocks.push(cur);
        cur = [];
        used = nameWidth;
      }
      cur.push(...group);
      used += w;
    }
    if (cur.length) blocks.push(cur);
    for (const block of blocks) {
      const idx = block.map((c) => g.columns.indexOf(c));
      let h1 = ''.padEnd(nameWidth);
      let h2 = ''.padEnd(nameWidth);
      for (let k = 0; k < idx.length; ) {
        const group = g.columns[idx[k]!]!.group;
        let total = 0;
        for (; k < idx.length && g.columns[idx[k]!]!.group === group; k++) {
          const w = colWidth(g.columns, idx[k]!);
          total += w;
          h2 += g.columns[idx[k]!]!.sub.padEnd(w);
        }
        h1 += group.padEnd(total);
      }
      out.push(h1.trimEnd());
      if (h2.trim()) out.push(h2.trimEnd());
      for (const row of g.rows) {
        let line = truncate(row.persona, nameWidth - 1).padEnd(nameWidth);
        idx.forEach((i) => (line += row.cells[i]!.padEnd(colWidth(g.columns, i))));
        out.push(line.trimEnd());
      }
    }
    out.push('');
  }
  for (const note of emptyBucketNotes(auth.storage)) out.push(...wrap(`Note: ${note}`, width, '  '));
  return out.join('\n');
}

/** Width of a column: a group's label spreads over its sub-columns. */
function colWidth(cols: Column[], i: number): number {
  const col = cols[i]!;
  const siblings = cols.filter((c) => c.group === col.group);
  const isLast = siblings.at(-1) === col;
  const base = 2;
  if (!isLast) return base;
  const need = col.group.length + 2 - base * (siblings.length - 1);
  return Math.max(base, need);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line.length + w.length + 1 > width && line.trim()) {
      lines.push(line.trimEnd());
      line = indent + '  ';
    }
    line += (line.trim() ? ' ' : '') + w;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

export function renderMatrixMarkdown(auth: AuthModel, cells: Cell[], cast: Persona[], fixtures: Map<string, string>): string {
  const out: string[] = [LEGEND.replace(/ {3}/g, ' · '), ''];
  for (const g of expectedGrids(auth, cells, cast, fixtures)) {
    out.push(`### ${g.title}`, '', ...g.notes.map((n) => `- ${n.replace(/\|/g, '\\|')}`), '');
    const headers = g.columns.map((c) => (c.sub ? `${c.group} ${c.sub}` : c.group));
    out.push(`| persona | ${headers.join(' | ')} |`, `|---|${headers.map(() => ':-:').join('|')}|`);
    for (const r of g.rows) out.push(`| ${r.persona} | ${r.cells.join(' | ')} |`);
    out.push('');
  }
  for (const note of emptyBucketNotes(auth.storage)) out.push(`> Note: ${note}`);
  return out.join('\n');
}
