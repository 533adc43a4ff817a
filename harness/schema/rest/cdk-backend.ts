/**
 * `defineBackend` as the app's own CDK builds it, for reading `amplify/backend.ts`: the resources an app
 * touches there (`backend.auth.resources.userPool`, `authenticatedUserIamRole`, `groups[name].role`,
 * `backend.<fn>.resources.lambda`, `backend.data.resources`, `backend.storage.resources.bucket`,
 * `createStack`, `addOutput`) are real constructs of the app's `aws-cdk-lib`, so whatever the app builds on
 * them (API Gateway APIs, authorizers, policies) is synthesized by CDK itself, defaults included. The
 * constructs stand where amplify-backend puts them (one stack per resource group; see
 * aws-amplify/amplify-backend `packages/backend-auth`, `packages/backend-function`), with what authmatrix
 * needs to know afterwards recorded in `BackendRecord`.
 */
import type * as Core from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type * as AppSync from 'aws-cdk-lib/aws-appsync';
import type * as Cognito from 'aws-cdk-lib/aws-cognito';
import type * as DynamoDb from 'aws-cdk-lib/aws-dynamodb';
import type * as Iam from 'aws-cdk-lib/aws-iam';
import type * as Lambda from 'aws-cdk-lib/aws-lambda';
import type * as S3 from 'aws-cdk-lib/aws-s3';
import type { CapturedFunction } from '../gen2-capture.js';

/** The app's own CDK modules (one copy, so that constructs from backend.ts and from here mix). */
export interface CdkModules {
  core: typeof Core;
  iam: typeof Iam;
  cognito: typeof Cognito;
  lambda: typeof Lambda;
  s3: typeof S3;
  dynamodb: typeof DynamoDb;
  appsync: typeof AppSync;
}

/** A construct to find in the synthesized templates: its stack and its CloudFormation resource. */
export interface ConstructRef {
  stack: string;
  construct: Core.CfnElement;
}

/** What the stand-in built and what backend.ts did with it. */
export interface BackendRecord {
  app: Core.App;
  roles: { authenticated?: ConstructRef; unauthenticated?: ConstructRef; groups: Record<string, ConstructRef> };
  userPool?: ConstructRef;
  userPoolClient?: ConstructRef;
  functions: { ref: ConstructRef; fn: CapturedFunction }[];
  /** `backend.addOutput(...)` calls merged (tokens still unresolved). */
  outputs: Record<string, unknown>;
}

export function buildBackend(cdk: CdkModules, resources: Record<string, unknown>, outdir: string): { backend: Record<string, unknown>; record: BackendRecord } {
  const { core } = cdk;
  const app = new core.App({
    outdir,
    // Functions are never bundled (an app's NodejsFunction would run esbuild); templates are read, not deployed.
    // Construct paths in each resource's Metadata, as the CDK CLI writes them: they name what the app called a construct.
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    ...({ builtinCloudFormationValidation: false } as object),
  });
  const root = new core.Stack(app, 'amplify');
  const stacks = new Map<string, Core.Stack>();
  const stackFor = (name: string): Core.Stack => {
    let s = stacks.get(name);
    if (!s) stacks.set(name, (s = new core.Stack(app, name)));
    return s;
  };
  const record: BackendRecord = { app, roles: { groups: {} }, functions: [], outputs: {} };
  const ref = (c: IConstruct): ConstructRef => ({ stack: core.Stack.of(c).stackName, construct: c.node.defaultChild as Core.CfnElement });

  const backend: Record<string, unknown> = {
    stack: root,
    createStack: (name: string) => {
      if (stacks.has(name)) throw new Error(`a stack named ${name} already exists`);
      return stackFor(name);
    },
    addOutput: (output: Record<string, unknown>) => mergeInto(record.outputs, output),
  };
  const functions = Object.entries(resources).filter(([, r]) => kindOf(r) === 'authmatrix:function');
  for (const [key, r] of functions) {
    const fn = r as CapturedFunction;
    backend[key] = functionResource(cdk, stackFor(fn.resourceGroupName ?? 'function'), fn, record, ref);
  }
  for (const [key, r] of Object.entries(resources)) {
    const kind = kindOf(r);
    const props = (r as { props?: Record<string, unknown> }).props ?? {};
    if (kind === 'authmatrix:auth') backend[key] = authResource(cdk, stackFor('auth'), props, record, ref);
    else if (kind === 'authmatrix:data') backend[key] = dataResource(cdk, stackFor('data'));
    else if (kind === 'authmatrix:storage') backend[key] = storageResource(cdk, stackFor('storage'), props);
    else if (kind !== 'authmatrix:function') backend[key] = { resources: permissive() };
  }
  return { backend, record };
}

function kindOf(r: unknown): string | undefined {
  return r && typeof r === 'object' && typeof (r as { kind?: unknown }).kind === 'string' ? (r as { kind: string }).kind : undefined;
}

/** amplify-backend's auth construct: user pool, web client, identity pool, the two roles and one role per group. */
function authResource(cdk: CdkModules, stack: Core.Stack, props: Record<string, unknown>, record: BackendRecord, ref: (c: IConstruct) => ConstructRef) {
  const { cognito, iam } = cdk;
  const userPool = new cognito.UserPool(stack, 'UserPool');
  const userPoolClient = userPool.addClient('UserPoolAppClient');
  const identityPool = new cognito.CfnIdentityPool(stack, 'IdentityPool', {
    allowUnauthenticatedIdentities: true,
    cognitoIdentityProviders: [{ clientId: userPoolClient.userPoolClientId, providerName: userPool.userPoolProviderName }],
  });
  const identityRole = (id: string, amr: 'authenticated' | 'unauthenticated') =>
    new iam.Role(stack, id, {
      assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.ref },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': amr },
      }, 'sts:AssumeRoleWithWebIdentity'),
    });
  const authenticatedUserIamRole = identityRole('authenticatedUserRole', 'authenticated');
  const unauthenticatedUserIamRole = identityRole('unauthenticatedUserRole', 'unauthenticated');
  const identityPoolRoleAttachment = new cognito.CfnIdentityPoolRoleAttachment(stack, 'IdentityPoolRoleAttachment', {
    identityPoolId: identityPool.ref,
    roles: { authenticated: authenticatedUserIamRole.roleArn, unauthenticated: unauthenticatedUserIamRole.roleArn },
  });
  const groupNames = Array.isArray(props.groups) ? props.groups.filter((g): g is string => typeof g === 'string') : [];
  const groups: Record<string, { role: Iam.Role; cfnUserGroup: Cognito.CfnUserPoolGroup }> = {};
  groupNames.forEach((name, precedence) => {
    const role = identityRole(`${name}GroupRole`, 'authenticated');
    const cfnUserGroup = new cognito.CfnUserPoolGroup(stack, `${name}Group`, { userPoolId: userPool.userPoolId, groupName: name, precedence, roleArn: role.roleArn });
    groups[name] = { role, cfnUserGroup };
    record.roles.groups[name] = ref(role);
  });
  record.roles.authenticated = ref(authenticatedUserIamRole);
  record.roles.unauthenticated = ref(unauthenticatedUserIamRole);
  record.userPool = ref(userPool);
  record.userPoolClient = ref(userPoolClient);
  return {
    resources: {
      userPool,
      userPoolClient,
      authenticatedUserIamRole,
      unauthenticatedUserIamRole,
      identityPoolId: identityPool.ref,
      groups,
      cfnResources: {
        cfnUserPool: userPool.node.defaultChild,
        cfnUserPoolClient: userPoolClient.node.defaultChild,
        cfnIdentityPool: identityPool,
        cfnIdentityPoolRoleAttachment: identityPoolRoleAttachment,
        cfnUserPoolGroups: Object.fromEntries(Object.entries(groups).map(([n, g]) => [n, g.cfnUserGroup])),
      },
    },
  };
}

function functionResource(cdk: CdkModules, stack: Core.Stack, fn: CapturedFunction, record: BackendRecord, ref: (c: IConstruct) => ConstructRef) {
  const { lambda } = cdk;
  const f = new lambda.Function(stack, `${fn.name}-lambda`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  record.functions.push({ ref: ref(f), fn });
  return {
    resources: { lambda: f, cfnResources: { cfnFunction: f.node.defaultChild } },
    addEnvironment: (name: string, value: string) => f.addEnvironment(name, value),
    stack,
  };
}

/** Only what backend.ts files reach for (tables to grant, the API's id); the data API itself is read from data/resource.ts. */
function dataResource(cdk: CdkModules, stack: Core.Stack) {
  const graphqlApi = cdk.appsync.GraphqlApi.fromGraphqlApiAttributes(stack, 'GraphQLAPI', { graphqlApiId: 'authmatrix-data-api' });
  const tables = new Proxy({} as Record<string, DynamoDb.ITable>, {
    get: (cache, name) => {
      if (typeof name !== 'string') return undefined;
      return (cache[name] ??= cdk.dynamodb.Table.fromTableName(stack, `${name}Table`, `${name}-authmatrix`));
    },
  });
  return { resources: { graphqlApi, tables, cfnResources: permissive(), functions: permissive() }, stack };
}

function storageResource(cdk: CdkModules, stack: Core.Stack, props: Record<string, unknown>) {
  const name = typeof props.name === 'string' ? props.name : 'storage';
  const bucket = new cdk.s3.Bucket(stack, `${name}Bucket`);
  return { resources: { bucket, cfnResources: { cfnBucket: bucket.node.defaultChild } }, stack };
}

/** Accepts any property read, write or call: for resources no REST API can depend on. */
function permissive(): object {
  const target = function () {} as unknown as Record<string | symbol, unknown>;
  return new Proxy(target, {
    get: (t, k) => (k === Symbol.toPrimitive || k === 'then' ? undefined : (t[k] ??= permissive())),
    set: (t, k, v) => ((t[k] = v), true),
    apply: () => permissive(),
  });
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (isPlain(cur) && isPlain(v)) mergeInto(cur, v);
    else target[k] = v;
  }
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
