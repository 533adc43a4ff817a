/**
 * Reading the identity pool's roles as deployed (harness/schema/rest/roles-from-sdk.ts) with the real
 * @aws-sdk/client-cognito-identity and @aws-sdk/client-iam, offline: the emulator serves GetIdentityPoolRoles and
 * IAM's role reads (Query protocol, SigV4 for iam) from its roles, the REST section's documents attached as managed
 * policies and the role's own as inline ones. Read back, the example's roles match backend.ts (no drift); the
 * deployed APIs' ids in the policies are written as the model's, and then decide every cell as the definition does.
 */
import { CognitoIdentityClient, GetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { defaultCast } from '../../harness/matrix/cast.js';
import { expectedMatrix } from '../../harness/matrix/expected.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';
import type { PolicyDocument, RestSection } from '../../harness/schema/rest/model.js';
import { concernsExecuteApi, identityPoolRoleArns, readRoleDocuments, roleDrift, roleNameOf, statementText, toModelIds } from '../../harness/schema/rest/roles-from-sdk.js';
import { example } from '../cli/cli.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let section: RestSection;
/** An inline policy of the authenticated role whose document needs URL-encoding (quotes, spaces, `${…}`, `&`, non-ASCII). */
const ODD: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{
    Sid: 'Odd & "quoted"', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/private/${cognito-identity.amazonaws.com:sub}/*',
    Condition: { StringLike: { 's3:prefix': ['a b/%20/é/*', "it's+1"] } },
  }],
};

const iamOf = (e: Emulator, credentials: AwsCredentials = e.credentials.iamRole()) => new IAMClient({ region: 'us-east-1', endpoint: e.iamEndpoint()!, credentials, maxAttempts: 1 });
const identityOf = (e: Emulator, credentials: AwsCredentials = e.credentials.iamRole()) => new CognitoIdentityClient({ region: e.region, endpoint: e.cognitoIdentityEndpoint()!, credentials, maxAttempts: 1 });

beforeAll(async () => {
  const model = await loadAuthModel(example('rest'));
  // The authenticated role also carries a policy of the auth-resources section (inline, as IAM serves it).
  const resources = model.authResources!;
  emu = await emulatorFor('rest', {
    model: { ...model, authResources: { ...resources, roles: resources.roles.map((r) => (r.id === 'auth' ? { ...r, policies: [...r.policies, { name: 'odd', source: 'test', document: ODD }] } : r)) } },
  });
  section = emu.model.rest!;
});
afterAll(async () => {
  await emu?.stop();
});

describe('the identity pool\'s roles read with the AWS SDK', () => {
  it('GetIdentityPoolRoles names the two roles; each role\'s policies, read a page of one at a time, are backend.ts\'s (no drift)', async () => {
    const identity = identityOf(emu);
    const arns = await identityPoolRoleArns(identity, emu.identityPool!.poolId);
    expect(arns).toEqual({ authenticated: emu.identityPool!.roleArn(emu.identityPool!.options.authRole), unauthenticated: emu.identityPool!.roleArn(emu.identityPool!.options.unauthRole) });
    identity.destroy();
    const iam = iamOf(emu);
    const authName = roleNameOf(arns.authenticated!);
    // Two managed policies (the REST section's documents) and inline ones (Amplify's generated, and ODD): several pages each.
    const first = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: authName, MaxItems: 1 }));
    expect([first.AttachedPolicies?.length, first.IsTruncated, first.Marker]).toEqual([1, true, '1']);
    const inlineNames = (await iam.send(new ListRolePoliciesCommand({ RoleName: authName }))).PolicyNames!;
    expect(inlineNames).toContain('odd');
    const documents = await readRoleDocuments(iam, authName, 1);
    expect(documents).toHaveLength(inlineNames.length + section.rolePolicies.authenticated.length);
    // The URL-encoded document decodes to what was attached.
    expect(documents).toContainEqual(ODD);
    // Inline first, then managed in their attachment order: the REST documents as backend.ts reads them.
    expect(documents.slice(-section.rolePolicies.authenticated.length)).toEqual(section.rolePolicies.authenticated);
    expect(roleDrift('the authenticated role', section.rolePolicies.authenticated, documents)).toEqual([]);
    for (const group of section.rolePolicies.groupPrecedence) {
      const read = await readRoleDocuments(iam, roleNameOf(emu.groupRoleArn(group)!));
      expect(roleDrift(`the ${group} group's role`, section.rolePolicies.groups[group]!, read)).toEqual([]);
    }
    iam.destroy();
  });

  it('names each statement only on one side as drift, among those that can concern execute-api', () => {
    const invoke = (resource: string) => ({ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: resource });
    const defined: PolicyDocument[] = [{ Version: '2012-10-17', Statement: [invoke('arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/items'), { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }];
    const deployed: PolicyDocument[] = [{ Version: '2012-10-17', Statement: [{ ...invoke('arn:aws:execute-api:us-east-1:123456789012:abc/dev/*'), Sid: 'Wider' }, { Effect: 'Allow', Action: 'appsync:GraphQL', Resource: '*' }] }];
    expect(roleDrift('the authenticated role', defined, deployed)).toEqual([
      'the authenticated role: {"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc/dev/*"} is deployed but not in backend.ts',
      'the authenticated role: {"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/items"} is in backend.ts but not deployed',
    ]);
    // The order of a list and the Sid decide nothing.
    expect(statementText({ Sid: 'A', Effect: 'Allow', Action: ['b', 'a'], Resource: '*' })).toBe(statementText({ Effect: 'Allow', Action: ['a', 'b'], Resource: '*' }));
  });

  it.each([
    [{ Action: 'execute-api:Invoke' }, true],
    [{ Action: ['s3:GetObject', 'execute-api:*'] }, true],
    [{ Action: 'execute-*:Invoke' }, true],
    [{ Action: 'Execute-API:Invoke' }, true],
    [{ Action: '*' }, true],
    [{ NotAction: 's3:*' }, true],
    [{ Action: 'appsync:GraphQL' }, false],
    [{ Action: ['s3:*', 'cognito-identity:*'] }, false],
  ])('%j can concern execute-api: %s', (actions, concerns) => {
    expect(concernsExecuteApi({ Effect: 'Allow', Resource: '*', ...actions })).toBe(concerns);
  });

  it('refuses a caller whose policies do not allow the reads (AccessDenied, NotAuthorizedException), and credentials it did not issue', async () => {
    const reader = emu.credentials.iamRole('NoIamReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'apigateway:GET', Resource: '*' }] }]);
    const authName = emu.identityPool!.options.authRole.name;
    await expect(readRoleDocuments(iamOf(emu, reader), authName)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(/^User: arn:aws:sts::123456789012:assumed-role\/NoIamReader\/\S+ is not authorized to perform: iam:ListRolePolicies on resource: arn:aws:iam::123456789012:role\/authmatrix-authenticated-role because no identity-based policy allows the iam:ListRolePolicies action$/),
    });
    await expect(identityOf(emu, reader).send(new GetIdentityPoolRolesCommand({ IdentityPoolId: emu.identityPool!.poolId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException', message: expect.stringContaining('is not authorized to perform: cognito-identity:GetIdentityPoolRoles on resource: arn:aws:cognito-identity:'),
    });
    // Allowed inline reads only: the managed ones are refused by name.
    const inlineOnly = emu.credentials.iamRole('InlineReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'], Resource: '*' }] }]);
    await expect(readRoleDocuments(iamOf(emu, inlineOnly), authName)).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('iam:GetPolicy on resource: arn:aws:iam::123456789012:policy/') });
    const stranger = { accessKeyId: 'ASIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40), sessionToken: 'token' };
    await expect(readRoleDocuments(iamOf(emu, stranger), authName)).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(readRoleDocuments(iamOf(emu), 'no-such-role')).rejects.toMatchObject({ name: 'NoSuchEntityException', message: 'The role with name no-such-role cannot be found.' });
  });
});

describe('the deployed APIs\' ids in the roles\' policies', () => {
  const mapping = { deployed: { account: '999988887777', apis: new Map([['realrest01', { id: 'standin01', region: 'eu-west-1' }]]) }, model: { region: 'us-east-1', account: '123456789012' } };
  const doc = (...resources: string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resources }] });

  it.each([
    ['arn:aws:execute-api:eu-west-1:999988887777:realrest01/prod/GET/items', 'arn:aws:execute-api:us-east-1:123456789012:standin01/prod/GET/items'],
    ['arn:aws:execute-api:eu-west-1:999988887777:realrest01/*', 'arn:aws:execute-api:us-east-1:123456789012:standin01/*'],
    ['arn:aws:execute-api:eu-west-1:999988887777:realrest01', 'arn:aws:execute-api:us-east-1:123456789012:standin01'],
    // Wildcards, and what names another region, account or API, decide as deployed.
    ['arn:aws:execute-api:*:*:realrest01/*', 'arn:aws:execute-api:*:*:standin01/*'],
    ['arn:aws:execute-api:eu-west-2:111122223333:realrest01/*', 'arn:aws:execute-api:eu-west-2:111122223333:standin01/*'],
    ['arn:aws:execute-api:eu-west-1:999988887777:otherapi/*', 'arn:aws:execute-api:eu-west-1:999988887777:otherapi/*'],
    ['arn:aws:execute-api:eu-west-1:999988887777:*/prod/*', 'arn:aws:execute-api:eu-west-1:999988887777:*/prod/*'],
    ['arn:aws:s3:::realrest01/*', 'arn:aws:s3:::realrest01/*'],
    ['*', '*'],
  ])('%s is written %s', (deployed, model) => {
    expect(toModelIds(doc(deployed), mapping)).toEqual(doc(model));
  });

  it('the deployed identity pool\'s id in a condition is written as the model\'s; another pool\'s id is kept', () => {
    const pools = { deployed: { ...mapping.deployed, identityPoolId: 'eu-west-1:real-pool' }, model: { ...mapping.model, identityPoolId: 'us-east-1:stand-in-pool' } };
    const conditioned = (...aud: string[]): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': aud.length === 1 ? aud[0]! : aud } } }],
    });
    expect(toModelIds(conditioned('eu-west-1:real-pool'), pools)).toEqual(conditioned('us-east-1:stand-in-pool'));
    expect(toModelIds(conditioned('eu-west-1:real-pool', 'eu-west-1:other'), pools)).toEqual(conditioned('us-east-1:stand-in-pool', 'eu-west-1:other'));
    expect(toModelIds(conditioned('eu-west-1:real-pool'), mapping)).toEqual(conditioned('eu-west-1:real-pool'));
  });

  it('policies naming the deployed ids and account decide every cell as the definition\'s do', () => {
    const model = emu.model;
    const rest = model.rest!;
    const ids = [...rest.apis, ...rest.httpApis].map((a, i) => [a.id, `real${String(i).padStart(6, '0')}`] as const);
    // The definition's policies as a deployment in another account would write them.
    const asDeployed = (docs: PolicyDocument[]) => docs.map((d) => JSON.parse(ids.reduce((text, [standIn, real]) => text.replaceAll(`123456789012:${standIn}`, `999988887777:${real}`), JSON.stringify(d))) as PolicyDocument);
    const p = rest.rolePolicies;
    const deployed = { ...p, authenticated: asDeployed(p.authenticated), unauthenticated: asDeployed(p.unauthenticated), groups: Object.fromEntries(Object.entries(p.groups).map(([g, d]) => [g, asDeployed(d)])) };
    expect(JSON.stringify(deployed)).not.toContain(rest.apis[0]!.id);
    const back = { deployed: { account: '999988887777', apis: new Map(ids.map(([standIn, real]) => [real, { id: standIn, region: rest.region }])) }, model: { region: rest.region, account: rest.account } };
    const mapped = { ...deployed, authenticated: deployed.authenticated.map((d) => toModelIds(d, back)), unauthenticated: deployed.unauthenticated.map((d) => toModelIds(d, back)), groups: Object.fromEntries(Object.entries(deployed.groups).map(([g, d]) => [g, d.map((x) => toModelIds(x, back))])) };
    expect(mapped).toEqual(p);
    const expectations = (m: AuthModel) => expectedMatrix(m, defaultCast(m)).filter((c) => c.action.type === 'rest').map((c) => `${c.id} ${c.expected}`);
    const unmapped = expectations({ ...model, rest: { ...rest, rolePolicies: deployed } });
    const definition = expectations(model);
    // Unmapped, the deployed ids would decide the signed cells otherwise; mapped, every cell is as defined.
    expect(unmapped).not.toEqual(definition);
    expect(expectations({ ...model, rest: { ...rest, rolePolicies: mapped } })).toEqual(definition);
    expect(definition.filter((c) => c.includes('|signed ')).length).toBeGreaterThan(20);
  });
});
