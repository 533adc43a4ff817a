/**
 * The embedded AppSync-compatible endpoint: one HTTP server (loopback by default) serving the generated
 * API at `/graphql`, the user pool's JWKS, and the `/.authmatrix/` developer endpoints (credential
 * minting, reset), with an in-memory store per instance.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InputError } from '../schema/errors.js';
import type { AuthResources, IamRole, PolicyDocument, UserPoolGroup } from '../schema/auth-resources.js';
import { hasDataApi, type AuthModel } from '../schema/model.js';
import type { RolePolicies } from '../schema/rest/model.js';
import { authenticate, type Credentials } from './appsync/authenticate.js';
import type { IamStash } from './appsync/auth/checks.js';
import { ApiKeys } from './appsync/apikeys.js';
import { AuthFailure, TOKEN_EXPIRED, unauthorized } from './failure.js';
import { unverifiedIssuer } from './cognito/jwt.js';
import { PERMISSION_DENIED } from './appsync/iam-access.js';
import { IdentityPool, type EmulatedRole, type IamCredentials } from './iam/identity-pool.js';
import { IDENTITY_API_BODY_LIMIT, IDENTITY_API_CONTENT_TYPE, IdentityApi } from './iam/identity-api.js';
import { IAM_API_BODY_LIMIT, IAM_SIGNING_REGION, IamApi, type ServedRole } from './iam/iam-api.js';
import { ADMINISTRATOR_ACCESS, emulatedRole, groupRoleClaims, identityPoolRoles, roleName } from './iam/roles.js';
import { amplifyRolePolicies } from './appsync/role-policies.js';
import { SigningKey } from './cognito/keys.js';
import { LambdaAuthorizer, type AuthorizerFn, type AuthorizerResponse } from './appsync/lambda-authorizer.js';
import { OidcProvider, type OidcUser } from './cognito/oidc.js';
import { UserPool, type UserPoolTokens, type UserPoolUser } from './cognito/userpool.js';
import { grantedScopes, machineClients, tokenRequest, TOKEN_PATH, type MachineClient } from './cognito/token-endpoint.js';
import { CustomOperationRunner, type HandlerMode } from './appsync/custom-operations.js';
import { Engine } from './appsync/engine.js';
import type { GraphQLBody, GraphQLResponse, RequestContext } from './appsync/request.js';
import { Realtime } from './appsync/realtime.js';
import { idSource, type IdSource } from './ids.js';
import { ExpiringCache } from './expiring-cache.js';
import { DEFAULT_LIMITS, type EmulatorLimits } from './appsync/limits.js';
import { amplifyOutputs } from './outputs.js';
import { controlPlane, controlPlaneAccess } from './apigateway/control-plane.js';
import { httpControlPlane } from './apigateway/http-control-plane.js';
import { ApiGateway, compileRolePolicies } from './apigateway/gateway.js';
import { GatewayRefusal, type SignedCaller } from './apigateway/caller.js';
import type { IntegrationMode } from './apigateway/integrations.js';
import { HttpApiGateway } from './apigateway/http-gateway.js';
import { gatewayErrors, signatureRefusal } from './apigateway/responses.js';
import type { SigV4Request } from './iam/sigv4.js';
import { Store } from './appsync/store.js';
import type { S3Endpoint } from './s3/endpoint.js';
import { storageOutputs } from './s3/outputs.js';
import { loadHandler } from '../schema/user-module.js';

/** What code outside the emulator may use of its Lambda authorizer (this module is the emulator's public entry). */
export type { AuthorizerEvent, AuthorizerFn, AuthorizerResponse } from './appsync/lambda-authorizer.js';
export type { HandlerMode } from './appsync/custom-operations.js';

export interface EmulatorOptions {
  model: AuthModel;
  /** Interface to bind; default 127.0.0.1. The developer endpoints are refused beyond loopback. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  region?: string;
  /** Deterministic ids and timestamps. */
  seed?: string | number;
  /**
   * Also trust tokens of an external user pool (a real one, or cognito-local). `groupRoles`: its groups
   * stand for the app's groups with their roles, though its ID tokens carry no `cognito:roles` (cognito-local's
   * do not): the identity pool maps its group members as if they did. `clientId`: its app client, which stands for the
   * app's client (an HTTP API's JWT authorizer names the deployed app's client in its audience).
   */
  trustUserPool?: { issuer: string; jwksUrl: string; groupRoles?: boolean; clientId?: string };
  /** Verify OIDC tokens against this JWKS (a real IdP) instead of minting them. */
  oidcJwksUrl?: string;
  /** Lambda authorizer answers by token, when the schema names no handler module (or to replace it). */
  lambdaTokens?: Record<string, AuthorizerResponse>;
  /** Function and resolver handlers to stub or skip, by function or operation name (default: run). */
  handlers?: Record<string, HandlerMode>;
  /** REST integrations: run the app's Lambda handler modules (default), or answer with a stub. */
  restIntegrations?: IntegrationMode;
  /** Realtime keep-alive (`ka`) interval; AppSync sends one about every minute. */
  keepAliveMs?: number;
  /** Lower (or raise) the request limits (docs/limits.md); tests lower them to stay quick. */
  limits?: Partial<EmulatorLimits>;
  /** The S3 endpoint's port, when the app has storage (default 0: a free port). */
  s3Port?: number;
  log?: (line: string) => void;
}

const ACCOUNT_ID = '123456789012';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** An over-size body is read and dropped up to this size so that the client reads the 413; beyond, the socket is closed. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const MALFORMED = 'MalformedHttpRequestException';
const UNPARSABLE = 'Unable to parse GraphQL query.';
/** API Gateway's control plane (read operations, harness/emulator/apigateway/control-plane.ts). */
const CONTROL_PLANE_PREFIX = '/apigateway/';
/** The Cognito Identity API (the SDK's `endpoint`; it posts to `<endpoint>/`). */
const IDENTITY_API_PATH = '/cognito-identity';
/** IAM's read operations on the identity pool's roles (harness/emulator/iam/iam-api.ts; the SDK posts to `<endpoint>/`). */
const IAM_API_PATH = '/iam';

/** Minting credentials for any identity, on this emulator. */
export interface CredentialMinter {
  userPool(user: UserPoolUser): Promise<UserPoolTokens>;
  oidc(user: OidcUser): Promise<string>;
  /**
   * Identity-pool credentials: a guest's, or a signed-in user's (the role its groups' ID-token claims
   * select, as token-based role mapping does). Throws VendingError as the identity pool refuses.
   */
  identityPool(options: { authenticated: false } | { authenticated: true; username?: string; groups?: string[] }): IamCredentials;
  /** A function's execution role (`allow.resource(fn)` in storage rules). */
  functionRole(name: string): IamCredentials;
  /** STS credentials for a role outside the identity pool; without policies it may do anything (ADMINISTRATOR_ACCESS). */
  iamRole(roleName?: string, policies?: PolicyDocument[]): IamCredentials;
  apiKey(options?: { expiresInDays?: number }): string;
}

export class Emulator {
  readonly url: string;
  readonly realtimeUrl: string;
  readonly apiKey: string | undefined;
  readonly region: string;
  readonly userPool: UserPool | undefined;
  readonly oidc: OidcProvider | undefined;
  readonly identityPool: IdentityPool | undefined;
  /** The identity pool's Cognito Identity API (GetId, GetCredentialsForIdentity), when there is an identity pool. */
  private readonly identityApi: IdentityApi | undefined;
  /** IAM's reads of the identity pool's roles, when there is an identity pool. */
  private readonly iamApi: IamApi | undefined;
  readonly credentials: CredentialMinter;
  /** The user pool's client-credentials app clients (the app's, RestSection.appClients), with stand-in ids and secrets. */
  readonly appClients: MachineClient[];
  /** The GraphQL API (AppSync), when the app has one: an app may have only storage or REST APIs. */
  private readonly graphql: { engine: Engine; realtime: Realtime } | undefined;
  readonly store: Store;
  readonly lambda: LambdaAuthorizer | undefined;
  /** Function handlers that were stubbed during the run, and why. */
  readonly stubbedHandlers: ReadonlyMap<string, string>;
  /** The REST APIs' gateway, when the app has REST APIs. */
  readonly gateway: ApiGateway | undefined;
  /** REST API key values API Gateway generated (keys whose value the definition leaves open), by key id. */
  readonly restApiKeys = new Map<string, string>();
  /** The emulated S3 endpoint, when the app has storage and an identity pool. */
  s3: S3Endpoint | undefined;
  /** GraphQL requests received over HTTP (benchmarks read it; subscription starts are in `realtime.stats`). */
  readonly stats = { requests: 0 };
  readonly limits: EmulatorLimits;
  private readonly creds: Credentials;
  private readonly iamStash: IamStash;
  private readonly sockets = new Set<Socket>();
  private readonly devEndpoints: boolean;
  private readonly keys: { userPool: SigningKey; oidc: SigningKey };

  private constructor(
    readonly model: AuthModel,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    parts: {
      region: string;
      ids: IdSource;
      userPoolKey: SigningKey;
      oidcKey: SigningKey;
      options: EmulatorOptions;
      authorizer: AuthorizerFn | undefined;
      log: (line: string) => void;
    },
  ) {
    const { region, ids, options, log } = parts;
    this.region = region;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.keys = { userPool: parts.userPoolKey, oidc: parts.oidcKey };
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.url = `${base}/graphql`;
    this.realtimeUrl = `${base.replace(/^http/, 'ws')}/graphql/realtime`;
    this.devEndpoints = LOOPBACK.has(host);
    const modes = new Set(model.authModes.enabled);
    const apiKeys = new ApiKeys();
    this.apiKey = modes.has('apiKey') ? apiKeys.create(model.authModes.apiKey?.expiresInDays ?? 7, model.authModes.apiKey?.description) : undefined;
    const userPools: UserPool[] = [];
    let trusted: UserPool | undefined;
    if (modes.has('userPool')) {
      const ids = UserPool.newIds(region);
      this.userPool = new UserPool(ids.poolId, ids.clientId, base, parts.userPoolKey, model.authModes.userPool?.appClientIdRegex);
      userPools.push(this.userPool);
      if (options.trustUserPool) {
        const external = new URL(options.trustUserPool.issuer);
        const poolId = external.pathname.replace(/^\//, '');
        trusted = new UserPool(poolId, options.trustUserPool.clientId ?? '', external.origin, undefined, model.authModes.userPool?.appClientIdRegex, options.trustUserPool.jwksUrl);
        userPools.push(trusted);
      }
    }
    const oidcConfig = model.authModes.oidc;
    if (modes.has('oidc') && oidcConfig) {
      this.oidc = new OidcProvider(oidcConfig, options.oidcJwksUrl ? undefined : parts.oidcKey, options.oidcJwksUrl);
    }
    if (modes.has('lambda')) {
      const authorizer = parts.authorizer ?? (() => {
        log('the Lambda authorizer has no handler module and no token table: every Lambda token is refused');
        return { isAuthorized: false };
      });
      this.lambda = new LambdaAuthorizer(authorizer, model.authModes.lambda?.ttlSeconds ?? 0, model.authModes.lambda?.identityValidationExpression, log);
    }
    const apiId = randomUUID().replace(/-/g, '').slice(0, 26);
    this.store = new Store(model.models);
    const custom = new CustomOperationRunner(model, { store: this.store, ids: ids.id, now: ids.date }, log, options.handlers);
    this.stubbedHandlers = custom.stubbed;
    const engine = hasDataApi(model) ? new Engine(model, this.store, custom, log, ids, this.limits, { region, accountId: ACCOUNT_ID, apiId }) : undefined;
    // Storage and REST APIs are reached with identity-pool credentials, whatever the data API's own modes.
    if (modes.has('iam') || model.storage || model.rest) {
      const generated = engine ? amplifyRolePolicies(model, engine.api, engine.ref) : { auth: [], unauth: [] };
      const resources = withSectionGroups(model);
      const roles = identityPoolRoles(resources, generated);
      const pool = model.authResources?.identityPool;
      this.identityPool = new IdentityPool({
        region,
        accountId: ACCOUNT_ID,
        // The pool the app's policies name (their `aud` conditions), as the REST section read it; else a new one.
        poolId: model.rest?.identityPoolId ?? IdentityPool.newPoolId(region),
        allowUnauthenticated: pool?.allowUnauthenticated ?? model.authModes.identityPool?.allowUnauthenticated ?? false,
        ambiguousRoleResolution: pool?.roleMapping.kind === 'token' ? pool.roleMapping.ambiguousRoleResolution : 'AuthenticatedRole',
        unauthRole: roles.unauth,
        authRole: roles.auth,
        roles: roles.groups,
      });
      const claims = groupRoleClaims(resources, roles, (r) => this.identityPool!.roleArn(r));
      for (const p of userPools) p.groupRoles = claims;
      this.identityApi = new IdentityApi(this.identityPool, userPools.map((pool) => ({ pool, addsGroupRoles: pool === trusted && options.trustUserPool?.groupRoles === true })));
      this.iamApi = new IamApi(ACCOUNT_ID, servedRoles(roles, model.rest?.rolePolicies));
    }
    this.creds = {
      modes,
      apiKeys,
      userPools,
      ...(this.oidc ? { oidc: this.oidc } : {}),
      ...(this.identityPool ? { identityPool: this.identityPool } : {}),
      ...(this.lambda ? { lambda: this.lambda } : {}),
      apiId,
      accountId: ACCOUNT_ID,
      verifiedTokens: new ExpiringCache(),
    };
    this.iamStash = {
      authRole: this.identityPool?.roleSessionArn(this.identityPool.options.authRole) ?? '',
      unauthRole: this.identityPool?.roleSessionArn(this.identityPool.options.unauthRole) ?? '',
      identityPoolId: this.identityPool?.poolId ?? null,
      adminRoles: model.params.adminRoles,
    };
    if (model.rest?.apis.length || model.rest?.httpApis.length) {
      for (const api of model.rest.apis) for (const k of api.apiKeys) if (!k.value && !this.restApiKeys.has(k.id)) this.restApiKeys.set(k.id, randomBytes(20).toString('base64url'));
      this.gateway = new ApiGateway({ section: model.rest, identity: this.gatewayIdentity(model.rest), apiKeyValues: this.restApiKeys, ...(options.restIntegrations ? { integrations: options.restIntegrations } : {}), log });
    }
    this.credentials = this.minter(apiKeys);
    this.appClients = this.userPool ? machineClients(model.rest?.appClients ?? []) : [];
    this.graphql = engine && { engine, realtime: new Realtime({
      engine,
      authenticate: (headers, path, body, sourceIp, query) =>
        authenticate({ headers, method: 'POST', host: headers.host ?? `${host}:${port}`, path, body, sourceIp, ...(query ? { query } : {}), requestId: randomUUID() }, this.creds),
      env: (auth) => ({ auth, iam: this.iamStash, params: model.params }),
      keepAliveMs: options.keepAliveMs ?? 60_000,
      limits: this.limits,
      log,
    }) };
  }

  /** The GraphQL engine; throws when the app has no data API (`hasDataApi`). */
  get engine(): Engine {
    return this.api().engine;
  }

  /** The realtime (WebSocket) endpoint; throws when the app has no data API (`hasDataApi`). */
  get realtime(): Realtime {
    return this.api().realtime;
  }

  private api(): { engine: Engine; realtime: Realtime } {
    if (!this.graphql) throw new Error('this app has no data API (no GraphQL endpoint)');
    return this.graphql;
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    const log = options.log ?? ((line: string) => process.stderr.write(`authmatrix emulator: ${line}\n`));
    const host = options.host ?? '127.0.0.1';
    // Made on first use (cognito/keys.ts).
    const userPoolKey = new SigningKey();
    const oidcKey = new SigningKey();
    let authorizer: AuthorizerFn | undefined;
    if (options.lambdaTokens) authorizer = LambdaAuthorizer.fromTable(options.lambdaTokens);
    else if (options.model.authModes.lambda?.handler) authorizer = await loadHandler<AuthorizerFn>(options.model.authModes.lambda.handler, options.model.authModes.lambda.moduleAliases);
    let emulator: Emulator | undefined;
    const server = createServer({ keepAlive: true }, (req, res) => {
      if (!emulator) {
        res.writeHead(503).end();
        return;
      }
      emulator.handle(req, res).catch((e: unknown) => {
        log(`request failed: ${(e as Error)?.stack ?? String(e)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred.' }] }));
      });
    });
    const port = await listen(server, host, options.port ?? 0);
    try {
      emulator = new Emulator(options.model, server, host, port, {
        region: options.region ?? 'us-east-1',
        ids: idSource(options.seed),
        userPoolKey,
        oidcKey,
        options,
        authorizer,
        log,
      });
      const e = emulator;
      const pool = e.identityPool;
      if (options.model.storage && pool) {
        // Loaded only for an app with storage: with its XML parser, about 60 ms of a run's start-up.
        const { S3Endpoint } = await import('./s3/endpoint.js');
        e.s3 = await S3Endpoint.start({
          storage: options.model.storage, region: e.region, host, ...(options.s3Port !== undefined ? { port: options.s3Port } : {}),
          lookup: (key) => {
            const found = pool.lookup(key);
            // The pool's roles reach the buckets through the storage rules; a role outside the pool through its own policies.
            return found && { credentials: found.credentials, principal: found.caller.principal, policies: found.caller.principal.cognitoIdentityPoolId ? [] : found.caller.role.policies };
          },
          roles: { auth: pool.options.authRole.name, unauth: pool.options.unauthRole.name, group: (g) => e.groupRoleName(g), function: functionRole }, log,
        });
      }
      server.on('upgrade', (req, socket, head) => {
        const path = new URL(req.url ?? '/', 'http://emulator').pathname;
        if (e.graphql && (path === '/graphql/realtime' || path === '/graphql')) e.graphql.realtime.handleUpgrade(req, socket, head);
        else socket.destroy();
      });
      server.on('connection', (socket: Socket) => {
        e.sockets.add(socket);
        socket.on('close', () => e.sockets.delete(socket));
      });
    } catch (err) {
      // Nothing may keep the process alive once the start failed.
      if (emulator) await emulator.stop();
      else server.close();
      throw err;
    }
    return emulator;
  }

  /** The `amplify_outputs.json` content for this endpoint. */
  outputs(): Record<string, unknown> {
    const groups = [...new Set(this.model.models.flatMap((m) => [...m.rules, ...m.fields.flatMap((f) => f.rules ?? [])]).flatMap((r) => (r.kind === 'staticGroup' && r.provider === 'userPools' ? r.groups : [])))];
    const outputs = amplifyOutputs(this.model, {
      ...(this.graphql ? { url: this.url } : {}),
      region: this.region,
      ...(this.apiKey ? { apiKey: this.apiKey } : {}),
      ...(this.userPool ? { userPool: { poolId: this.userPool.poolId, clientId: this.userPool.clientId } } : {}),
      ...(this.identityPool ? { identityPoolId: this.identityPool.poolId } : {}),
      groups: this.model.storage?.groupPrecedence.length ? [...new Set([...this.model.storage.groupPrecedence, ...groups])] : groups,
      ...(this.s3 ? { storage: storageOutputs(this.model.storage!, this.s3, this.region) } : {}),
    });
    const rest = this.restEndpoints();
    // What Amplify's REST guide has backend.ts add: custom.API[name] = { endpoint, region, apiName }.
    return rest.length ? { ...outputs, custom: { API: Object.fromEntries(rest.map((r) => [r.name, { endpoint: r.endpoint, region: r.region, apiName: r.name }])) } } : outputs;
  }

  /** Empties every table and bucket. */
  reset(): void {
    this.store.reset();
    this.s3?.store.reset();
    this.gateway?.reset();
  }

  /** The role the identity pool gives members of a group (the first of their groups by precedence). */
  private groupRoleName(group: string): string {
    return this.identityPool?.options.roles.find((r) => r.id === `group:${group}`)?.name ?? roleName(`group:${group}`);
  }

  /** The ARN of the role the identity pool gives a group's members (what Cognito's ListGroups names as its `RoleArn`). */
  groupRoleArn(group: string): string | undefined {
    const role = this.identityPool?.options.roles.find((r) => r.id === `group:${group}`);
    return role && this.identityPool!.roleArn(role);
  }

  /** Where IAM's reads of the identity pool's roles are served (the SDK's `endpoint`), when there is an identity pool. */
  iamEndpoint(): string | undefined {
    return this.iamApi ? `${this.url.replace(/\/graphql$/, '')}${IAM_API_PATH}` : undefined;
  }

  /** Where the read operations of API Gateway's control plane are served (the SDK's `endpoint`), when the app has REST APIs. */
  restControlPlane(): string | undefined {
    return this.model.rest ? `${this.url.replace(/\/graphql$/, '')}${CONTROL_PLANE_PREFIX.slice(0, -1)}` : undefined;
  }

  /** Each REST API's invoke URL (`…/restapis/{id}/{stage}/`, with the trailing slash CDK's RestApi.url has). */
  restEndpoints(): { name: string; endpoint: string; region: string }[] {
    const base = this.url.replace(/\/graphql$/, '');
    const rest = this.model.rest;
    if (!rest) return [];
    return [
      ...rest.apis.map((a) => ({ name: a.name, endpoint: `${base}${ApiGateway.PREFIX}${a.id}/${a.stage}/`, region: rest.region })),
      ...rest.httpApis.map((a) => ({ name: a.name, endpoint: `${base}${HttpApiGateway.pathOf(a)}`, region: rest.region })),
    ];
  }

  /** Values of the enabled API keys in a usage plan of the API's stage. */
  private restApiKeyValues(apiName: string): string[] {
    const api = this.model.rest?.apis.find((a) => a.name === apiName);
    return (api?.apiKeys ?? []).filter((k) => k.enabled && k.stages.includes(api!.stage)).map((k) => k.value ?? this.restApiKeys.get(k.id)!);
  }

  /** The identity services as the gateway uses them: SigV4 for execute-api with the roles' policies, user-pool tokens. */
  private gatewayIdentity(rest: NonNullable<AuthModel['rest']>) {
    const compiled = compileRolePolicies(rest);
    const byRole = new Map([
      [this.identityPool?.options.authRole.name, compiled.authenticated],
      [this.identityPool?.options.unauthRole.name, compiled.unauthenticated],
      ...[...compiled.groups].map(([g, p]) => [this.groupRoleName(g), p] as const),
    ]);
    return {
      appClientIds: this.creds.userPools.map((p) => p.clientId).filter(Boolean),
      verifySignature: async (req: SigV4Request): Promise<SignedCaller> => {
        if (!this.identityPool) throw new GatewayRefusal(gatewayErrors.unrecognizedClient('The security token included in the request is invalid.'));
        const verified = await this.identityPool.verify(req, { name: 'execute-api' });
        if (!verified.ok) throw new GatewayRefusal(signatureRefusal(verified.failure));
        const { principal } = verified.principal;
        const role = principal.userArn.split('/')[1];
        const policies = principal.cognitoIdentityPoolId ? byRole.get(role) ?? [] : 'all';
        return {
          userArn: principal.userArn,
          accessKey: verified.accessKeyId,
          policies,
          cognitoIdentityId: principal.cognitoIdentityId,
          cognitoIdentityPoolId: principal.cognitoIdentityPoolId,
          cognitoAuthenticationType: principal.cognitoIdentityAuthType,
          cognitoAuthenticationProvider: principal.cognitoIdentityAuthProvider,
          context: verified.principal.context,
        };
      },
      verifyUserPoolToken: async (token: string, pools: string[]) => {
        const pool = pools.includes('app') ? this.creds.userPools.find((p) => p.issuer === unverifiedIssuer(token)) : undefined;
        if (!pool) throw new GatewayRefusal(gatewayErrors.unauthorized());
        try {
          return await pool.verify(token);
        } catch (e) {
          if (e instanceof AuthFailure && e.message === TOKEN_EXPIRED) throw new GatewayRefusal(gatewayErrors.unauthorized('The incoming token has expired'));
          throw new GatewayRefusal(gatewayErrors.unauthorized());
        }
      },
    };
  }

  async stop(): Promise<void> {
    this.graphql?.realtime.close();
    await this.s3?.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Runs one GraphQL request as if it arrived over HTTP with these headers (the realtime layer uses it too). */
  request(body: GraphQLBody, headers: Record<string, string>, path = '/graphql', sourceIp = '127.0.0.1'): Promise<HttpAnswer> {
    return this.requestRaw(body, JSON.stringify(body), headers, path, sourceIp);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    if (this.graphql && path === '/graphql') {
      this.stats.requests++;
      if (req.method === 'OPTIONS') return preflight(req, res);
      if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ errorType: 'MethodNotAllowed', message: 'Use POST' }] });
      const raw = await readBody(req, this.limits.requestBytes);
      if (raw === undefined) return this.tooLarge(res);
      const body = graphQLBody(raw);
      if (typeof body === 'string') return sendError(res, 400, MALFORMED, body);
      // The signature covers the exact body the client sent.
      const headers = flatHeaders(req);
      const out = await this.requestRaw(body, raw, headers, path, req.socket.remoteAddress ?? '127.0.0.1');
      return sendJson(res, out.status, out.body, out.headers);
    }
    if (this.userPool && path === `/${this.userPool.poolId}/.well-known/jwks.json`) return sendJson(res, 200, await this.userPoolJwks());
    if (this.userPool && path === `/${this.userPool.poolId}/.well-known/openid-configuration`) {
      return sendJson(res, 200, { issuer: this.userPool.issuer, jwks_uri: `${this.userPool.issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (this.userPool && this.appClients.length && path === TOKEN_PATH && req.method === 'POST') {
      const raw = await readBody(req, this.limits.requestBytes);
      if (raw === undefined) return this.tooLarge(res);
      const out = await tokenRequest(this.userPool, this.appClients, flatHeaders(req), raw);
      return sendJson(res, out.status, out.body, { 'cache-control': 'no-store' });
    }
    if (path.startsWith('/.authmatrix/')) return this.devEndpoint(req, res, path);
    if (this.identityApi && (path === IDENTITY_API_PATH || path === `${IDENTITY_API_PATH}/`)) return this.identityRequest(req, res, this.identityApi);
    if (this.iamApi && (path === IAM_API_PATH || path === `${IAM_API_PATH}/`)) return this.iamRequest(req, res, this.iamApi);
    if (this.model.rest && path.startsWith(CONTROL_PLANE_PREFIX)) return this.controlPlaneRequest(req, res, this.model.rest);
    if (this.gateway && (path.startsWith(ApiGateway.PREFIX) || path.startsWith(HttpApiGateway.PREFIX))) {
      const gateway = path.startsWith(ApiGateway.PREFIX) ? this.gateway : this.gateway.httpApis;
      const out = await gateway.handle({
        method: req.method ?? 'GET', url: req.url ?? '/', host: req.headers.host ?? `${this.host}:${this.port}`,
        headers: flatHeaders(req), body: await readBody(req, ApiGateway.PAYLOAD_LIMIT), sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      });
      res.writeHead(out.status, out.headers);
      return void res.end(req.method === 'HEAD' ? undefined : out.body);
    }
    return sendJson(res, 404, { errors: [{ errorType: 'NotFound', message: `No route ${req.method} ${path}` }] });
  }

  /** With the raw body the client sent: a SigV4 signature covers those exact bytes. */
  private async requestRaw(body: GraphQLBody, raw: string, headers: Record<string, string>, path: string, sourceIp: string): Promise<HttpAnswer> {
    const graphql = this.api();
    const requestId = randomUUID();
    const responseHeaders = appSyncHeaders(requestId);
    let auth;
    try {
      auth = await authenticate({
        headers, method: 'POST', host: headers.host ?? `${this.host}:${this.port}`, path, body: raw, sourceIp,
        query: body.query, ...(body.operationName ? { operationName: body.operationName } : {}), variables: body.variables ?? {}, requestId,
      }, this.creds);
      if (graphql.engine.iamRefusal(body, auth)) throw unauthorized(PERMISSION_DENIED);
    } catch (e) {
      if (!(e instanceof AuthFailure)) throw e;
      return { status: e.status, headers: { ...responseHeaders, 'x-amzn-ErrorType': e.errorType }, body: { errors: [{ errorType: e.errorType, message: e.message }] } };
    }
    const ctx: RequestContext = { auth, env: { auth, iam: this.iamStash, params: this.model.params }, requestId, headers, published: [] };
    const result = await graphql.engine.execute(body, ctx);
    if (ctx.published.length) graphql.realtime.publish(ctx.published, result.data);
    return { status: 200, headers: responseHeaders, body: result };
  }

  /** API Gateway's control plane: SigV4 for `apigateway` verified and the caller's policies asked, then the read answered. */
  private async controlPlaneRequest(req: IncomingMessage, res: ServerResponse, rest: NonNullable<AuthModel['rest']>): Promise<void> {
    const send = (out: { status: number; body: unknown; errorType?: string }) =>
      sendJson(res, out.status, out.body, { 'x-amzn-requestid': randomUUID(), ...(out.errorType ? { 'x-amzn-errortype': out.errorType } : {}) });
    const raw = await readBody(req, this.limits.requestBytes);
    if (raw === undefined) return send({ status: 413, errorType: 'RequestTooLargeException', body: { message: 'Request Too Long' } });
    const method = req.method ?? 'GET';
    const below = new URL((req.url ?? '/').slice(CONTROL_PLANE_PREFIX.length - 1), 'http://control-plane');
    const verified = this.identityPool
      ? await this.identityPool.verify(this.signedRequest(req, raw), { name: 'apigateway' })
      : { ok: false as const, failure: req.headers.authorization ? { kind: 'unknownKey' as const, message: 'The security token included in the request is invalid.' } : { kind: 'missing' as const, message: '' } };
    const refused = controlPlaneAccess(verified, method, below.pathname, this.region);
    if (refused) return send(refused);
    if (below.pathname.startsWith('/v2/')) {
      // A trusted external pool (trustUserPool) is the deployed app's own: its issuer and client are what `app` stands for.
      const app = this.creds.userPools.at(-1);
      const base = this.url.replace(/\/graphql$/, '');
      return send(httpControlPlane({
        section: rest, endpointOf: (a) => `${base}${HttpApiGateway.PREFIX}${a.id}`, ...(app ? { appUserPool: { issuer: app.issuer, clientId: app.clientId } } : {}),
      }, method, below));
    }
    send(controlPlane({
      section: rest, keyValue: (id) => this.restApiKeys.get(id),
      userPoolArns: this.creds.userPools.map((p) => `arn:aws:cognito-idp:${rest.region}:${rest.account}:userpool/${p.poolId}`),
    }, method, below));
  }

  /** Where the Cognito Identity API is served (the SDK's `endpoint`), when there is an identity pool. */
  cognitoIdentityEndpoint(): string | undefined {
    return this.identityApi ? `${this.url.replace(/\/graphql$/, '')}${IDENTITY_API_PATH}` : undefined;
  }

  /** A request as its SigV4 signature covers it. */
  private signedRequest(req: IncomingMessage, raw: string): SigV4Request {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const headers = flatHeaders(req);
    return { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), headers: { ...headers, host: headers.host ?? `${this.host}:${this.port}` }, body: raw };
  }

  /** IAM's Query protocol: `POST` of a form, SigV4 for `iam` in us-east-1, XML answers. */
  private async iamRequest(req: IncomingMessage, res: ServerResponse, api: IamApi): Promise<void> {
    const send = (out: { status: number; body: string }) => void res.writeHead(out.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }).end(out.body);
    if (req.method !== 'POST') return send({ status: 405, body: '' });
    const raw = await readBody(req, IAM_API_BODY_LIMIT);
    if (raw === undefined) return send({ status: 413, body: '' });
    send(api.handle(raw, await this.identityPool!.verify(this.signedRequest(req, raw), { name: 'iam', region: IAM_SIGNING_REGION })));
  }

  private async identityRequest(req: IncomingMessage, res: ServerResponse, api: IdentityApi): Promise<void> {
    const headers = { 'content-type': IDENTITY_API_CONTENT_TYPE, 'x-amzn-requestid': randomUUID() };
    const send = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, typeof body.__type === 'string' ? { ...headers, 'x-amzn-errortype': body.__type } : headers).end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return send(405, { __type: 'UnknownOperationException', message: 'Use POST.' });
    const raw = await readBody(req, IDENTITY_API_BODY_LIMIT);
    if (raw === undefined) return send(413, { __type: 'SerializationException', message: `Request body exceeds ${IDENTITY_API_BODY_LIMIT} bytes.` });
    const out = await api.handle(req.headers['x-amz-target'] as string | undefined, raw, this.signedRequest(req, raw));
    send(out.status, out.body);
  }

  private userPoolJwks(): Promise<unknown> {
    return this.keys.userPool.jwks();
  }

  private tooLarge(res: ServerResponse): void {
    sendError(res, 413, 'PayloadTooLargeException', `Request body exceeds the maximum size of ${this.limits.requestBytes} bytes.`);
  }

  private async devEndpoint(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!this.devEndpoints) {
      return sendJson(res, 403, { error: `the /.authmatrix/ endpoints are only served on loopback; this emulator listens on ${this.host}` });
    }
    const refused = fromWebPage(req);
    if (refused) return sendJson(res, refused.status, { error: refused.error });
    if (path === '/.authmatrix/' && req.method === 'GET') return sendJson(res, 200, this.describe());
    if (path === '/.authmatrix/reset' && req.method === 'POST') {
      this.reset();
      return sendJson(res, 200, { reset: true });
    }
    if (path === '/.authmatrix/credentials' && req.method === 'POST') {
      const raw = await readBody(req, this.limits.requestBytes);
      if (raw === undefined) return this.tooLarge(res);
      let spec: Record<string, unknown>;
      try {
        spec = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { error: 'the body must be JSON: {"kind": "userPool", "username": "alice", "groups": ["Admin"]}' });
      }
      try {
        return sendJson(res, 200, await this.mint(spec));
      } catch (e) {
        return sendJson(res, 400, { error: (e as Error).message });
      }
    }
    if (this.oidc && path === '/.authmatrix/oidc/jwks.json') return sendJson(res, 200, await this.keys.oidc.jwks());
    return sendJson(res, 404, { error: `no developer endpoint ${req.method} ${path}; see GET /.authmatrix/` });
  }

  private describe(): Record<string, unknown> {
    return {
      ...(this.graphql ? { graphql: this.url, realtime: this.realtimeUrl } : {}),
      region: this.region,
      ...(this.graphql ? { authModes: this.model.authModes.enabled, defaultAuthMode: this.model.authModes.default } : {}),
      ...(this.apiKey ? { apiKey: this.apiKey } : {}),
      ...(this.userPool ? { userPool: {
        poolId: this.userPool.poolId, clientId: this.userPool.clientId, issuer: this.userPool.issuer, jwks: `${this.userPool.issuer}/.well-known/jwks.json`,
        // Served on loopback only, as every developer endpoint: a test's stand-in for the secrets a deployed pool keeps.
        ...(this.appClients.length ? { tokenEndpoint: `${this.url.replace(/\/graphql$/, '')}${TOKEN_PATH}`, appClients: this.appClients } : {}),
      } } : {}),
      ...(this.oidc ? { oidc: { issuer: this.oidc.issuer } } : {}),
      ...(this.identityPool ? { identityPool: { id: this.identityPool.poolId, authRole: this.iamStash.authRole, unauthRole: this.iamStash.unauthRole, cognitoIdentityEndpoint: this.cognitoIdentityEndpoint() } } : {}),
      ...(this.gateway ? { rest: { apis: this.restEndpoints().map((r) => ({ ...r, apiKeys: this.restApiKeyValues(r.name) })) } } : {}),
      ...(this.s3 ? { s3: { endpoint: this.s3.endpointHost, buckets: Object.fromEntries(this.s3.bucketNames), caPem: this.s3.caPem } } : {}),
      endpoints: {
        'POST /.authmatrix/credentials': 'mint credentials: {"kind":"userPool","username","groups","claims","expiresInSeconds","authTime","notBefore","issuer","clientId"} | {"kind":"oidc","sub","claims","expiresInSeconds","issuedAt","authTime","notBefore","audience","issuer"} | {"kind":"identityPool","authenticated","username","groups"} | {"kind":"identityPool","idToken"} | {"kind":"iam","roleName","policies"} | {"kind":"function","name"} | {"kind":"apiKey","expiresInDays"} | {"kind":"clientCredentials","client","scope","expiresInSeconds"}',
        'POST /.authmatrix/reset': 'empty every table and bucket',
      },
    };
  }

  private async mint(spec: Record<string, unknown>): Promise<unknown> {
    const str = (k: string) => (typeof spec[k] === 'string' ? (spec[k] as string) : undefined);
    /** `{ [k]: n }` when the spec has the number `k`, else `{}`. */
    const num = (k: string): Record<string, number> => (typeof spec[k] === 'number' ? { [k]: spec[k] as number } : {});
    switch (spec.kind) {
      case 'userPool': {
        const username = str('username');
        if (!username) throw new Error('"username" is required');
        return this.credentials.userPool({
          username,
          ...(Array.isArray(spec.groups) ? { groups: spec.groups as string[] } : {}),
          ...(spec.claims && typeof spec.claims === 'object' ? { claims: spec.claims as Record<string, unknown> } : {}),
          ...(str('email') ? { email: str('email')! } : {}),
          ...num('expiresInSeconds'), ...num('authTime'), ...num('notBefore'),
          ...(str('issuer') ? { issuer: str('issuer')! } : {}),
          ...(str('clientId') ? { clientId: str('clientId')! } : {}),
        });
      }
      case 'oidc': {
        const sub = str('sub');
        if (!sub) throw new Error('"sub" is required');
        return {
          token: await this.credentials.oidc({
            sub,
            ...(spec.claims && typeof spec.claims === 'object' ? { claims: spec.claims as Record<string, unknown> } : {}),
            ...num('expiresInSeconds'), ...num('issuedAt'), ...num('authTime'), ...num('notBefore'),
            ...(str('audience') ? { audience: str('audience')! } : {}),
            ...(str('issuer') ? { issuer: str('issuer')! } : {}),
          }),
        };
      }
      case 'identityPool': {
        const idToken = str('idToken');
        if (idToken !== undefined) {
          // GetId and GetCredentialsForIdentity with a user-pool login: the token is verified, then mapped to a role.
          need(this.userPool, 'user pool');
          return need(this.identityPool, 'IAM').signedIn(await this.identityApi!.verifyLogin(this.loginProvider(), idToken));
        }
        if (spec.authenticated !== true) return this.credentials.identityPool({ authenticated: false });
        return this.credentials.identityPool({
          authenticated: true,
          ...(str('username') ? { username: str('username')! } : {}),
          ...(Array.isArray(spec.groups) ? { groups: spec.groups.filter((g): g is string => typeof g === 'string') } : {}),
        });
      }
      case 'iam': {
        const policies = spec.policies;
        if (policies !== undefined && !Array.isArray(policies)) throw new Error('"policies" must be a list of IAM policy documents');
        return this.credentials.iamRole(str('roleName'), policies as PolicyDocument[] | undefined);
      }
      case 'function': {
        const name = str('name');
        if (!name) throw new Error('"name" is required');
        return this.credentials.functionRole(name);
      }
      case 'apiKey':
        return { apiKey: this.credentials.apiKey(typeof spec.expiresInDays === 'number' ? { expiresInDays: spec.expiresInDays } : {}) };
      case 'clientCredentials': {
        // The grant of /oauth2/token without the client's secret: only a client allowed it, only scopes it is allowed.
        const name = str('client');
        if (!name) throw new Error('"client" is required: the name of an app client allowed the client-credentials grant');
        const client = this.appClients.find((c) => c.name === name);
        if (!client) throw new Error(`unauthorized_client: the user pool has no app client ${name} allowed the client-credentials grant (${this.appClients.map((c) => c.name).join(', ') || 'none'})`);
        const granted = grantedScopes(client, str('scope'));
        if (!granted.ok) throw new Error(`${granted.error}: ${granted.description}`);
        const accessToken = await need(this.userPool, 'user pool').clientToken({ clientId: client.clientId, scopes: granted.scopes }, typeof spec.expiresInSeconds === 'number' ? spec.expiresInSeconds : undefined);
        return { accessToken, clientId: client.clientId };
      }
      default:
        throw new Error('"kind" must be userPool, oidc, identityPool, iam, function, apiKey or clientCredentials');
    }
  }

  /** The login provider name the identity pool knows this user pool by. */
  private loginProvider(): string {
    return `cognito-idp.${this.region}.amazonaws.com/${this.userPool?.poolId ?? 'authmatrix'}`;
  }

  private minter(apiKeys: ApiKeys): CredentialMinter {
    return {
      userPool: (user) => need(this.userPool, 'user pool').mint(user),
      oidc: (user) => need(this.oidc, 'OIDC').mint(user),
      identityPool: (options) => {
        const pool = need(this.identityPool, 'IAM');
        if (!options.authenticated) return pool.guest();
        // The claims the user pool would put in this user's ID token (the identity pool reads the same).
        const username = options.username ?? `user-${randomUUID().slice(0, 8)}`;
        const groups = options.groups ?? [];
        const claims = { sub: this.userPool?.subFor(username) ?? username, 'cognito:username': username, ...(groups.length && this.userPool?.groupRoles ? this.userPool.groupRoles(groups) : {}) };
        return pool.signedIn({ provider: this.loginProvider(), idToken: claims });
      },
      // Its storage grants are looked up by the role's name (harness/emulator/s3/endpoint.ts); it has no other policy.
      functionRole: (name) => need(this.identityPool, 'IAM').assumeRole(emulatedRole(`function:${name}`, functionRole(name), [])),
      iamRole: (roleName = 'authmatrix-admin', policies) =>
        need(this.identityPool, 'IAM').assumeRole(emulatedRole(`persona:${roleName}`, roleName, (policies ?? [ADMINISTRATOR_ACCESS]).map((document, i) => ({ name: `policy${i + 1}`, document })))),
      apiKey: ({ expiresInDays = 7 } = {}) => (need(this.apiKey, 'API key'), apiKeys.create(expiresInDays)),
    };
  }
}

/** The IAM role name the emulator gives a function's execution role (groups: groupRoleName). */
const functionRole = (name: string): string => `authmatrix-function-${name}`;

function need<T>(v: T | undefined, mode: string): T {
  if (!v) throw new InputError(`this API has no ${mode} authorization mode`, undefined, `enable ${mode} in the schema's authorization modes`);
  return v;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: GraphQLResponse | { errors: { errorType: string; message: string }[] };
}

/**
 * The auth resources with a role for each group REST's or storage's rules name: groups the auth section
 * does not know (placed after the known ones, in their sections' order) and known groups without a role
 * (a Gen 1 app whose API has no identity pool, while its storage does), so that the identity pool maps
 * their members to that role as Amplify does.
 */
function withSectionGroups(model: AuthModel): AuthResources | undefined {
  const resources = model.authResources;
  const named = new Set(groupPrecedence(model));
  const groups = resources?.userPool?.groups ?? [];
  const roleless = groups.filter((g) => named.has(g.name) && !g.role).map((g) => g.name);
  const missing = [...named].filter((name) => !groups.some((g) => g.name === name));
  if (!roleless.length && !missing.length) return resources;
  const after = Math.max(-1, ...groups.map((g) => g.precedence ?? -1)) + 1;
  const roles = resources?.roles.length ? resources.roles : [{ id: 'unauth' as const, policies: [] }, { id: 'auth' as const, policies: [] }];
  return {
    ...resources,
    userPool: {
      groups: [
        ...groups.map((g): UserPoolGroup => (roleless.includes(g.name) ? { ...g, role: `group:${g.name}` } : g)),
        ...missing.map((name, i): UserPoolGroup => ({ name, precedence: after + i, role: `group:${name}` })),
      ],
    },
    roles: [...roles, ...[...roleless, ...missing].map((name): IamRole => ({ id: `group:${name}`, policies: [] }))],
  };
}

/**
 * The identity pool's roles as IAM shows them: each role's own policies (Amplify's generated ones, those of
 * auth-resources) inline, and the REST section's documents for it as customer-managed policies attached to it
 * (the section does not say how backend.ts attached them; serving them as managed makes both kinds readable).
 */
function servedRoles(roles: ReturnType<typeof identityPoolRoles>, rest: RolePolicies | undefined): ServedRole[] {
  const served = (role: EmulatedRole, docs: readonly PolicyDocument[] = []): ServedRole => ({
    name: role.name, inline: role.documents, managed: docs.map((document, i) => ({ name: `${role.name}-api-${i + 1}`, document })),
  });
  return [
    served(roles.auth, rest?.authenticated),
    served(roles.unauth, rest?.unauthenticated),
    ...roles.groups.map((r) => served(r, rest?.groups[r.id.slice('group:'.length)])),
  ];
}

/**
 * The user-pool groups in precedence order, as the identity pool's role mapping sees them: one pool, so REST's
 * role policies and storage's rules name the same groups (each section's order, REST's first, then any group
 * only storage names).
 */
function groupPrecedence(model: AuthModel): string[] {
  return [...new Set([...(model.rest?.rolePolicies.groupPrecedence ?? []), ...(model.storage?.groupPrecedence ?? [])])];
}

export function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  return Emulator.start(options);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') reject(new InputError(`port ${port} on ${host} is already in use`, undefined, 'choose another --port, or stop what is listening there'));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new InputError(`cannot listen on ${host}`, undefined, 'use --host 127.0.0.1 or an address of this machine'));
      else if (e.code === 'EACCES') reject(new InputError(`no permission to listen on ${host}:${port}`, undefined, 'use a port above 1024'));
      else reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/**
 * The body as text, or undefined when it is larger than `limit`: the rest is then read and dropped (up
 * to DRAIN_BYTES) so that the client, still sending, reads the 413 instead of a reset connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length']) > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
      else if (size > DRAIN_BYTES) {
        req.destroy();
        resolve(undefined);
      }
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The request as AppSync reads it, or the message of its 400 (https://github.com/graphql/graphql-over-http/issues/81). */
function graphQLBody(raw: string): GraphQLBody | string {
  if (raw === '') return 'Request body is empty.';
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return UNPARSABLE;
  }
  if (!isObject(body)) return UNPARSABLE;
  const { query, variables, operationName } = body;
  if (typeof query !== 'string') return UNPARSABLE;
  if (variables !== undefined && variables !== null && !isObject(variables)) return UNPARSABLE;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return UNPARSABLE;
  return body as unknown as GraphQLBody;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** AppSync's answer to a preflight: any origin, the exposed headers, a two-day max-age; the asked-for headers allowed. */
function preflight(req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = { ...appSyncHeaders(randomUUID()), 'access-control-max-age': '172800' };
  const asked = req.headers['access-control-request-headers'];
  if (asked) headers['access-control-allow-headers'] = asked;
  res.writeHead(200, headers).end();
}

/**
 * Why a developer-endpoint request may come from a web page (a DNS-rebinding Host, a foreign Origin,
 * a body a page can send without a preflight, a preflight itself), or undefined.
 */
function fromWebPage(req: IncomingMessage): { status: number; error: string } | undefined {
  const host = req.headers.host ?? '';
  if (!isLoopbackHost(host)) return { status: 403, error: `the /.authmatrix/ endpoints answer only requests addressed to a loopback host name, not "${host}"` };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, error: `the /.authmatrix/ endpoints do not answer web pages (Origin ${origin})` };
  if (req.method === 'OPTIONS') return { status: 405, error: 'the /.authmatrix/ endpoints answer no preflight' };
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.method === 'POST' && type !== 'application/json') return { status: 415, error: 'send the body as application/json' };
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  try {
    return LOOPBACK.has(new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

function appSyncHeaders(requestId: string): Record<string, string> {
  return {
    'x-amzn-RequestId': requestId,
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-user-agent,x-amzn-ErrorMessage,Date,x-amz-schema-version',
  };
}

/** An error answered before any GraphQL runs, as AppSync sends it: errorType in the body and in `x-amzn-ErrorType`. */
function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(res, status, { errors: [{ errorType, message }] }, { ...appSyncHeaders(randomUUID()), 'x-amzn-ErrorType': errorType });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = status >= 400 && 'errors' in (body as object) ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(text);
}
