/**
 * Which REST cells a statement about a REST path is about (`guest may GET /items`, `members of Admins
 * never call /items/*`). The path names resources as backend.ts declares them (`/items/{proxy+}`), or,
 * ending in `/*`, a path and every resource below it; `api:` in front names one API.
 *
 * `call` is every verb but OPTIONS: the CORS preflight CDK adds is answered without authorization, by
 * API Gateway itself, to anyone (name OPTIONS to state it).
 *
 * A persona presents itself to an API in several ways (signed, an ID or access token, an API key, an
 * authorizer's token): `may` holds when, for each request selected, at least one of the persona's plain
 * presentations gets through; `never` when none of its cells does, header paths and cached-authorizer
 * cells included.
 */
import type { Cell } from '../matrix/cells.js';
import type { RestAction } from '../matrix/rest-action.js';
import { REST_ANY_VERBS } from '../matrix/rest-cells.js';
import { oneOf } from './names.js';
import type { Plan, Probe } from './plan.js';
import type { AuthModel } from '../schema/model.js';
import type { Statement } from './statement.js';

/** What planRest reads of the matrix (select.ts's MatrixIndex). */
interface Cells {
  readonly personas: string[];
  readonly matrix: { model: AuthModel };
  cellsOf(persona: string): Cell[];
}

/** The API and the resource-path test a REST object names. */
function target(object: string): { api?: string; path: string; covers: (resourcePath: string) => boolean } {
  const colon = object.indexOf(':/');
  const api = colon > 0 ? object.slice(0, colon) : undefined;
  const path = colon > 0 ? object.slice(colon + 1) : object;
  if (!path.endsWith('/*')) return { ...(api ? { api } : {}), path, covers: (p) => p === path };
  const below = path.slice(0, -2);
  return { ...(api ? { api } : {}), path, covers: (p) => p === below || p.startsWith(`${below}/`) || (below === '' && p === '/') };
}

/** The ordinary request of a persona's presentation: no global or overriding header, no cached answer met first. */
const plain = (c: Cell) => {
  const a = c.action as RestAction;
  return a.headerPath === 'request' && !a.after;
};

export function planRest(ix: Cells, s: Statement, fail: (message: string, fix: string) => never): Plan {
  const section = ix.matrix.model.rest;
  // REST APIs and HTTP APIs alike: their methods and routes are a verb on a resource path.
  const all = section ? [...section.apis, ...section.httpApis.map((a) => ({ name: a.name, methods: a.routes }))] : [];
  if (!all.length) return fail('the app defines no REST API', 'drop the statement, or define the API in amplify/backend.ts');
  const t = target(s.object);
  const apis = t.api ? all.filter((a) => a.name === t.api) : all;
  if (t.api && !apis.length) fail(`unknown REST API "${t.api}"`, oneOf(t.api, all.map((a) => a.name)));
  const methods = apis.flatMap((a) => a.methods.map((m) => ({ api: a.name, m })));
  const resources = [...new Set(methods.map(({ m }) => m.resourcePath))];
  const covered = methods.filter(({ m }) => t.covers(m.resourcePath));
  if (!covered.length) {
    return fail(`no resource is declared at "${t.path}"`, `${oneOf(t.path, resources)}; or end with /* for a path and everything below it`);
  }
  const verb = s.verb === 'call' ? undefined : s.verb.toUpperCase();
  if (verb && !covered.some(({ m }) => m.method === verb || m.method === 'ANY')) {
    const declared = [...new Set(covered.map(({ m }) => m.method))].join(', ');
    fail(`no method of ${t.path} answers ${verb}`, `${t.path} declares ${declared}; API Gateway refuses any other verb to everyone (403 Missing Authentication Token), so there is nothing to test`);
  }
  const multiple = all.length > 1;
  const on = (persona: string, every: boolean): Cell[] =>
    ix.cellsOf(persona).filter((c) => c.kind === 'rest' && apis.some((a) => a.name === c.api) && t.covers(c.path!)
      && (verb === undefined ? c.operation !== 'OPTIONS' : c.operation === verb) && (every || plain(c)));
  const probe = (persona: string, role: Probe['role']) => (cell: Cell): Probe => ({
    cell, persona, kind: 'action', role,
    ...(role === 'some' ? { group: `${multiple ? `${cell.api}:` : ''}${cell.operation} ${cell.path}` } : {}),
  });

  const named = 'personas' in s.subject ? s.subject.personas : 'except' in s.subject ? s.subject.except : [];
  named.forEach((p) => ix.personas.includes(p) || fail(`unknown persona "${p}"`, oneOf(p, ix.personas)));
  const subjects = 'personas' in s.subject ? s.subject.personas : ix.personas.filter((p) => !named.includes(p));
  const role: Probe['role'] = s.quantifier === 'never' ? 'mustNot' : 'some';
  const probes: Probe[] = [];
  for (const p of subjects) {
    const cells = on(p, s.quantifier === 'never');
    if (!cells.length && 'personas' in s.subject) {
      fail(`selects no cells for ${p}`, `${p} has no REST cell on ${t.path}${verb ? ` for ${verb}` : ''}: it calls no REST API (functions and the data API's key do not)${verb && !REST_ANY_VERBS.includes(verb as 'GET') ? `, or the method is ANY, which is tested with ${REST_ANY_VERBS.join(' and ')}` : ''}`);
    }
    probes.push(...cells.map(probe(p, role)));
  }
  if (!probes.length) fail('selects no cells', `no persona of the statement calls ${t.path}${verb ? ` with ${verb}` : ''}; name one that does (see authmatrix matrix)`);
  if (s.quantifier === 'only') for (const p of ix.personas.filter((x) => !subjects.includes(x))) probes.push(...on(p, true).map(probe(p, 'mustNot')));
  return { statement: s, probes };
}
