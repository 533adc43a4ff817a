/** `authmatrix emulate`: serve the embedded emulator for a schema until Ctrl-C. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkOutFile } from './out-paths.js';
import { startEmulator, type AuthorizerResponse, type Emulator } from '../emulator/emulator.js';
import { InputError } from '../schema/errors.js';
import { loadAuthModel } from '../schema/load.js';
import { hasDataApi } from '../schema/model.js';
import { DEFAULT_OUTPUTS } from './defaults.js';

export interface EmulateOptions {
  schema: string;
  gen1Config?: string;
  host: string;
  port: string;
  outputs?: string;
  seed?: string;
  lambdaTokens?: string;
}


export async function emulateCommand(opts: EmulateOptions, out: (line: string) => void): Promise<Emulator> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`invalid port "${opts.port}"`, undefined, 'use --port 0..65535 (0: any free port)');
  checkOutFile(opts.outputs ?? DEFAULT_OUTPUTS, '--outputs', { createDir: false });
  const model = await loadAuthModel(opts.schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const lambdaTokens = opts.lambdaTokens ? readTokenTable(opts.lambdaTokens) : undefined;
  const emulator = await startEmulator({
    model,
    host: opts.host,
    port,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(lambdaTokens ? { lambdaTokens } : {}),
    log: (line) => out(`  log: ${line}`),
  });
  const outputsPath = path.resolve(opts.outputs ?? DEFAULT_OUTPUTS);
  writeFileSync(outputsPath, JSON.stringify(emulator.outputs(), null, 2) + '\n');
  out(`authmatrix emulator for ${path.relative(process.cwd(), model.source.path) || model.source.path}`);
  if (hasDataApi(model)) {
    out(`  GraphQL       ${emulator.url}`);
    out(`  realtime      ${emulator.realtimeUrl}`);
    out(`  auth modes    ${model.authModes.enabled.join(', ')} (default ${model.authModes.default})`);
  }
  for (const r of emulator.restEndpoints()) out(`  REST API      ${r.name}  ${r.endpoint}`);
  if (emulator.s3) out(`  S3            https://${emulator.s3.endpointHost}  (buckets: ${[...emulator.s3.bucketNames.keys()].join(', ')}; its test CA's PEM at GET /.authmatrix/)`);
  if (emulator.apiKey) out(`  API key       ${emulator.apiKey}   (local to this emulator)`);
  if (emulator.userPool) out(`  user pool     ${emulator.userPool.issuer}  (JWKS: ${emulator.userPool.issuer}/.well-known/jwks.json)`);
  if (emulator.oidc) out(`  OIDC issuer   ${emulator.oidc.issuer}`);
  if (emulator.identityPool) out(`  identity pool ${emulator.identityPool.poolId}`);
  const base = emulator.url.replace(/\/graphql$/, '');
  if (['127.0.0.1', '::1', 'localhost'].includes(opts.host)) {
    out(`  credentials   POST ${base}/.authmatrix/credentials  {"kind":"userPool","username":"alice","groups":["Admin"]}`);
  } else {
    out(`  credentials   the /.authmatrix/ endpoints are off: the emulator is not bound to loopback`);
  }
  out(`  outputs       ${outputsPath}`);
  out('Press Ctrl-C to stop.');
  return emulator;
}

function readTokenTable(file: string): Record<string, AuthorizerResponse> {
  if (!existsSync(file)) throw new InputError('Lambda token table not found', { file }, 'pass a JSON file mapping tokens to authorizer responses');
  try {
    const table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, AuthorizerResponse>;
    for (const [token, r] of Object.entries(table)) {
      if (!r || typeof r.isAuthorized !== 'boolean') throw new Error(`token ${token}: "isAuthorized" must be true or false`);
    }
    return table;
  } catch (e) {
    throw new InputError(`invalid Lambda token table: ${(e as Error).message}`, { file }, 'write {"<token>": {"isAuthorized": true, "deniedFields": []}}');
  }
}
