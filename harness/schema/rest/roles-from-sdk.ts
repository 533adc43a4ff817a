/**
 * The identity pool's roles as deployed, read with the AWS SDK: their ARNs (cognito-identity GetIdentityPoolRoles
 * for the authenticated and unauthenticated roles, cognito-idp ListGroups for each group's `RoleArn`), then each
 * role's policies from IAM (inline: ListRolePolicies and GetRolePolicy; managed: ListAttachedRolePolicies, GetPolicy
 * and GetPolicyVersion of the default version), documents normalized as the backend.ts reading keeps them
 * (from-cfn.ts `normalizeDocument`). Deployed policies name the deployed APIs' ids and account in their execute-api
 * ARNs; `toModelIds` writes them with the model's stand-in ids instead, so that they decide the model's cells.
 * `rolePoliciesDrift` compares the statements that can concern execute-api with backend.ts's.
 */
import type { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IAMClient } from '@aws-sdk/client-iam';
import { normalizeDocument } from './from-cfn.js';
import type { PolicyDocument, PolicyStatement } from './model.js';

/** The deployed roles' ARNs: the identity pool's two, and each group's that names one. */
export interface DeployedRoleArns {
  authenticated?: string;
  unauthenticated?: string;
  groups: Record<string, string>;
}

/** The identity pool's authenticated and unauthenticated roles (GetIdentityPoolRoles). */
export async function identityPoolRoleArns(client: CognitoIdentityClient, identityPoolId: string): Promise<Omit<DeployedRoleArns, 'groups'>> {
  const { GetIdentityPoolRolesCommand } = await import('@aws-sdk/client-cognito-identity');
  const roles = (await client.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId }))).Roles ?? {};
  return { ...(roles.authenticated ? { authenticated: roles.authenticated } : {}), ...(roles.unauthenticated ? { unauthenticated: roles.unauthenticated } : {}) };
}

/** Each group of the user pool that has a role, with its ARN (ListGroups, paged by `NextToken`). */
export async function groupRoleArns(client: CognitoIdentityProviderClient, userPoolId: string): Promise<Record<string, string>> {
  const { ListGroupsCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, ...(token ? { NextToken: token } : {}) }));
    for (const g of page.Groups ?? []) if (g.GroupName && g.RoleArn) out[g.GroupName] = g.RoleArn;
    token = page.NextToken;
  } while (token);
  return out;
}

/** A role's name from its ARN (`arn:aws:iam::<account>:role/<path/>name`). */
export function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/**
 * Every policy document of a role: its inline policies, then the default version of each managed policy attached
 * to it. `pageSize` is the `MaxItems` asked of each list (IAM may answer fewer, with a `Marker`).
 */
export async function readRoleDocuments(client: IAMClient, roleName: string, pageSize = 100): Promise<PolicyDocument[]> {
  const sdk = await import('@aws-sdk/client-iam');
  const inline = await paged((Marker) => client.send(new sdk.ListRolePoliciesCommand({ RoleName: roleName, MaxItems: pageSize, ...(Marker ? { Marker } : {}) })), (p) => p.PolicyNames ?? []);
  const attached = await paged((Marker) => client.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName: roleName, MaxItems: pageSize, ...(Marker ? { Marker } : {}) })), (p) => p.AttachedPolicies ?? []);
  const documents: PolicyDocument[] = [];
  for (const name of inline) documents.push(decode((await client.send(new sdk.GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument));
  for (const { PolicyArn } of attached) {
    const policy = (await client.send(new sdk.GetPolicyCommand({ PolicyArn }))).Policy;
    const version = await client.send(new sdk.GetPolicyVersionCommand({ PolicyArn, VersionId: policy?.DefaultVersionId }));
    documents.push(decode(version.PolicyVersion?.Document));
  }
  return documents;
}

/** Every item of a list IAM pages by `Marker` and `IsTruncated`. */
async function paged<P extends { IsTruncated?: boolean; Marker?: string }, T>(get: (marker?: string) => Promise<P>, items: (page: P) => T[]): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await get(marker);
    out.push(...items(page));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** IAM sends policy documents URL-encoded. */
function decode(document: string | undefined): PolicyDocument {
  return normalizeDocument(JSON.parse(decodeURIComponent(document ?? '{}')) as Record<string, unknown>);
}

/** How the deployment's execute-api ARNs are written in the model: region, account, and each API's id. */
export interface ArnMapping {
  deployed: { account: string; apis: Map<string, { id: string; region: string }>; identityPoolId?: string };
  model: { region: string; account: string; identityPoolId?: string };
}

/**
 * The document with its execute-api ARNs (`arn:<partition>:execute-api:<region>:<account>:<apiId>/…`) naming a
 * deployed API written as the model names that API: its stand-in id, the model's region and account. A region or
 * account that is a wildcard, or names something else, is kept (it decides as deployed). A condition value that is
 * the deployed identity pool's id (an `aud` condition) is written as the model's (RestSection.identityPoolId), which
 * the oracle takes as the signers' `aud`.
 */
export function toModelIds(doc: PolicyDocument, mapping: ArnMapping): PolicyDocument {
  const rewrite = (arn: string): string => {
    const m = /^(arn:[^:]+:execute-api):([^:]*):([^:]*):([^/]*)(\/.*)?$/.exec(arn);
    const api = m && mapping.deployed.apis.get(m[4]!);
    if (!m || !api) return arn;
    const region = m[2] === api.region ? mapping.model.region : m[2]!;
    const account = m[3] === mapping.deployed.account ? mapping.model.account : m[3]!;
    return `${m[1]}:${region}:${account}:${api.id}${m[5] ?? ''}`;
  };
  const pool = mapping.deployed.identityPoolId && mapping.model.identityPoolId ? { from: mapping.deployed.identityPoolId, to: mapping.model.identityPoolId } : undefined;
  const each = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v.map(rewrite) : rewrite(v));
  return {
    ...doc,
    Statement: (doc.Statement as PolicyStatement[]).map((s) => {
      const out: PolicyStatement = { ...s };
      if (s.Resource !== undefined) out.Resource = each(s.Resource)!;
      if (s.NotResource !== undefined) out.NotResource = each(s.NotResource)!;
      if (s.Condition && pool) out.Condition = poolIds(s.Condition, pool) as PolicyStatement['Condition'];
      return out;
    }),
  };
}

/** Every string of a condition block that is one pool id, written as the other. */
function poolIds(value: unknown, pool: { from: string; to: string }): unknown {
  if (typeof value === 'string') return value === pool.from ? pool.to : value;
  if (Array.isArray(value)) return value.map((v) => poolIds(v, pool));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poolIds(v, pool)]));
  return value;
}

/** Whether a statement can decide an execute-api request: NotAction, or an action whose service matches `execute-api`. */
export function concernsExecuteApi(s: PolicyStatement): boolean {
  if (s.NotAction !== undefined) return true;
  const actions = s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];
  return actions.some((a) => {
    const service = a.includes(':') ? a.slice(0, a.indexOf(':')) : a;
    return new RegExp(`^${service.toLowerCase().replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test('execute-api');
  });
}

/** A statement as drift names it: its elements in a fixed order, lists sorted, the `Sid` left out (it decides nothing). */
export function statementText(s: PolicyStatement): string {
  const list = (v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v);
  const { Sid: _sid, ...rest } = s;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, k === 'Condition' ? v : list(v)]));
  return JSON.stringify(sorted);
}

/**
 * What differs between one role's statements in backend.ts and as deployed, among those that can concern
 * execute-api (a deployed role also holds what Amplify generates for the data API and storage): one line per
 * statement only on one side.
 */
export function roleDrift(role: string, defined: readonly PolicyDocument[], deployed: readonly PolicyDocument[]): string[] {
  const texts = (docs: readonly PolicyDocument[]) => new Set(docs.flatMap((d) => (d.Statement as PolicyStatement[]).filter(concernsExecuteApi).map(statementText)));
  const mine = texts(defined);
  const theirs = texts(deployed);
  return [
    ...[...theirs].filter((t) => !mine.has(t)).map((t) => `${role}: ${t} is deployed but not in backend.ts`),
    ...[...mine].filter((t) => !theirs.has(t)).map((t) => `${role}: ${t} is in backend.ts but not deployed`),
  ];
}
