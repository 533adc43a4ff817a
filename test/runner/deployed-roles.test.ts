/**
 * How a deployed run reads the identity pool's roles (harness/runner/deployed-roles.ts): the pool's two roles from
 * the emulator's identity API, the groups' roles from cognito-local's ListGroups, the policies from the emulator's
 * IAM endpoint, each with the real SDK clients and the operator's credentials from the default chain. What cannot
 * be read is tested as backend.ts defines it, with a caveat; what cannot be reached stops the run.
 */
import { CreateGroupCommand, DeleteGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { Emulator } from '../../harness/emulator/emulator.js';
import { deployedRolePolicies, type DeployedApp } from '../../harness/runner/deployed-roles.js';
import type { RestSection } from '../../harness/schema/rest/model.js';
import { startCognitoLocal, type CognitoLocal } from '../personas/cognito-local.js';
import { emulatorFor } from '../emulator/start.js';

let emu: Emulator;
let cl: CognitoLocal;
let section: RestSection;
const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const saved = Object.fromEntries(CREDENTIAL_ENV.map((k) => [k, process.env[k]]));

/** The operator's credentials, which the SDK's default chain reads. */
function operator(c: AwsCredentials): void {
  [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN] = [c.accessKeyId, c.secretAccessKey, c.sessionToken];
}

beforeAll(async () => {
  [emu, cl] = await Promise.all([emulatorFor('rest'), startCognitoLocal()]);
  section = emu.model.rest!;
  // Admins with its role; Auditors without one.
  await cl.idp.send(new CreateGroupCommand({ UserPoolId: cl.poolId, GroupName: 'Admins', RoleArn: emu.groupRoleArn('Admins')! }));
  await cl.idp.send(new CreateGroupCommand({ UserPoolId: cl.poolId, GroupName: 'Auditors' }));
});
afterAll(async () => {
  for (const g of ['Admins', 'Auditors']) await cl?.idp.send(new DeleteGroupCommand({ UserPoolId: cl.poolId, GroupName: g })).catch(() => undefined);
  await emu?.stop();
  await cl?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const app = (over: Partial<DeployedApp> = {}): DeployedApp => ({ identityPoolId: emu.identityPool!.poolId, userPoolId: cl.poolId, region: 'us-east-1', apis: new Map(), ...over });
const config = (iam = emu.iamEndpoint()!) => ({ deployed: { endpoints: { cognitoIdentity: emu.cognitoIdentityEndpoint()!, cognitoIdentityProvider: cl.endpoint, iam } } });

describe('reading the deployed roles', () => {
  it('reads the pool\'s roles and each group\'s that has one; a group without a role keeps backend.ts\'s policies, with a caveat', async () => {
    operator(emu.credentials.iamRole());
    const read = await deployedRolePolicies(section, app(), config());
    expect(read.read).toEqual([
      expect.stringMatching(/^the authenticated role: authmatrix-authenticated-role, \d+ policies$/),
      'the unauthenticated role: authmatrix-unauthenticated-role, 1 policy',
      "the Admins group's role: authmatrix-AdminsGroupRole, 1 policy",
    ]);
    expect(read.drift).toEqual([]);
    expect(read.caveats).toEqual(["the Auditors group's role is tested as backend.ts defines it: the deployed user pool has no group Auditors with a role (ListGroups)"]);
    expect(read.rolePolicies.groups).toEqual(section.rolePolicies.groups);
    // The deployed authenticated role also holds the data API's policies Amplify generates: they are kept, and no drift.
    expect(read.rolePolicies.authenticated.length).toBeGreaterThanOrEqual(section.rolePolicies.authenticated.length);
    expect(read.rolePolicies.authenticated).toEqual(expect.arrayContaining(section.rolePolicies.authenticated));
  });

  it('GetIdentityPoolRoles refused: the pool\'s roles keep backend.ts\'s policies, with a caveat naming the permission; the groups are still read', async () => {
    operator(emu.credentials.iamRole('NoPoolReader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }]));
    const read = await deployedRolePolicies(section, app(), config());
    expect(read.caveats[0]).toMatch(/^the identity pool's roles are tested as backend\.ts defines them: reading the identity pool us-east-1:[0-9a-f-]+ needs cognito-identity:GetIdentityPoolRoles, which the operator's credentials are not allowed \(User: arn:aws:sts::\d+:assumed-role\/NoPoolReader\/\S+ is not authorized to perform: cognito-identity:GetIdentityPoolRoles on resource: arn:aws:cognito-identity:us-east-1:\d+:identitypool\/us-east-1:[0-9a-f-]+ because no identity-based policy allows the cognito-identity:GetIdentityPoolRoles action\)$/);
    expect(read.read).toEqual(["the Admins group's role: authmatrix-AdminsGroupRole, 1 policy"]);
    expect(read.rolePolicies).toEqual(section.rolePolicies);
  });

  it('nothing is read without an identity pool, or without an API taking signed requests', async () => {
    const iamless = { ...section, apis: section.apis.map((a) => ({ ...a, methods: a.methods.filter((m) => m.authorization.type !== 'AWS_IAM') })), httpApis: [] };
    // An unreachable IAM endpoint would stop the run: so nothing was asked.
    for (const [s, a] of [[section, app({ identityPoolId: undefined })], [iamless, app()]] as const) {
      expect(await deployedRolePolicies(s, a, config('http://127.0.0.1:9/iam'))).toEqual({ rolePolicies: s.rolePolicies, read: [], drift: [], caveats: [] });
    }
  });

  it('an IAM endpoint that cannot be reached stops the run with one line', async () => {
    operator(emu.credentials.iamRole());
    await expect(deployedRolePolicies(section, app(), config('http://127.0.0.1:9/iam'))).rejects.toMatchObject({
      name: 'InputError', message: expect.stringMatching(/^reading the role authmatrix-authenticated-role: cannot reach AWS \(/),
    });
  });
});
