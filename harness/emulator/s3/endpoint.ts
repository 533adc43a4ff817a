/**
 * The emulated S3 endpoint of an app with storage: its own HTTPS listener (`s3.localhost:<port>`), one
 * bucket per `defineStorage`, and the IAM policies Amplify would attach to each role, evaluated for the
 * role the caller's credentials belong to (the identity pool's roles, a group's role, a function's role).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { compilePolicy, evaluate, type CompiledPolicy } from '../iam/policy.js';
import { compileBucket } from '../../schema/storage/compile.js';
import { roleKey, type StorageSection } from '../../schema/storage/model.js';
import type { IamPrincipal } from '../iam/identity-pool.js';
import { S3Service, type S3Caller } from './service.js';
import { verifyS3Signature } from './sigv4.js';
import { ObjectStore, type StoreLimits } from './store.js';
import { S3_HOST, testCertificate } from './tls.js';

/**
 * Looks up credentials the emulator issued, by access key: who holds them, and the identity policies of
 * their role when it is outside the identity pool (an administrator's, a configured role's), which IAM
 * evaluates beside any storage grant.
 */
export type CredentialLookup = (accessKeyId: string) => IssuedRole | undefined;

export interface IssuedRole {
  credentials: { secretAccessKey: string; sessionToken: string; expiration: Date };
  principal: IamPrincipal;
  policies: readonly CompiledPolicy[];
}

export interface S3EndpointOptions {
  storage: StorageSection;
  region: string;
  host: string;
  port?: number;
  lookup: CredentialLookup;
  /** IAM role names: the identity pool's, and those the emulator gives groups and functions. */
  roles: { auth: string; unauth: string; group: (g: string) => string; function: (f: string) => string };
  limits?: StoreLimits;
  log?: (line: string) => void;
}

export class S3Endpoint {
  /** Friendly name → the bucket's name on this endpoint. */
  readonly bucketNames: Map<string, string>;
  readonly store: ObjectStore;
  readonly service: S3Service;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** `s3.localhost:<port>`: the `customEndpoint` aws-amplify takes. */
    readonly endpointHost: string,
    readonly caPem: string,
    parts: { bucketNames: Map<string, string>; store: ObjectStore; service: S3Service },
  ) {
    this.bucketNames = parts.bucketNames;
    this.store = parts.store;
    this.service = parts.service;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(o: S3EndpointOptions): Promise<S3Endpoint> {
    const cert = await testCertificate();
    const suffix = randomBytes(4).toString('hex');
    const bucketNames = new Map(o.storage.buckets.map((b) => [b.name, bucketName(b.name, suffix)]));
    const policies = rolePolicies(o.storage, bucketNames, o.roles);
    const store = new ObjectStore([...bucketNames.values()], o.limits);
    let endpointHost = '';
    const service = new S3Service({
      get endpointHost() {
        return endpointHost;
      },
      region: o.region,
      store,
      auth: {
        authenticate: async (req) => {
          const issued = await verifyS3Signature<IssuedRole>(req, (keyId) => {
            const found = o.lookup(keyId);
            return found && { ...found.credentials, principal: found };
          }, o.region);
          if (issued === undefined) return null;
          return callerOf(issued.principal, [...(policies.get(roleOf(issued.principal)) ?? []), ...issued.policies]);
        },
      },
      ...(o.log ? { log: o.log } : {}),
    });
    const server = createServer({ cert: cert.certPem, key: cert.keyPem, keepAlive: true }, (req, res) => {
      service.handle(req, res).catch((e: unknown) => {
        o.log?.(`s3 request failed: ${(e as Error)?.stack ?? String(e)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host, () => resolve((server.address() as AddressInfo).port));
    });
    endpointHost = `${S3_HOST}:${port}`;
    return new S3Endpoint(server, endpointHost, cert.caPem, { bucketNames, store, service });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

/** `amplify-<name>-<suffix>`: lower-case, no dots (so clients address it virtual-hosted), at most 63 characters. */
function bucketName(name: string, suffix: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'bucket';
  return `amplify-${slug}-${suffix}`;
}

/** Each IAM role name's compiled policies, over every bucket. */
function rolePolicies(storage: StorageSection, names: Map<string, string>, roles: S3EndpointOptions['roles']): Map<string, CompiledPolicy[]> {
  const out = new Map<string, CompiledPolicy[]>();
  for (const bucket of storage.buckets) {
    for (const { role, policy } of compileBucket(bucket, `arn:aws:s3:::${names.get(bucket.name)!}`).policies) {
      const name = role.kind === 'auth' ? roles.auth : role.kind === 'unauth' ? roles.unauth : role.kind === 'group' ? roles.group(role.group) : roles.function(role.name);
      const list = out.get(name) ?? [];
      list.push(compilePolicy(`${bucket.name}:${roleKey(role)}`, policy));
      out.set(name, list);
    }
  }
  return out;
}

const roleOf = (principal: IamPrincipal): string => /:assumed-role\/([^/]+)\//.exec(principal.userArn)?.[1] ?? '';

/** The caller a principal is: its role's policies, with its identity id for `${cognito-identity.amazonaws.com:sub}`. */
function callerOf(principal: IamPrincipal, own: readonly CompiledPolicy[]): S3Caller {
  const identity: Record<string, string> = principal.cognitoIdentityId ? { 'cognito-identity.amazonaws.com:sub': principal.cognitoIdentityId } : {};
  return {
    arn: principal.userArn,
    evaluate: (action, resource, context) => evaluate(own, { action, resource, context: { ...context, ...identity } }),
  };
}
