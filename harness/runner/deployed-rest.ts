/**
 * A deployed run tests the REST APIs as they are deployed. Each API of the definition (backend.ts) is
 * found from its `custom.API` endpoint in amplify_outputs.json (the id an execute-api URL names, else
 * GetRestApis by the API's name: a custom domain, a local endpoint), read with the API Gateway SDK and
 * merged with the definition (harness/schema/rest/from-sdk.ts). Every difference is drift: the run logs
 * it and keeps it in the model's caveats, so that the reports say what was tested instead of backend.ts.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { AuthmatrixConfig } from '../config.js';
import type { Cell } from '../matrix/cells.js';
import type { ProvisionedPersona } from '../../personas/index.js';
import { InputError } from '../schema/errors.js';
import type { AuthModel } from '../schema/model.js';
import { executeApiUrl, mergeDeployed, readDeployedApi, restApiIdsNamed, restDrift } from '../schema/rest/from-sdk.js';
import type { RestApi } from '../schema/rest/model.js';
import { readOutputs, restApisOf } from '../../personas/shared/deployed.js';
import { apiGatewayClient } from '../../personas/shared/rest.js';

/** How a drift line reads among the model's caveats. */
const DRIFT = 'the deployed REST API differs from backend.ts (the deployed one is tested): ';

export interface DeployedRest {
  /** The model with each REST API as deployed. */
  model: AuthModel;
  /** Where each API was read from (`myRestApi: a1b2c3d4e5 in us-east-1`). */
  read: string[];
  drift: string[];
}

export async function withDeployedRest(model: AuthModel, outputsFile: string, config: AuthmatrixConfig): Promise<DeployedRest> {
  const section = model.rest;
  const fromBackend = (section?.httpApis ?? []).map((a) => `HTTP API ${a.name} is tested as backend.ts defines it: its deployed routes and authorizers are not read`);
  if (!section?.apis.length) return { model: fromBackend.length ? { ...model, caveats: [...(model.caveats ?? []), ...fromBackend] } : model, read: [], drift: [] };
  const outputs = readOutputs(outputsFile);
  const endpoints = restApisOf(outputs.custom, outputs.data?.aws_region ?? section.region);
  const userPoolId = outputs.auth?.user_pool_id;
  const clients = new Map<string, Promise<APIGatewayClient>>();
  const clientFor = (region: string) => clients.get(region) ?? clients.set(region, apiGatewayClient(region, config)).get(region)!;
  const read: string[] = [];
  const drift: string[] = [];
  const apis: RestApi[] = [];
  try {
    for (const api of section.apis) {
      const entry = endpoints[api.name];
      if (!entry) {
        drift.push(`${api.name} is defined in backend.ts, but amplify_outputs.json (custom.API) names no endpoint for it`);
        apis.push(api);
        continue;
      }
      const url = executeApiUrl(entry.endpoint);
      const region = url?.region ?? entry.region;
      const client = await clientFor(region);
      const id = url?.id ?? (await onlyApiNamed(client, api.name, region, entry.endpoint));
      if (!id) {
        drift.push(`${api.name}: no REST API of that name is deployed in ${region}; its definition in backend.ts is tested`);
        apis.push(api);
        continue;
      }
      if (url && url.stage !== api.stage) drift.push(`${api.name}: custom.API's endpoint is stage ${url.stage}, backend.ts deploys stage ${api.stage}`);
      const deployed = await readDeployedApi(client, id, section.functions).catch((e: unknown) => {
        throw readError(e, `reading the deployed REST API ${api.name} (${id} in ${region})`);
      });
      read.push(`${api.name}: ${id} in ${region}`);
      drift.push(...restDrift(api, deployed));
      apis.push(mergeDeployed(api, deployed, userPoolId));
    }
  } finally {
    for (const c of clients.values()) void c.then((client) => client.destroy());
  }
  const caveats = [...(model.caveats ?? []), ...drift.map((d) => `${DRIFT}${d}`), ...fromBackend];
  return { model: { ...model, rest: { ...section, apis }, ...(caveats.length ? { caveats } : {}) }, read, drift };
}

/** The one API of that name; undefined when there is none, refused when several share it. */
async function onlyApiNamed(client: APIGatewayClient, name: string, region: string, endpoint: string): Promise<string | undefined> {
  const ids = await restApiIdsNamed(client, name).catch((e: unknown) => {
    throw readError(e, `finding the deployed REST API ${name} in ${region} (GetRestApis)`);
  });
  if (ids.length > 1) {
    throw new InputError(`${ids.length} REST APIs are named ${name} in ${region} (${ids.join(', ')}), and custom.API's endpoint ${endpoint} does not say which`, undefined,
      'write the API\'s execute-api URL (RestApi.url) in custom.API, which names its id');
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
    return new InputError(`${what}: not allowed (${message})`, undefined, 'use credentials allowed apigateway:GET on the REST API, its API keys and usage plans');
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
