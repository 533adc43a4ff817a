/**
 * What each persona presents to REST APIs, as aws-amplify would have it: identity-pool credentials
 * (guests, signed-in users with their group's role, IAM principals) that the client signs with, the
 * user's ID and access tokens for Authorization headers, API key values. Deployed API keys are read
 * with the API Gateway SDK (GetApiKey with its value).
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { AwsCredentials } from '../../harness/client/sigv4.js';
import type { AuthmatrixConfig } from '../../harness/config.js';
import type { Persona } from '../../harness/matrix/cast.js';
import type { RestApi } from '../../harness/schema/rest/model.js';
import type { ProvisionContext, ProvisionedPersona, RestAuth } from '../types.js';
import { apiGateway, apiGatewayV2, cognitoIdentity } from './aws-sdk.js';
import { setupError, type DeployedTarget } from './deployed.js';
import { mint } from './emulated.js';

/** The REST credentials of a persona just provisioned (undefined when the app has no REST API). */
export async function restAuthFor(p: Persona, done: ProvisionedPersona, ctx: ProvisionContext): Promise<RestAuth | undefined> {
  if ((!ctx.model.rest?.apis.length && !ctx.model.rest?.httpApis.length) || done.rest) return done.rest;
  if (done.auth.mode === 'iam') {
    const id = done.aws?.identityId;
    return { credentials: done.auth.credentials, ...(id ? { identityId: async () => id } : {}) };
  }
  const tokens = done.tokens;
  if (!tokens) return undefined;
  const idToken = async () => (await tokens()).idToken;
  const accessToken = async () => (await tokens()).accessToken;
  // Without an identity pool (in the model, or in a deployed app's outputs) aws-amplify has nothing to sign with.
  if (!ctx.model.authModes.identityPool || (ctx.target.kind === 'deployed' && !ctx.target.identityPool)) return { idToken, accessToken };
  if (ctx.target.kind === 'emulated') {
    const { identityId, ...credentials } = await mint<AwsCredentials & { identityId: string }>(ctx.target, { kind: 'identityPool', authenticated: true, username: p.username ?? p.name, ...(p.groups?.length ? { groups: p.groups } : {}) });
    return { credentials, identityId: async () => identityId, idToken, accessToken };
  }
  return { ...signedInCredentials(ctx.target, p, idToken), idToken, accessToken };
}

/** Identity-pool credentials of a signed-in user: the pool's role mapping picks the role (a group's, by precedence). */
function signedInCredentials(target: DeployedTarget, p: Persona, idToken: () => Promise<string>): Required<Pick<RestAuth, 'identityId'>> & { credentials: () => Promise<AwsCredentials> } {
  const pool = target.identityPool!;
  const provider = `cognito-idp.${target.userPool!.region}.amazonaws.com/${target.userPool!.poolId}`;
  let identity: Promise<string> | undefined;
  let current: { credentials: AwsCredentials; expires: number } | undefined;
  const failed = (e: unknown) => setupError(e, `getting identity-pool credentials for ${p.name}`, target);
  const identityId = () => (identity ??= (async () => {
    const [client, { GetIdCommand }] = await Promise.all([target.identity(), cognitoIdentity()]);
    return (await client.send(new GetIdCommand({ IdentityPoolId: pool.id, Logins: { [provider]: await idToken() } }))).IdentityId!;
  })().catch((e: unknown) => {
    identity = undefined;
    throw failed(e);
  }));
  const credentials = async () => {
    if (current && Date.now() < current.expires - 5 * 60_000) return current.credentials;
    const id = await identityId();
    try {
      const Logins = { [provider]: await idToken() };
      const [client, { GetCredentialsForIdentityCommand }] = await Promise.all([target.identity(), cognitoIdentity()]);
      const c = (await client.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins }))).Credentials!;
      current = { credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}) }, expires: c.Expiration?.getTime() ?? Infinity };
      return current.credentials;
    } catch (e) {
      throw failed(e);
    }
  };
  return { credentials, identityId };
}

/** An API Gateway client for the region, or for `deployed.endpoints.apiGateway` (a local control plane such as the emulator's). */
export async function apiGatewayClient(region: string, config: AuthmatrixConfig): Promise<APIGatewayClient> {
  const { APIGatewayClient } = await apiGateway();
  const endpoint = config.deployed?.endpoints?.apiGateway;
  return new APIGatewayClient({ region, maxAttempts: 2, ...(endpoint ? { endpoint } : {}) });
}

/** An API Gateway v2 client (HTTP APIs) for the region, or for `deployed.endpoints.apiGateway` (v1 and v2 share the endpoint). */
export async function apiGatewayV2Client(region: string, config: AuthmatrixConfig): Promise<ApiGatewayV2Client> {
  const { ApiGatewayV2Client } = await apiGatewayV2();
  const endpoint = config.deployed?.endpoints?.apiGateway;
  return new ApiGatewayV2Client({ region, maxAttempts: 2, ...(endpoint ? { endpoint } : {}) });
}

/** The value of one enabled key per API, read from API Gateway (needs apigateway:GET on the keys). */
export async function deployedApiKeys(target: DeployedTarget, apis: RestApi[]): Promise<Record<string, string>> {
  const { GetApiKeyCommand } = await apiGateway();
  const client = await apiGatewayClient(target.region, target.config);
  const out: Record<string, string> = {};
  try {
    for (const api of apis) {
      const key = api.apiKeys.find((k) => k.enabled && k.stages.includes(api.stage));
      if (!key) continue;
      const value = key.value ?? (await client.send(new GetApiKeyCommand({ apiKey: key.id, includeValue: true }))).value;
      if (value) out[api.name] = value;
    }
  } catch (e) {
    throw setupError(e, 'reading the REST APIs\' API keys', target);
  } finally {
    client.destroy();
  }
  return out;
}
