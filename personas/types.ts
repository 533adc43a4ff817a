/** What a persona module gets and gives: a target to provision on, and a client-ready persona. */
import type { ClientAuth } from '../harness/client/auth.js';
import type { AuthmatrixConfig } from '../harness/config.js';
import type { Persona, PersonaKind } from '../harness/matrix/cast.js';
import type { Identity } from '../harness/rules/identity.js';
import type { AuthModel } from '../harness/schema/model.js';
import type { DeployedTarget } from './shared/deployed.js';
import type { AwsCredentials } from '../harness/client/sigv4.js';

/** The embedded emulator, reached over HTTP (the runner's workers provision through its dev endpoint). */
export interface EmulatedTarget {
  kind: 'emulated';
  url: string;
  region: string;
  apiKey?: string;
  /** `http://127.0.0.1:<port>/.authmatrix` */
  devEndpoint: string;
}

export type Target = EmulatedTarget | DeployedTarget;

export interface ProvisionContext {
  target: Target;
  model: AuthModel;
  config: AuthmatrixConfig;
}

/** A persona ready to make requests: how it authenticates, who it is with real claims, how it got there. */
export interface ProvisionedPersona {
  name: string;
  kind: PersonaKind;
  description: string;
  auth: ClientAuth;
  identity: Identity;
  headers?: Record<string, string>;
  /** What the persona presents to REST APIs (personas/shared/rest.ts), when the app has any. */
  rest?: RestAuth;
  /** User-pool personas: both of their current tokens (REST sends either, per request). */
  tokens?: () => Promise<{ idToken: string; accessToken: string }>;
  /**
   * What aws-amplify's `fetchAuthSession()` gives the persona for AWS services that take IAM (S3): its
   * identity-pool credentials (the role the pool's role mapping picks: a group's by precedence) and its
   * identity id, or an IAM principal's own credentials (iamAdmin, a function's role).
   */
  aws?: AwsSession;
  /** For audit reports: how the credentials were obtained (never the credentials themselves). */
  provisioning: string;
}

/** The credentials a persona may present to a REST API, as aws-amplify would have them. */
export interface RestAuth {
  /** What `fetchAuthSession()` gives: identity-pool (or IAM) credentials; aws-amplify signs with them. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** The identity-pool identity those credentials belong to (`cognito-identity.amazonaws.com:sub`). */
  identityId?: () => Promise<string>;
  idToken?: () => Promise<string>;
  accessToken?: () => Promise<string>;
  /** API key values by REST API name. */
  apiKeys?: Record<string, string>;
  /** A Lambda authorizer's token, sent in Authorization (restToken personas). */
  authorization?: string;
}

export interface AwsSession {
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Identity-pool credentials only: the Cognito identity id (`region:uuid`). */
  identityId?: string;
}

export interface PersonaModule {
  kinds: readonly PersonaKind[];
  /** Why this persona cannot be had at all on this kind of target (nothing to provision it from), before anything is provisioned. */
  unavailable?(persona: Persona, target: Target['kind']): string | undefined;
  provision(persona: Persona, ctx: ProvisionContext): Promise<ProvisionedPersona>;
}

export function provisioned(p: Persona, auth: ClientAuth, identity: Identity, provisioning: string): ProvisionedPersona {
  return {
    name: p.name,
    kind: p.kind,
    description: p.description,
    auth,
    identity,
    ...(p.headers ? { headers: p.headers } : {}),
    provisioning,
  };
}
