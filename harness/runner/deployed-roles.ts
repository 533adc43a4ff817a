/**
 * A deployed run tests the identity pool's roles as deployed: their ARNs from the identity pool
 * (GetIdentityPoolRoles) and the user pool's groups (ListGroups), their policies from IAM
 * (harness/schema/rest/roles-from-sdk.ts), the deployed APIs' ids in those policies written as the model's.
 * Statements that can concern execute-api and differ from backend.ts's are drift, as for the APIs
 * (deployed-rest.ts). A role that cannot be read (the operator may not, it is not found) keeps backend.ts's
 * policies, with a caveat saying which permission or role was missing.
 */
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AuthmatrixConfig } from '../config.js';
import { InputError } from '../schema/errors.js';
import type { PolicyDocument, RestSection, RolePolicies } from '../schema/rest/model.js';
import { groupRoleArns, identityPoolRoleArns, readRoleDocuments, roleDrift, roleNameOf, toModelIds, type ArnMapping, type DeployedRoleArns } from '../schema/rest/roles-from-sdk.js';
import { cognitoIdentity, cognitoIdentityProvider, iam } from '../../personas/shared/aws-sdk.js';

export interface DeployedRoles {
  rolePolicies: RolePolicies;
  /** Where each role was read from (`the authenticated role: amplify-…-authRole, 2 policies`). */
  read: string[];
  drift: string[];
  /** Roles tested as backend.ts defines them, and why. */
  caveats: string[];
}

export interface DeployedApp {
  identityPoolId?: string;
  userPoolId?: string;
  /** The region of the pools (outputs `auth.aws_region`). */
  region: string;
  /** Each deployed API's id, with the model's id for it and its region. */
  apis: ArnMapping['deployed']['apis'];
}

/** IAM is global: its SDK client is made for us-east-1. */
const IAM_REGION = 'us-east-1';

type RoleKey = { kind: 'authenticated' | 'unauthenticated' } | { kind: 'group'; group: string };

/**
 * The section's role policies as deployed. Nothing is read when the outputs name no identity pool (nobody signs)
 * or no API takes IAM-signed requests (no policy decides a cell).
 */
export async function deployedRolePolicies(section: RestSection, app: DeployedApp, config: AuthmatrixConfig): Promise<DeployedRoles> {
  const defined = section.rolePolicies;
  const signed = section.apis.some((a) => a.methods.some((m) => m.authorization.type === 'AWS_IAM')) || section.httpApis.some((a) => a.routes.some((r) => r.authorization.type === 'AWS_IAM'));
  if (!app.identityPoolId || !signed) return { rolePolicies: defined, read: [], drift: [], caveats: [] };
  const endpoints = config.deployed?.endpoints ?? {};
  const clients: { identity?: CognitoIdentityClient; idp?: CognitoIdentityProviderClient; iam?: IAMClient } = {};
  const out: DeployedRoles = { rolePolicies: { ...defined, groups: { ...defined.groups } }, read: [], drift: [], caveats: [] };
  const roles: { key: RoleKey; label: string }[] = [
    { key: { kind: 'authenticated' }, label: 'the authenticated role' },
    { key: { kind: 'unauthenticated' }, label: 'the unauthenticated role' },
    ...defined.groupPrecedence.map((group) => ({ key: { kind: 'group' as const, group }, label: `the ${group} group's role` })),
  ];
  try {
    const arns: DeployedRoleArns = { groups: {} };
    let groupsRead = false;
    const { CognitoIdentityClient } = await cognitoIdentity();
    clients.identity = new CognitoIdentityClient({ region: app.region, maxAttempts: 2, ...(endpoints.cognitoIdentity ? { endpoint: endpoints.cognitoIdentity } : {}) });
    const poolRoles = await refusedAs(() => identityPoolRoleArns(clients.identity!, app.identityPoolId!), 'GetIdentityPoolRoles', `the identity pool ${app.identityPoolId}`);
    if ('refused' in poolRoles) out.caveats.push(`the identity pool's roles are tested as backend.ts defines them: ${poolRoles.refused}`);
    else Object.assign(arns, poolRoles.value);
    if (defined.groupPrecedence.length && app.userPoolId) {
      const { CognitoIdentityProviderClient } = await cognitoIdentityProvider();
      clients.idp = new CognitoIdentityProviderClient({ region: app.region, maxAttempts: 2, ...(endpoints.cognitoIdentityProvider ? { endpoint: endpoints.cognitoIdentityProvider } : {}) });
      const groups = await refusedAs(() => groupRoleArns(clients.idp!, app.userPoolId!), 'ListGroups', `the user pool ${app.userPoolId}`);
      if ('refused' in groups) out.caveats.push(`the groups' roles are tested as backend.ts defines them: ${groups.refused}`);
      else [arns.groups, groupsRead] = [groups.value, true];
    }
    const { IAMClient } = await iam();
    clients.iam = new IAMClient({ region: IAM_REGION, maxAttempts: 2, ...(endpoints.iam ? { endpoint: endpoints.iam } : {}) });
    for (const { key, label } of roles) {
      const arn = key.kind === 'group' ? arns.groups[key.group] : arns[key.kind];
      if (!arn) {
        // Refused reads were said above; a group the deployed pool lists without a role (or not at all) is said here.
        if (key.kind === 'group' && groupsRead) out.caveats.push(`${label} is tested as backend.ts defines it: the deployed user pool has no group ${key.group} with a role (ListGroups)`);
        continue;
      }
      const name = roleNameOf(arn);
      const documents = await refusedAs(() => readRoleDocuments(clients.iam!, name), 'GetRolePolicy', `the role ${name}`);
      if ('refused' in documents) {
        out.caveats.push(`${label} is tested as backend.ts defines it: ${documents.refused}`);
        continue;
      }
      const account = /^arn:[^:]+:iam::(\d+):role\//.exec(arn)?.[1] ?? '';
      const deployed = documents.value.map((d) => toModelIds(d, { deployed: { account, apis: app.apis, identityPoolId: app.identityPoolId }, model: { region: section.region, account: section.account, identityPoolId: section.identityPoolId } }));
      const own = key.kind === 'group' ? defined.groups[key.group] ?? [] : defined[key.kind];
      out.read.push(`${label}: ${name}, ${deployed.length} polic${deployed.length === 1 ? 'y' : 'ies'}`);
      out.drift.push(...roleDrift(`${label} (${name})`, own, deployed));
      set(out.rolePolicies, key, deployed);
    }
  } finally {
    for (const c of Object.values(clients)) c?.destroy();
  }
  return out;
}

function set(policies: RolePolicies, key: RoleKey, documents: PolicyDocument[]): void {
  if (key.kind === 'group') policies.groups[key.group] = documents;
  else policies[key.kind] = documents;
}

/**
 * The value of a read, or why it was refused (the permission AWS names, else the operation's); errors that are
 * no refusal (credentials, the network) stop the run as the API reads do.
 */
async function refusedAs<T>(read: () => Promise<T>, operation: string, what: string): Promise<{ value: T } | { refused: string }> {
  try {
    return { value: await read() };
  } catch (e) {
    const err = e as Error & { code?: string };
    const message = String(err?.message ?? e).split('\n')[0] ?? '';
    if (['AccessDenied', 'AccessDeniedException', 'NotAuthorizedException'].includes(err?.name)) {
      const permission = /perform: (\S+)/.exec(message)?.[1] ?? operation;
      return { refused: `reading ${what} needs ${permission}, which the operator's credentials are not allowed (${message})` };
    }
    if (err?.name === 'NoSuchEntity' || err?.name === 'NoSuchEntityException' || err?.name === 'ResourceNotFoundException') return { refused: `${what} was not found (${message})` };
    if (err?.name === 'CredentialsProviderError') throw new InputError(`reading ${what}: no AWS credentials`, undefined, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND') throw new InputError(`reading ${what}: cannot reach AWS (${message})`, undefined, 'check the network, the region, and deployed.endpoints (cognitoIdentity, cognitoIdentityProvider, iam) in authmatrix.config.ts');
    throw new InputError(`reading ${what}: ${err?.name ? `${err.name}: ` : ''}${message}`, undefined, 'fix what the AWS error names');
  }
}
