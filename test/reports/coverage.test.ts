import { describe, expect, it } from 'vitest';
import { isInputError } from '../../harness/schema/errors.js';
import { checkCoverage, coverageOf, renderCoverageTable } from '../../reports/coverage.js';
import { parseThresholds } from '../../reports/coverage-dimensions.js';
import { cell, noteCells, report } from './fixtures.js';
import { defaultCast } from '../../harness/matrix/cast.js';
import { restCells } from '../../harness/matrix/rest-cells.js';
import type { CellResult } from '../../harness/matrix/verdict.js';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import type { AuthModel } from '../../harness/schema/model.js';
import type { RestMethod, RestSection } from '../../harness/schema/rest/model.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import { ALL_MODES } from '../helpers.js';

describe('coverageOf on a hand-made run', () => {
  const cov = coverageOf(report(noteCells()));
  const d = cov.dimensions;

  it('counts a rule covered when the cells the oracle says it decided were seen allowing, and denying where it refuses anyone', () => {
    expect(d.rules).toEqual({
      covered: 3,
      total: 5,
      percent: 60,
      uncovered: [
        // The stranger's delete it refused came back allowed (a mismatch): it shows no refusal.
        { item: 'Note.secret#1', missing: 'never seen denying' },
        // No cell says it decided anything: nobody of the cast was seen admitted by it.
        { item: 'Query.ping#1', missing: 'never seen allowing' },
      ],
      excluded: [],
    });
  });

  it('counts operations where a cell got an authorization outcome (a mismatch counts, an error does not)', () => {
    expect(d.operations).toEqual({
      covered: 4,
      total: 8,
      percent: 50,
      uncovered: [
        { item: 'Note.list', missing: 'no cell got an auth outcome' },
        ...['onCreate', 'onUpdate', 'onDelete'].map((op) => ({ item: `Note.${op}`, missing: 'no cell ran' })),
      ],
      excluded: [],
    });
  });

  it('wants fields with rules read and written', () => {
    expect(d.fields).toEqual({ covered: 0, total: 1, percent: 0, uncovered: [{ item: 'Note.secret', missing: 'never written' }], excluded: [] });
  });

  it('counts personas, auth modes and custom operations that ran', () => {
    expect(d.personas).toEqual({ covered: 3, total: 4, percent: 75, uncovered: [{ item: 'anonymous', missing: 'no cell ran' }], excluded: [] });
    expect(d.modes).toEqual({ covered: 2, total: 2, percent: 100, uncovered: [], excluded: [] });
    expect(d.customOperations).toEqual({ covered: 1, total: 1, percent: 100, uncovered: [], excluded: [] });
  });

  it('counts a custom operation only when a call got an authorization outcome, not when every call errored', () => {
    const errored = [cell({ id: 'ping|query|apiKey', kind: 'custom', customOperation: 'ping', persona: 'apiKey', operation: 'query', expected: 'allow', observed: 'error', summary: "Lambda:Unhandled: Cannot find module 'aws-amplify'" })];
    expect(coverageOf(report(errored)).dimensions.customOperations).toMatchObject({ covered: 0, total: 1, uncovered: [{ item: 'ping', missing: 'no auth outcome: every call errored' }] });
    const refused = [...errored, cell({ id: 'ping|query|anonymous', kind: 'custom', customOperation: 'ping', persona: 'anonymous', operation: 'query', expected: 'deny', observed: 'deny' })];
    expect(coverageOf(report(refused)).dimensions.customOperations).toMatchObject({ covered: 1, total: 1 });
  });

  it('wants each subscription event delivered where a subscriber may get it and withheld where one may not', () => {
    expect(d.events.covered).toBe(0);
    expect(d.events.uncovered).toEqual(['onCreate', 'onUpdate', 'onDelete'].map((op) => ({ item: `Note.${op}`, missing: 'no delivery ran' })));
    const deliveries = [
      cell({ id: 'Note|onCreate|apiKey|by:owner', kind: 'delivery', persona: 'apiKey', actor: 'owner', operation: 'onCreate', expected: 'allow', observed: 'allow' }),
      cell({ id: 'Note|onCreate|stranger|by:owner', kind: 'delivery', persona: 'stranger', actor: 'owner', operation: 'onCreate', expected: 'deny', observed: 'deny' }),
      // Delivered where it should have been withheld: it proves nothing about withholding.
      cell({ id: 'Note|onUpdate|stranger|by:owner', kind: 'delivery', persona: 'stranger', actor: 'owner', operation: 'onUpdate', expected: 'deny', observed: 'allow' }),
      // Everybody may get onDelete here (as on a model with public subscriptions): nobody can be refused it.
      cell({ id: 'Note|onDelete|apiKey|by:owner', kind: 'delivery', persona: 'apiKey', actor: 'owner', operation: 'onDelete', expected: 'allow', observed: 'allow' }),
      cell({ id: 'Note|onDelete|stranger|by:owner', kind: 'delivery', persona: 'stranger', actor: 'owner', operation: 'onDelete', expected: 'allow', observed: 'allow' }),
    ];
    const events = coverageOf(report([...noteCells(), ...deliveries])).dimensions.events;
    expect(events).toEqual({ covered: 2, total: 3, percent: 66.6, uncovered: [{ item: 'Note.onUpdate', missing: 'never withheld' }], excluded: [] });
  });

  it('leaves out what --only did not select, and says so', () => {
    const owner = noteCells().filter((c) => c.persona === 'owner');
    const cov = coverageOf(report(owner, { only: ['owner'] })).dimensions;
    expect(cov.personas).toEqual({
      covered: 1, total: 1, percent: 100, uncovered: [],
      excluded: ['anonymous', 'apiKey', 'stranger'].map((item) => ({ item, why: 'not selected' })),
    });
    // The owner's field read is a get: Note.get was selected.
    expect(cov.operations.excluded.map((x) => x.item)).toEqual(['Note.update', 'Note.delete', 'Note.onCreate', 'Note.onUpdate', 'Note.onDelete']);
    expect(cov.operations.uncovered).toEqual([{ item: 'Note.list', missing: 'no cell got an auth outcome' }]);
    expect(cov.events).toMatchObject({ covered: 0, total: 0, percent: 100 });
    expect(cov.modes.excluded).toEqual([{ item: 'apiKey', why: 'not selected' }]);
    expect(cov.customOperations.excluded).toEqual([{ item: 'ping', why: 'not selected' }]);
    // Without --only, the same cells leave the others uncovered.
    expect(coverageOf(report(owner)).dimensions.personas.uncovered.map((u) => u.item)).toEqual(['anonymous', 'apiKey', 'stranger']);
  });

  it('counts for no rule a refusal before any rule (no credentials), and wants denying only where a cell refuses', () => {
    const cells = [
      cell({ id: 'Note|get|apiKey|owned', persona: 'apiKey', operation: 'get', fixture: 'owned', expected: 'allow', observed: 'allow', rule: 'Note#2', decidedBy: { allowing: ['Note#2'], refusing: [] } }),
      cell({ id: 'Note|update|anonymous|owned', persona: 'anonymous', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'deny', decidedBy: { allowing: [], refusing: [] } }),
    ];
    const rules = coverageOf(report(cells)).dimensions.rules;
    // Nothing refused by Note#2 here: its denying is not wanted; the owner rule decided nothing.
    expect(rules.uncovered).toEqual([
      { item: 'Note#1', missing: 'never seen allowing' },
      { item: 'Note.secret#1', missing: 'never seen allowing' },
      { item: 'Query.ping#1', missing: 'never seen allowing' },
      { item: 'Query.ping#2', missing: 'never seen allowing' },
    ]);
    // The API key refused an update its read rule does not grant, but the answer was wrong: not seen.
    const failed = cell({ id: 'Note|update|apiKey|owned', persona: 'apiKey', operation: 'update', fixture: 'owned', expected: 'deny', observed: 'allow', decidedBy: { allowing: [], refusing: ['Note#2'] } });
    expect(coverageOf(report([...cells, failed])).dimensions.rules.uncovered).toContainEqual({ item: 'Note#2', missing: 'never seen denying' });
  });

  it('leaves out rules --only kept no cell of', () => {
    const cells = [cell({ id: 'Note|get|apiKey|owned', persona: 'apiKey', operation: 'get', fixture: 'owned', expected: 'allow', observed: 'allow', rule: 'Note#2', decidedBy: { allowing: ['Note#2'], refusing: [] } })];
    const rules = coverageOf(report(cells, { only: ['apiKey', 'get'] })).dimensions.rules;
    expect(rules).toMatchObject({ covered: 1, total: 1, uncovered: [] });
    expect(rules.excluded.map((x) => x.item)).toEqual(['Note#1', 'Note.secret#1', 'Query.ping#1', 'Query.ping#2']);
  });

  it('rounds percentages down, so that almost everything never shows as 100 %', () => {
    const many = Array.from({ length: 1999 }, (_, i) => ({ name: `p${i}`, kind: 'owner', description: '', provisioning: '' }));
    const ran = many.slice(1).map((p) => cell({ id: `Note|create|${p.name}`, persona: p.name, operation: 'create', expected: 'allow', observed: 'allow' }));
    expect(coverageOf(report(ran, { personas: many })).dimensions.personas.percent).toBe(99.9);
  });

  it('renders a terminal table within the width', () => {
    const table = renderCoverageTable(cov, 80);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^Coverage +covered +%$/);
    expect(lines[1]).toMatch(/^  rules seen allowing and denying +3\/5 +60%$/);
    // Wrapped under the dimension, at most two lines, the rest counted.
    expect(lines.slice(2, 4)).toEqual(['      not covered: Note.secret#1 (never seen denying),', '                   Query.ping#1 (never seen allowing)']);
    expect(lines[4]).toMatch(/^  model operations +4\/8 +50%$/);
    expect(lines[5]).toBe('      not covered: Note.list (no cell got an auth outcome),');
    expect(lines[6]).toBe('                   Note.onCreate (no cell ran), … 2 more (coverage.json)');
    expect(lines).toContainEqual(expect.stringMatching(/^  auth modes +2\/2 +100%$/));
    expect(renderCoverageTable(cov, 60).split('\n')[5]).toBe('      not covered: Note.list (no cell got an auth outcome),');
    expect(renderCoverageTable(cov, 60).split('\n')[6]).toBe('                   … 3 more (coverage.json)');
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
  });
});

describe('thresholds', () => {
  it('parses dimension=percent lists', () => {
    expect(parseThresholds('rules=100,operations=90')).toEqual({ rules: 100, operations: 90 });
    expect(parseThresholds(' modes=50% , customOperations=12.5 ')).toEqual({ modes: 50, customOperations: 12.5 });
  });

  it.each([
    ['', /no thresholds given/],
    ['rules', /"rules" is not dimension=percent/],
    ['rule=100', /unknown coverage dimension "rule".*Fix: use one of rules, operations, fields, personas, modes, events, customOperations, restMethods, restAuthorizers/],
    ['rules=abc', /"rules=abc" is not dimension=percent/],
    ['rules=101', /rules=101 is over 100/],
    ['rules=50,rules=60', /rules is given twice/],
  ])('refuses %j with one clear line', (text, message) => {
    let error: unknown;
    try {
      parseThresholds(text);
    } catch (e) {
      error = e;
    }
    expect(isInputError(error)).toBe(true);
    const line = (error as { format(): string }).format();
    expect(line).toMatch(/^--min-coverage: /);
    expect(line).toMatch(message);
    expect(line).not.toContain('\n');
  });

  it('fails each dimension below its threshold, comparing exactly', () => {
    const cov = coverageOf(report(noteCells()));
    expect(checkCoverage(cov, { rules: 60, modes: 100, customOperations: 100 })).toEqual([]);
    const failures = checkCoverage(cov, { rules: 61, operations: 100, personas: 10 });
    expect(failures).toEqual([
      'coverage: rules 60% is below 61% (2 of 5 not covered: Note.secret#1 (never seen denying); Query.ping#1 (never seen allowing))',
      'coverage: operations 50% is below 100% (4 of 8 not covered: Note.list (no cell got an auth outcome); Note.onCreate (no cell ran); Note.onUpdate (no cell ran); Note.onDelete (no cell ran))',
    ]);
  });
});

describe('REST methods only an OAuth client can call', () => {
  it("a Cognito method whose scopes are all custom is never seen allowing, and says why; one with the sign-in scope is covered", () => {
    // duttaanup/virtual-fashion-assistant's POST /callback takes `api/read`, a resource-server scope of its M2M client.
    const auth = authModelFromSdl({ sdl: 'type Note @model @auth(rules: [{ allow: owner }]) { body: String }', file: 't.graphql', kind: 'gen1', authModes: ALL_MODES, params: GEN1_DEFAULT_PARAMS });
    const m = (resourcePath: string, scopes: string[]): RestMethod =>
      ({ method: 'POST', resourcePath, authorization: { type: 'COGNITO_USER_POOLS', authorizer: 'cog', scopes }, apiKeyRequired: false, integration: { kind: 'lambda', function: 'fn' } });
    const rest: RestSection = {
      region: 'us-east-1', account: '123456789012', functions: [], caveats: [], httpApis: [],
      apis: [{
        name: 'api', id: 'abc123defg', stage: 'dev', apiKeySource: 'HEADER', apiKeys: [], gatewayResponses: [],
        methods: [m('/callback', ['api/read']), m('/profile', ['aws.cognito.signin.user.admin'])],
        authorizers: [{ id: 'cog', name: 'Cog', type: 'COGNITO_USER_POOLS', userPools: ['app'], identitySource: 'method.request.header.Authorization', ttlSeconds: 300 }],
      }],
      rolePolicies: { authenticated: [], unauthenticated: [], groups: {}, groupPrecedence: [] },
    };
    const model: AuthModel = { ...auth, rest };
    const cells = restCells(model, defaultCast(model)).cells.map((c) => ({ ...c, observed: c.expected, pass: true, detail: '', summary: '', latencyMs: 0 }) as CellResult);
    expect(coverageOf(report(cells, { model })).dimensions.restMethods).toMatchObject({
      covered: 1,
      total: 2,
      uncovered: [{ item: 'api POST /callback', missing: "never seen allowing: only tokens with scope api/read pass, which signing in never gives (an OAuth client's grant does)" }],
    });
  });
});
