/**
 * A deployed run tests the REST and HTTP APIs as they are deployed. Each API of the definition (backend.ts) is
 * found from its `custom.API` endpoint in amplify_outputs.json (the id an execute-api URL names, else
 * GetRestApis / GetApis by the API's name: a custom domain, a local endpoint), read with the API Gateway SDK
 * (v1 for REST APIs, harness/schema/rest/from-sdk.ts; v2 for HTTP APIs, http-from-sdk.ts) and merged with the
 * definition. Every difference is drift: the run logs it and keeps it in the model's caveats, so that the
 * reports say what was tested instead of backend.ts. An HTTP API that cannot be read is tested as defined,
 * with a caveat saying why. The identity pool's roles are read as deployed too (deployed-roles.ts), their
 * policies naming the deployed APIs by the ids found here.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { AuthmatrixConfig } from '../config.js';
import type { Cell } from '../matrix/cells.js';
import type { ProvisionedPersona } from '../../personas/index.js';
import { InputError } from '../schema/errors.js';
import type { AuthModel } from '../schema/model.js';
import { executeApiUrl, mergeDeployed, readDeployedApi, restApiIdsNamed, restDrift } from '../schema/rest/from-sdk.js';
import { httpApiIdsNamed, httpDrift, mergeDeployedHttp, readDeployedHttpApi } from '../schema/rest/http-from-sdk.js';
import type { HttpApi, RestApi } from '../schema/rest/model.js';
import { readOutputs, restApisOf } from '../../personas/shared/deployed.js';
import { apiGatewayClient, apiGatewayV2Client } from '../../personas/shared/rest.js';
import { deployedRolePolicies } from './deployed-roles.js';

/** How a drift line reads among the model's caveats. */
const DRIFT = {
  'REST API': 'the deployed REST API differs from backend.ts (the deployed one is tested): ',
  'HTTP API': 'the deployed HTTP API differs from backend.ts (the deployed one is tested): ',
  role: 'the deployed role differs from backend.ts (the deployed one is tested): ',
};
type Kind = Exclude<keyof typeof DRIFT, 'role'>;

export interface DeployedRest {
  /** The model with each REST and HTTP API as deployed. */
  model: AuthModel;
  /** Where each API was read from (`REST API myRestApi: a1b2c3d4e5 in us-east-1`). */
  read: string[];
  /** Where each role's policies were read from (`the authenticated role: amplify-…-authRole, 2 policies`). */
  rolesRead: string[];
  drift: string[];
}

export async function withDeployedRest(model: AuthModel, outputsFile: string, config: AuthmatrixConfig): Promise<DeployedRest> {
  const section = model.rest;
  if (!section?.apis.length && !section?.httpApis.length) return { model, read: [], rolesRead: [], drift: [] };
  const outputs = readOutputs(outputsFile);
  const endpoints = restApisOf(outputs.custom, outputs.data?.aws_region ?? section.region);
  const userPoolId = outputs.auth?.user_pool_id;
  // One client per SDK and region.
  const v1 = new Map<string, Promise<APIGatewayClient>>();
  const v2 = new Map<string, Promise<ApiGatewayV2Client>>();
  const clientFor = <C>(clients: Map<string, Promise<C>>, region: string, make: (region: string, config: AuthmatrixConfig) => Promise<C>): Promise<C> =>
    clients.get(region) ?? clients.set(region, make(region, config)).get(region)!;
  const read: string[] = [];
  const drift: string[] = [];
  const caveats: string[] = [];
  // Each deployed API's id, with the model's id for it: the roles' policies name the deployed ones.
  const deployedIds = new Map<string, { id: string; region: string }>();
  const drifted = (kind: keyof typeof DRIFT, lines: string[]) => {
    drift.push(...lines);
    caveats.push(...lines.map((d) => `${DRIFT[kind]}${d}`));
  };
  const apis: RestApi[] = [];
  const httpApis: HttpApi[] = [];
  try {
    for (const api of section.apis) {
      const found = await locate('REST API', api, endpoints[api.name], async (region) => {
        const client = await clientFor(v1, region, apiGatewayClient);
        return { client, ids: () => restApiIdsNamed(client, api.name), operation: 'GetRestApis' };
      });
      drifted('REST API', found.drift);
      if (!('id' in found)) {
        apis.push(api);
        continue;
      }
      const deployed = await readDeployedApi(found.client, found.id, section.functions, api.stage).catch((e: unknown) => {
        throw readError(e, `reading the deployed REST API ${api.name} (${found.id} in ${found.region})`);
      });
      read.push(`REST API ${api.name}: ${found.id} in ${found.region}`);
      deployedIds.set(found.id, { id: api.id, region: found.region });
      drifted('REST API', restDrift(api, deployed));
      apis.push(mergeDeployed(api, deployed, userPoolId));
    }
    for (const api of section.httpApis) {
      try {
        const found = await locate('HTTP API', api, endpoints[api.name], async (region) => {
          const client = await clientFor(v2, region, apiGatewayV2Client);
          return { client, ids: () => httpApiIdsNamed(client, api.name), operation: 'GetApis' };
        });
        drifted('HTTP API', found.drift);
        if (!('id' in found)) {
          httpApis.push(api);
          continue;
        }
        const deployed = await readDeployedHttpApi(found.client, found.id, api.name, api.stage, {
          functions: section.functions, ...(userPoolId ? { userPoolId } : {}), ...(outputs.auth?.user_pool_client_id ? { userPoolClientId: outputs.auth.user_pool_client_id } : {}),
        }).catch((e: unknown) => {
          throw readError(e, `reading the deployed HTTP API ${api.name} (${found.id} in ${found.region})`);
        });
        read.push(`HTTP API ${api.name}: ${found.id} in ${found.region}`);
        deployedIds.set(found.id, { id: api.id, region: found.region });
        drifted('HTTP API', httpDrift(api, deployed));
        httpApis.push(mergeDeployedHttp(api, deployed));
      } catch (e) {
        // Unlike a REST API (whose API keys the personas need), an HTTP API can still be tested as defined.
        if (!(e instanceof InputError)) throw e;
        caveats.push(`HTTP API ${api.name} is tested as backend.ts defines it: its deployed routes could not be read (${e.message})`);
        httpApis.push(api);
      }
    }
  } finally {
    for (const c of [...v1.values(), ...v2.values()]) void c.then((client) => client.destroy());
  }
  const auth = outputs.auth;
  const roles = await deployedRolePolicies({ ...section, apis, httpApis }, {
    ...(auth?.identity_pool_id ? { identityPoolId: auth.identity_pool_id } : {}),
    ...(userPoolId ? { userPoolId } : {}),
    region: auth?.aws_region ?? section.region,
    apis: deployedIds,
  }, config);
  drifted('role', roles.drift);
  caveats.push(...roles.caveats);
  const all = [...(model.caveats ?? []), ...caveats];
  return { model: { ...model, rest: { ...section, apis, httpApis, rolePolicies: roles.rolePolicies }, ...(all.length ? { caveats: all } : {}) }, read, rolesRead: roles.read, drift };
}

/**
 * Where an API of the definition is deployed: the id its `custom.API` endpoint names, else the one API of its
 * name (none: drift, the definition is tested; several: refused).
 */
async function locate<C>(
  kind: Kind, api: { name: string; stage: string }, entry: { endpoint: string; region: string } | undefined,
  named: (region: string) => Promise<{ client: C; ids: () => Promise<string[]>; operation: string }>,
): Promise<{ drift: string[] } | { drift: string[]; id: string; region: string; client: C }> {
  if (!entry) return { drift: [`${api.name} is defined in backend.ts, but amplify_outputs.json (custom.API) names no endpoint for it`] };
  const url = executeApiUrl(entry.endpoint);
  const region = url?.region ?? entry.region;
  const { client, ids, operation } = await named(region);
  const id = url?.id ?? (await onlyApiNamed(kind, api.name, region, entry.endpoint, ids, operation));
  if (!id) return { drift: [`${api.name}: no ${kind} of that name is deployed in ${region}; its definition in backend.ts is tested`] };
  return { id, region, client, drift: url && url.stage !== api.stage ? [`${api.name}: custom.API's endpoint is stage ${url.stage}, backend.ts deploys stage ${api.stage}`] : [] };
}

/** The one API of that name; undefined when there is none, refused when several share it. */
async function onlyApiNamed(kind: Kind, name: string, region: string, endpoint: string, named: () => Promise<string[]>, operation: string): Promise<string | undefined> {
  const ids = await named().catch((e: unknown) => {
    throw readError(e, `finding the deployed ${kind} ${name} in ${region} (${operation})`);
  });
  if (ids.length > 1) {
    throw new InputError(`${ids.length} ${kind}s are named ${name} in ${region} (${ids.join(', ')}), and custom.API's endpoint ${endpoint} does not say which`, undefined,
      'write the API\'s execute-api URL (RestApi.url, HttpApi.url) in custom.API, which names its id');
  }
  return ids[0];
}

/** One line for the errors reading API Gateway produces. */
function readError(e: unknown, what: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as Error & { code?: string };
  const message = String(err?.message ?? e).split('\n')[0] ?? '';
  if (err?.name === 'CredentialsProviderError') return new InputError(`${what}: no AWS credentials`, undefined, 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
  if (err?.name === 'AccessDeniedException' || err?.name === 'UnauthorizedException') {
    return new InputError(`${what}: not allowed (${message})`, undefined, 'use credentials allowed apigateway:GET on the API (and on a REST API\'s API keys and usage plans)');
  }
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND') return new InputError(`${what}: cannot reach API Gateway (${message})`, undefined, 'check the network, the region, and deployed.endpoints.apiGateway in authmatrix.config.ts');
  return new InputError(`${what}: ${err?.name ? `${err.name}: ` : ''}${message}`, undefined, 'fix what the AWS error names');
}

/**
 * The signed REST cells of personas that got no AWS credentials (the deployed app's outputs name no
 * identity pool): aws-amplify would send them unsigned, so what they test cannot be asked.
 */
export function unsignable(cells: Cell[], provisioned: ProvisionedPersona[]): { cell: Cell; reason: string }[] {
  const without = new Set(provisioned.filter((p) => !p.rest?.credentials).map((p) => p.name));
  return cells.filter((c) => c.action.type === 'rest' && c.action.presentation === 'signed' && without.has(c.persona))
    .map((cell) => ({ cell, reason: `${cell.persona} has no AWS credentials to sign with: amplify_outputs.json names no identity pool` }));
}
