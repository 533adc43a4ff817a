/**
 * Every persona kind provisioned on the emulated target (through the emulator's developer endpoint, as
 * the runner's workers do), with the claims the schema's rules read, and requests that get the verdicts
 * the oracle predicts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../harness/config.js';
import { castWith, type PersonaKind } from '../../harness/matrix/cast.js';
import { decide } from '../../harness/rules/decide.js';
import type { AuthModel } from '../../harness/schema/model.js';
import { listDocument } from '../../harness/client/documents.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { emulatedTarget, provisionCast, type ProvisionedPersona } from '../../personas/index.js';
import { personaClient } from '../../personas/client.js';
import { example } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let model: AuthModel;
let cast: ProvisionedPersona[];

beforeAll(async () => {
  emu = await emulatorFor('blog/amplify/data/resource.ts');
  model = emu.model;
  const { config } = await loadConfig(example('blog/authmatrix.config.ts'), []);
  cast = await provisionCast(castWith(model, config.personas), await emulatedTarget(emu.url), model, config);
});
afterAll(() => emu.stop());

const persona = (name: string) => {
  const p = cast.find((x) => x.name === name);
  if (!p) throw new Error(`no persona ${name}`);
  return p;
};

describe('the blog cast on the emulated target', () => {
  it('has every kind, each with the auth mode its kind calls for', () => {
    // The REST kinds (restApiKey, restToken) come only with REST APIs, which the blog has none of;
    // function roles join the cast only where storage grants a function (not in the blog).
    const modes: Partial<Record<PersonaKind, string>> = {
      anonymous: 'none', apiKey: 'apiKey', guest: 'iam', iamUser: 'iam', iamGroupMember: 'iam', iamAdmin: 'iam', iamRole: 'iam', owner: 'userPool', stranger: 'userPool',
      groupMember: 'userPool', oidcUser: 'oidc', oidcStranger: 'oidc', oidcGroupMember: 'oidc', lambdaAllowed: 'lambda', lambdaDenied: 'lambda',
    };
    expect(new Set(cast.map((p) => p.kind))).toEqual(new Set(Object.keys(modes)));
    for (const p of cast) expect([p.name, p.auth.mode]).toEqual([p.name, modes[p.kind]]);
  });

  it('user-pool personas carry real Cognito claims: username, groups, access token', () => {
    const admin = persona('groupMember:Admin');
    expect(admin.identity.kind).toBe('userPool');
    const claims = (admin.identity as { claims: Record<string, unknown> }).claims;
    expect(claims).toMatchObject({ username: 'member-admin', 'cognito:groups': ['Admin'], token_use: 'access' });
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    const owner = (persona('owner').identity as { claims: Record<string, unknown> }).claims;
    expect(owner).toMatchObject({ username: 'owner', token_use: 'access' });
    expect(owner['cognito:groups']).toBeUndefined();
  });

  it('OIDC personas carry the claims the OIDC rules read (identityClaim user_id, groupClaim user_groups)', () => {
    const support = (persona('oidcGroupMember:Support').identity as { claims: Record<string, unknown> }).claims;
    expect(support).toMatchObject({ user_groups: ['Support'], user_id: 'oidc-member-support', iss: 'https://idp.example.com/', aud: 'helpdesk-web' });
    expect((persona('oidcUser').identity as { claims: Record<string, unknown> }).claims).toMatchObject({ user_id: 'oidc-user' });
  });

  it('IAM personas: guest and iamUser are identity-pool roles, iamAdmin is a role outside it', () => {
    expect(persona('guest').identity).toEqual({ kind: 'iam', principal: 'unauthRole' });
    expect(persona('iamUser').identity).toEqual({ kind: 'iam', principal: 'authRole' });
    expect(persona('iamAdmin').identity).toMatchObject({ kind: 'iam', principal: 'other' });
    const creds = (persona('guest').auth as { credentials: { accessKeyId: string; sessionToken?: string } }).credentials;
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.sessionToken).toBeTruthy();
  });

  it('group-role members sign in through the user pool and get their group’s role; configured roles come with their policies', async () => {
    expect(persona('iamGroupMember:HR').identity).toEqual({ kind: 'iam', principal: 'authRole', groups: ['HR'] });
    expect(persona('reporter').identity).toMatchObject({ kind: 'iam', principal: 'other', roleName: 'ReportingRole', policies: [expect.objectContaining({ Version: '2012-10-17' })] });
    // The authenticated role's policy lets listPosts through to the resolver (whose rules then refuse it); the HR
    // group's role has no appsync:GraphQL policy (Amplify grants the pool's two roles only): 401 before any resolver.
    const user = await personaClient(persona('iamUser'), emu.url).graphql(listDocument(model, 'Post', {}, ['id']));
    expect([user.status, user.errors.map((e) => e.errorType)]).toEqual([200, ['Unauthorized']]);
    const hr = await personaClient(persona('iamGroupMember:HR'), emu.url).graphql(listDocument(model, 'Post', {}, ['id']));
    expect(hr.status).toBe(401);
    expect(hr.errors[0]).toMatchObject({ errorType: 'UnauthorizedException', message: 'Permission denied' });
    const reporter = personaClient(persona('reporter'), emu.url);
    expect((await reporter.graphql(listDocument(model, 'Post', {}, ['id']))).errors).toEqual([]);
    expect((await reporter.graphql(listDocument(model, 'Comment', {}, ['id']))).status).toBe(401);
  });

  it('Lambda personas: the authorizer is asked, so its deniedFields and header-based refusals are known', () => {
    expect(persona('lambdaAllowed').identity).toEqual({ kind: 'lambda', authorized: true, deniedFields: ['Ticket.owner'] });
    expect(persona('lambdaDenied').identity).toEqual({ kind: 'lambda', authorized: false });
    expect(persona('lambdaOffsite').identity).toEqual({ kind: 'lambda', authorized: false });
    expect(persona('lambdaOffsite').headers).toEqual({ 'x-helpdesk-site': 'external' });
  });

  it('provisioning notes never contain a credential', () => {
    for (const p of cast) {
      const secrets = [p.auth.mode === 'apiKey' ? p.auth.apiKey : '', 'token' in p.auth && typeof p.auth.token === 'string' ? p.auth.token : ''].filter(Boolean);
      for (const s of secrets) expect(p.provisioning).not.toContain(s);
    }
  });

  it('every persona’s list request on every model gets the verdict the oracle predicts', async () => {
    for (const p of cast) {
      const client = personaClient(p, emu.url);
      for (const m of model.models) {
        const expected = decide(model, p.identity, 'list', { type: m.name, records: [] });
        const r = await client.graphql(listDocument(model, m.name, {}, ['id']));
        const observed = r.status === 401 || r.status === 403 ? 'request refused' : r.errors.some((e) => e.errorType === 'Unauthorized') ? 'unauthorized' : r.errors.length ? `error ${r.errors[0]!.message}` : 'data';
        const want = expected.outcome === 'deny' ? (expected.requestLevel ? 'request refused' : 'unauthorized') : 'data';
        expect(`${p.name} list ${m.name}: ${observed}`).toBe(`${p.name} list ${m.name}: ${want}`);
      }
    }
  });

  it('a persona’s configured headers go with every request (lambdaOffsite is refused for them)', async () => {
    const r = await personaClient(persona('lambdaOffsite'), emu.url).graphql(listDocument(model, 'Ticket', {}, ['id']));
    expect(r.sent.headers['x-helpdesk-site']).toBe('external');
    expect(r.status).toBe(401);
    const same = { ...persona('lambdaOffsite'), headers: {} };
    expect((await personaClient(same, emu.url).graphql(listDocument(model, 'Ticket', {}, ['id']))).status).toBe(200);
  });
});

describe('config overrides on the emulated target', () => {
  it('renames, adds claims, switches to the ID token, drops and adds personas', async () => {
    const overrides = {
      owner: { username: 'alice', claims: { 'custom:tenant': 't1' }, tokenUse: 'id' as const },
      guest: false as const,
      auditor: { kind: 'groupMember' as const, username: 'audrey', groups: ['Admin', 'HR'] },
      lambdaAllowed: { token: 'helpdesk-alice' },
      lambdaDenied: { token: 'nope' },
    };
    const provisioned = await provisionCast(castWith(model, overrides), await emulatedTarget(emu.url), model, { personas: overrides });
    expect(provisioned.map((p) => p.name)).not.toContain('guest');
    const owner = provisioned.find((p) => p.name === 'owner')!;
    expect((owner.identity as { claims: Record<string, unknown> }).claims).toMatchObject({ 'cognito:username': 'alice', token_use: 'id', 'custom:tenant': 't1' });
    const auditor = provisioned.find((p) => p.name === 'auditor')!;
    expect((auditor.identity as { claims: Record<string, unknown> }).claims).toMatchObject({ username: 'audrey', 'cognito:groups': ['Admin', 'HR'] });
    // Only HR reads Employee.salary: the auditor, in HR too, does.
    const r = await personaClient(auditor, emu.url).graphql(listDocument(model, 'Employee', {}, ['id', 'salary']));
    expect(r.errors).toEqual([]);
  });

  it('the member of the invented dynamic group is dynamicGroupMember, in a group no app names; its old name in a config says so', () => {
    const cast = castWith(model, {});
    expect(cast.find((p) => p.name === 'dynamicGroupMember')).toMatchObject({ kind: 'groupMember', groups: ['authmatrix-team'] });
    expect(cast.some((p) => /Team$/.test(p.name))).toBe(false);
    expect(() => castWith(model, { 'groupMember:Team': { username: 'teammate' } })).toThrow('persona "groupMember:Team" is now called "dynamicGroupMember" (the member of the group dynamic-group fixtures name, authmatrix-team)');
    // Renaming it keeps working under its new name.
    expect(castWith(model, { dynamicGroupMember: { username: 'teammate' } }).find((p) => p.name === 'dynamicGroupMember')).toMatchObject({ username: 'teammate', groups: ['authmatrix-team'] });
  });

  it('a Lambda persona whose token the authorizer does not accept is a clear setup error', async () => {
    const overrides = { lambdaAllowed: { token: 'wrong-token' } };
    const e = await provisionCast(castWith(model, overrides), await emulatedTarget(emu.url), model, { personas: overrides }).catch((x: unknown) => x);
    expect((e as { format(): string }).format()).toMatch(/handler\.ts: the Lambda authorizer refuses the token of lambdaAllowed\. Fix: set personas\.lambdaAllowed\.token/);
  });

  it.each([
    ['an iamRole without policies', { kind: 'iamRole', roleName: 'R' }, /persona "r" of kind iamRole needs a roleName and its policies/],
    ['policies naming a concrete API', { kind: 'iamRole', roleName: 'R', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: 'arn:aws:appsync:us-east-1:123456789012:apis/abc/types/Query/*' }] }] }, /names the API in arn:aws:appsync:us-east-1:123456789012:apis\/abc\/types\/Query\/\*; write it with wildcards/],
    ['a statement without an effect', { kind: 'iamRole', roleName: 'R', policies: [{ Statement: [{ Action: '*', Resource: '*' }] }] }, /has a statement without Effect "Allow" or "Deny"/],
  ])('refuses %s in authmatrix.config.json with its fix', async (_what, persona, message) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-iam-config-'));
    try {
      const file = path.join(dir, 'authmatrix.config.json');
      writeFileSync(file, JSON.stringify({ personas: { r: persona } }));
      const e = await loadConfig(file, []).catch((x: unknown) => x);
      expect((e as { format(): string }).format()).toMatch(message);
      expect((e as { format(): string }).format()).toMatch(/Fix: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an emulator that is not there is one clear line', async () => {
    const e = await emulatedTarget('http://127.0.0.1:9/graphql').catch((x: unknown) => x);
    expect((e as { format(): string }).format()).toMatch(/cannot reach the emulator's developer endpoint at http:\/\/127\.0\.0\.1:9\/\.authmatrix\/: .*Fix: start it with `authmatrix emulate`/);
  });
});
