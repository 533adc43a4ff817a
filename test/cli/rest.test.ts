/**
 * `authmatrix run` on the REST example (examples/rest): every REST cell matches on the embedded API
 * Gateway, with every presentation and denial kind observed; and a policy widened behind the committed
 * baseline (the Admins group's role given the /items policy and the HTTP API's /inventory policy) fails the run,
 * naming what widened and the example's contract statements it breaks.
 */
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, example, results, ROOT, scratchDir } from './cli.js';

const dir = scratchDir('authmatrix-rest-');

describe('authmatrix run on the REST example', () => {
  it('every REST cell matches, and every way of presenting credentials and every denial was observed', async () => {
    const out = path.join(dir, 'rest');
    const r = await cli(['run', '--schema', example('rest'), '--out', out], { timeoutMs: 240_000 });
    expect(r.stdout).toMatch(/PASSED {2}\d+\/\d+ cells match.*, 23\/23 contracts hold/);
    expect(r.code).toBe(0);
    const report = results(out);
    // examples/rest/specs/contracts: REST statements hold on what the gateway answered.
    expect(report.contracts.map((c) => [c.statement, c.broken])).toContainEqual(['members of Admins never call /items/*', false]);
    const rest = report.cells.filter((c) => c.kind === 'rest');
    expect(rest.length).toBeGreaterThan(300);
    expect(rest.every((c) => c.pass)).toBe(true);
    expect(new Set(rest.map((c) => c.variant?.split(':')[0]))).toEqual(new Set(['unsigned', 'signed', 'idToken', 'accessToken', 'apiKey', 'token', 'preflight']));
    const denials = new Set(rest.filter((c) => c.observed === 'deny').map((c) => c.summary.split(':')[0]));
    expect(denials).toEqual(new Set([
      '403 MissingAuthenticationTokenException', '403 IncompleteSignatureException', '403 AccessDeniedException',
      '401 UnauthorizedException', '403 ForbiddenException',
      // The HTTP API's bare refusals: 401 and 403 with {"message"} and no error type.
      '401', '403',
    ]));
    // The HTTP API: a JWT route needing a scope takes an access token, not an ID token; its IAM route refuses a group
    // member's role; its Lambda authorizer answers { isAuthorized }; its CORS configuration answers the preflight.
    for (const [id, observed, summary] of [
      ['rest|shopHttpApi|GET /orders|owner|accessToken', 'allow', '200 from the integration'],
      ['rest|shopHttpApi|GET /orders|owner|idToken', 'deny', '403: Forbidden'],
      ['rest|shopHttpApi|GET /orders|anonymous|unsigned', 'deny', '401: Unauthorized'],
      ['rest|shopHttpApi|GET /inventory|owner|signed', 'allow', '200 from the integration'],
      ['rest|shopHttpApi|GET /inventory|groupMember:Admins|signed', 'deny', '403: Forbidden'],
      ['rest|shopHttpApi|GET /partners/catalog|partner|token', 'allow', '200 from the integration'],
      ['rest|shopHttpApi|GET /partners/catalog|blockedPartner|token', 'deny', '403: Forbidden'],
      ['rest|shopHttpApi|OPTIONS /orders|anonymous|preflight', 'allow', '204 from the integration'],
    ] as const) expect(rest.find((c) => c.id === id), id).toMatchObject({ pass: true, observed, summary });
    // HTTP APIs have no API keys: the REST API's key holder has no cells there.
    expect(rest.filter((c) => c.api === 'shopHttpApi' && c.persona === 'restApiKey')).toEqual([]);
    // The documented pitfall: a group member signs with the group's role, which lacks the policy.
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /items|groupMember:Admins|signed')).toMatchObject({ expected: 'deny', observed: 'deny', pass: true });
    expect(rest.find((c) => c.id === 'rest|myRestApi|GET /items|owner|signed')).toMatchObject({ expected: 'allow', observed: 'allow' });
    // A cached REQUEST-authorizer policy for one route refuses the same caller on its sibling.
    expect(rest.find((c) => c.id === 'rest|myRestApi|POST /webhooks/stripe|githubWebhook|token:cached after POST /webhooks/github')).toMatchObject({ expected: 'deny', observed: 'deny', pass: true });
    expect(report.untested.map((u) => u.id)).toContain('rest|myRestApi|POST /webhooks/stripe|githubWebhook|token');
    // The REST probes (harness/probes/rest.ts) ran as cells, each refused with the gateway's own denial.
    expect(report.cells.filter((c) => c.id.startsWith('probe|rest|')).map((c) => [c.id, c.pass, c.summary])).toEqual([
      ['forgedToken', '401 UnauthorizedException'], ['expiredToken', '401 UnauthorizedException'], ['missingScope', '401 UnauthorizedException'],
      ['tamperedSignature', '403 InvalidSignatureException'], ['wrongStage', '403 MissingAuthenticationTokenException'],
    ].map(([attack, summary]) => [`probe|rest|myRestApi|${attack}`, true, summary]).concat(
      // The HTTP API's: bare statuses. Its only JWT route needs a scope, so no forged or expired ID token is tried.
      [['missingScope', '403'], ['tamperedSignature', '403'], ['noRoute', '404']].map(([attack, summary]) => [`probe|rest|shopHttpApi|${attack}`, true, summary]),
    ));
    // Every method and authorizer was seen allowing and refusing.
    const coverage = JSON.parse(readFileSync(path.join(out, 'coverage.json'), 'utf8')) as { dimensions: Record<string, { covered: number; total: number }> };
    // The REST API's 15 methods and the HTTP API's 5 routes; IAM and 3 authorizers on each API.
    expect(coverage.dimensions.restMethods).toMatchObject({ covered: 21, total: 21 });
    expect(coverage.dimensions.restAuthorizers).toMatchObject({ covered: 7, total: 7 });
    // Evidence never holds a credential.
    expect(readFileSync(path.join(out, 'results.json'), 'utf8')).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}|partner-acme|sender-github|sender-stripe/);
  });

  it('a policy widened behind the baseline fails the run (exit 1), naming what widened', async () => {
    const app = path.join(dir, 'wide');
    cpSync(example('rest'), app, { recursive: true });
    // aws-cdk-lib must resolve from the app, as in a real app.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    const backend = path.join(app, 'amplify/backend.ts');
    writeFileSync(backend, `${readFileSync(backend, 'utf8')}\nbackend.auth.resources.groups['Admins'].role.attachInlinePolicy(apiRestPolicy);\nbackend.auth.resources.groups['Admins'].role.attachInlinePolicy(httpApiPolicy);\n`);
    const out = path.join(dir, 'wide-out');
    // Only the persona concerned runs; the gate compares the whole expected matrix with the baseline.
    const r = await cli(['run', '--schema', app, '--only', 'groupMember:Admins', '--no-probes', '--baseline', example('rest/authz.snapshot.json'), '--out', out], { timeoutMs: 240_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED');
    expect(r.stdout).toMatch(/access widened against/);
    // The app's contract says the Admins never reach /items nor the HTTP API's /inventory: the widened policies break
    // both statements, naming the cells.
    const broken = results(out).contracts.filter((c) => c.broken);
    expect(broken.map((c) => [c.statement, c.broken])).toEqual([['members of Admins never call /items/*', 'static'], ['members of Admins never call /inventory', 'static']]);
    expect(broken[1]!.violations.map((v) => v.cell)).toEqual(['rest|shopHttpApi|GET /inventory|groupMember:Admins|signed']);
    expect(broken[0]!.violations.map((v) => v.cell).sort()).toEqual([
      'DELETE /items', 'DELETE /items/authmatrix-sample', 'GET /items', 'GET /items/authmatrix-sample', 'POST /items', 'PUT /items',
    ].map((r) => `rest|myRestApi|${r}|groupMember:Admins|signed`).sort());
    const widened = (results(out).gate?.baseline?.changes ?? []).filter((c) => c.direction === 'widened').map((c) => `${c.persona} ${c.permission}`);
    // The Cognito path ignores IAM policies: only the IAM methods the policy names widen.
    expect(widened.sort()).toEqual([
      'groupMember:Admins REST myRestApi DELETE /items', 'groupMember:Admins REST myRestApi DELETE /items/{proxy+}', 'groupMember:Admins REST myRestApi GET /items',
      'groupMember:Admins REST myRestApi GET /items/{proxy+}', 'groupMember:Admins REST myRestApi POST /items', 'groupMember:Admins REST myRestApi PUT /items',
      'groupMember:Admins REST shopHttpApi GET /inventory',
    ]);
  });
});
