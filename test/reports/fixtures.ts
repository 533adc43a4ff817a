/** Small hand-made run reports for the report tests: every number in them is known. */
import type { CellResult } from '../../harness/matrix/verdict.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { totalsOf, type RunReport } from '../../reports/results.js';

/** Note: owner rule (Note#1), API-key read (Note#2), a field only owners touch (Note.secret#1); a custom query. */
export const NOTE_SDL = `
type Note @model @auth(rules: [{ allow: owner }, { allow: public, provider: apiKey, operations: [read] }]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{ allow: owner }])
}
type Query { ping: String @aws_cognito_user_pools @aws_api_key }
`;

export function noteModel(): AuthModel {
  return authModelFromSdl({
    sdl: NOTE_SDL,
    file: 'notes/schema.graphql',
    kind: 'gen1',
    authModes: { default: 'userPool', enabled: ['apiKey', 'userPool'], apiKey: { expiresInDays: 7 }, userPool: {} },
    params: { ...GEN1_DEFAULT_PARAMS },
  });
}

type CellInput = Partial<CellResult> & Pick<CellResult, 'id' | 'persona' | 'operation' | 'expected' | 'observed'>;

/** A cell; `pass` follows from expected and observed unless given. */
export function cell(c: CellInput): CellResult {
  const pass = c.pass ?? c.expected === c.observed;
  return {
    kind: c.customOperation ? 'custom' : c.field ? 'field' : 'model',
    ...(c.customOperation ? {} : { model: 'Note' }),
    rule: null,
    reason: `${c.expected} by the rules`,
    detail: pass ? '' : `expected ${c.expected}, observed ${c.observed}`,
    summary: c.observed === 'deny' ? '401 UnauthorizedException' : 'data',
    latencyMs: 2.5,
    ...c,
    pass,
  };
}

export const PERSONAS: RunReport['personas'] = [
  { name: 'anonymous', kind: 'anonymous', description: 'no credentials at all', provisioning: 'no credentials' },
  { name: 'apiKey', kind: 'apiKey', description: 'a valid API key', provisioning: 'the emulator’s API key' },
  { name: 'owner', kind: 'owner', description: 'user-pool user who owns the owned fixtures', provisioning: 'user-pool access token minted by the emulator for "owner"' },
  { name: 'stranger', kind: 'stranger', description: 'another user-pool user', provisioning: 'user-pool access token minted by the emulator for "stranger"' },
];

export function report(cells: CellResult[], extra: Partial<RunReport> = {}): RunReport {
  const untested = extra.untested ?? [];
  return {
    format: 'authmatrix-results',
    version: 1,
    tool: { name: 'authmatrix', version: '0.1.0' },
    schema: { path: 'notes/schema.graphql', hash: 'sha256:00112233445566778899aabbccddeeff', source: 'gen1' },
    model: noteModel(),
    target: { kind: 'emulated', endpoint: 'embedded emulator' },
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:04.200Z',
    personas: PERSONAS,
    totals: totalsOf(cells, untested.length),
    cells,
    untested,
    contracts: [],
    fixtures: { 'Note|owned': "owner's record", 'Note|unowned': 'a record without owner or group' },
    ...extra,
  };
}

const by = (allowing: string[], refusing: string[] = []) => ({ decidedBy: { allowing, refusing } });

/**
 * The hand-made run the coverage numbers are checked on, each cell with the rules the oracle says
 * decided it: three rules seen both ways, a field rule seen allowing only, a custom-query rule never
 * seen allowing, a mismatch and an error that count for nothing but the operations they ran.
 */
export function noteCells(): CellResult[] {
  return [
    cell({ id: 'Note|create|owner', persona: 'owner', operation: 'create', expected: 'allow', observed: 'allow', rule: 'Note#1', ...by(['Note#1']) }),
    cell({ id: 'Note|get|apiKey|owned', persona: 'apiKey', operation: 'get', fixture: 'owned', ownership: 'other', expected: 'allow', observed: 'allow', rule: 'Note#2', ...by(['Note#2']) }),
    cell({ id: 'Note|update|apiKey|owned', persona: 'apiKey', operation: 'update', fixture: 'owned', ownership: 'other', expected: 'deny', observed: 'deny', ...by([], ['Note#2']) }),
    cell({ id: 'Note|get|stranger|owned', persona: 'stranger', operation: 'get', fixture: 'owned', ownership: 'other', expected: 'deny', observed: 'deny', rule: 'Note#1', ...by([], ['Note#1']) }),
    cell({ id: 'Note|get|owner|owned|secret', persona: 'owner', operation: 'get', fixture: 'owned', ownership: 'own', field: 'secret', expected: 'allow', observed: 'allow', rule: 'Note#1', ...by(['Note#1', 'Note.secret#1']) }),
    cell({ id: 'Note|delete|stranger|owned', persona: 'stranger', operation: 'delete', fixture: 'owned', ownership: 'other', expected: 'deny', observed: 'allow', rule: 'Note#1', ...by([], ['Note#1', 'Note.secret#1']) }),
    cell({ id: 'Note|list|owner', persona: 'owner', operation: 'list', expected: 'filtered', observed: 'error', rule: 'Note#1', ...by(['Note#1']) }),
    cell({ id: 'ping|query|apiKey', kind: 'custom', customOperation: 'ping', persona: 'apiKey', operation: 'query', expected: 'allow', observed: 'allow', rule: 'Query.ping#2', ...by(['Query.ping#2']) }),
  ];
}
