/**
 * The REST section read from the example's amplify/backend.ts, synthesized by the app's own aws-cdk-lib:
 * the facts CDK decides (inherited defaultMethodOptions, the proxy's ANY, the CORS preflight, the stage,
 * API Gateway's TTL default for a Cognito authorizer) come out as CDK wrote them, and the cache of
 * synthesis results is used and keyed by content.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGen2Rest } from '../../harness/schema/rest/gen2.js';
import type { RestSection } from '../../harness/schema/rest/model.js';
import { ROOT, example } from '../cli/cli.js';

let cacheDir: string;
let section: RestSection;
const synthTimes: number[] = [];

beforeAll(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'authmatrix-rest-cache-'));
  section = (await loadGen2Rest(example('rest/amplify'), { cacheDir, onSynth: (ms) => synthTimes.push(ms) }))!;
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const method = (verb: string, p: string) => section.apis[0]!.methods.find((m) => m.method === verb && m.resourcePath === p);

describe('the REST section as CDK synthesizes backend.ts', () => {
  it('one API, named as custom.API names it, on stage dev', () => {
    expect(section.apis.map((a) => ({ name: a.name, stage: a.stage, apiKeySource: a.apiKeySource }))).toEqual([{ name: 'myRestApi', stage: 'dev', apiKeySource: 'HEADER' }]);
    expect(section.apis[0]!.id).toMatch(/^[a-z0-9]{10}$/);
  });

  it('children inherit defaultMethodOptions; addProxy makes {proxy+} ANY, IAM as its parent', () => {
    expect(method('GET', '/items')!.authorization).toEqual({ type: 'AWS_IAM' });
    expect(method('ANY', '/items/{proxy+}')!.authorization).toEqual({ type: 'AWS_IAM' });
    expect(method('POST', '/partner/orders')!.authorization).toMatchObject({ type: 'CUSTOM' });
  });

  it('every resource has CDK\'s CORS preflight: OPTIONS, no auth, MOCK 204 with the allowed origins, methods and headers', () => {
    const paths = new Set(section.apis[0]!.methods.map((m) => m.resourcePath));
    for (const p of paths) expect(method('OPTIONS', p), p).toMatchObject({ authorization: { type: 'NONE' }, apiKeyRequired: false, integration: { kind: 'mock', statusCode: 204 } });
    expect(method('OPTIONS', '/items')!.integration).toMatchObject({ headers: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD' } });
  });

  it('authorizers: Cognito on the app\'s user pool (TTL left to API Gateway: 300), TOKEN with its regex, REQUEST with its header', () => {
    const byType = Object.fromEntries(section.apis[0]!.authorizers.map((a) => [a.type, a]));
    expect(byType.COGNITO_USER_POOLS).toMatchObject({ userPools: ['app'], identitySource: 'method.request.header.Authorization', ttlSeconds: 300 });
    expect(byType.TOKEN).toMatchObject({ identitySource: 'method.request.header.Authorization', validationRegex: '^Bearer [-a-z0-9]+$', ttlSeconds: 300 });
    expect(byType.REQUEST).toMatchObject({ identitySources: ['method.request.header.x-webhook-secret'], ttlSeconds: 300 });
    expect(method('GET', '/profile')!.authorization).toMatchObject({ type: 'COGNITO_USER_POOLS', scopes: ['aws.cognito.signin.user.admin'] });
  });

  it('the API key is in the usage plan of stage dev; the Lambda functions are the app\'s handler modules', () => {
    expect(section.apis[0]!.apiKeys).toEqual([expect.objectContaining({ enabled: true, stages: ['dev'] })]);
    expect(section.apis[0]!.apiKeys[0]!.value).toBeUndefined();
    expect(section.functions.map((f) => [f.name, path.relative(ROOT, f.entry!)]).sort()).toEqual([
      ['api-function', 'examples/rest/amplify/functions/api-function/handler.ts'],
      ['partner-authorizer', 'examples/rest/amplify/functions/partner-authorizer/handler.ts'],
      ['partner-http-authorizer', 'examples/rest/amplify/functions/partner-http-authorizer/handler.ts'],
      ['webhook-authorizer', 'examples/rest/amplify/functions/webhook-authorizer/handler.ts'],
    ]);
  });

  it('role policies: the guide\'s policy on both identity-pool roles and on Auditors; Admins only its own; each user\'s own /users/{id} on the authenticated role', () => {
    const resources = (docs: RestSection['rolePolicies']['authenticated']) => docs.flatMap((d) => d.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).map((r) => String(r).replace(/^.*:\w+\/dev\//, ''));
    const guide = ['*/items', '*/items/*', '*/cognito-auth-path'];
    // The authenticated role and Auditors' also have the HTTP API's /inventory route (on the $default stage, no `dev`).
    const inventory = `arn:aws:execute-api:us-east-1:123456789012:${section.httpApis[0]!.id}/*/GET/inventory`;
    // The policy variable stays as CDK writes it: the oracle and the gateway put the caller's identity id in its place.
    expect(resources(section.rolePolicies.authenticated)).toEqual(['GET/users/${cognito-identity.amazonaws.com:sub}', ...guide, inventory]);
    expect(resources(section.rolePolicies.unauthenticated)).toEqual(guide);
    expect(resources(section.rolePolicies.groups.Auditors!)).toEqual([...guide, inventory]);
    expect(resources(section.rolePolicies.groups.Admins!)).toEqual(['*/admin', '*/items/archive']);
    expect(section.rolePolicies.groupPrecedence).toEqual(['Admins', 'Auditors']);
  });

  it('synthesis runs once per content: the second load is the cache\'s', async () => {
    const before = synthTimes.length;
    expect(await loadGen2Rest(example('rest/amplify'), { cacheDir, onSynth: (ms) => synthTimes.push(ms) })).toEqual(section);
    expect(synthTimes.length).toBe(before);
  });
});

describe('apps whose dependencies are missing, or without API Gateway', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-rest-app-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no aws-cdk-lib installed: one line saying what to install', async () => {
    const app = path.join(dir, 'no-deps');
    cpSync(example('rest'), app, { recursive: true });
    await expect(loadGen2Rest(path.join(app, 'amplify'), { cacheDir })).rejects.toThrow(/aws-cdk-lib is not installed/);
  });

  it('a backend.ts that builds no API Gateway API is never synthesized', async () => {
    const app = path.join(dir, 'no-api');
    cpSync(example('rest'), app, { recursive: true });
    writeFileSync(path.join(app, 'amplify/backend.ts'), "import { defineBackend } from '@aws-amplify/backend';\nimport { auth } from './auth/resource';\ndefineBackend({ auth });\n");
    expect(await loadGen2Rest(path.join(app, 'amplify'), { cacheDir })).toBeUndefined();
  });

  it('a change to a file backend.ts imports is synthesized again', async () => {
    const app = path.join(dir, 'changed');
    cpSync(example('rest'), app, { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    const fn = path.join(app, 'amplify/functions/api-function/resource.ts');
    writeFileSync(fn, readFileSync(fn, 'utf8').replace("name: 'api-function'", "name: 'api-function-2'"));
    const times: number[] = [];
    const changed = (await loadGen2Rest(path.join(app, 'amplify'), { cacheDir, onSynth: (ms) => times.push(ms) }))!;
    expect(times).toHaveLength(1);
    expect(changed.functions.map((f) => f.name)).toContain('api-function-2');
  });
});
