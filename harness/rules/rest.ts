/**
 * The REST oracle: what API Gateway answers a caller for one method of a REST API, as a decision table
 * over the REST section of the AuthModel. It never runs the gateway (harness/emulator/apigateway does);
 * a Lambda authorizer's answer for the caller is given to it (the persona asked the app's authorizer),
 * and the oracle decides what API Gateway makes of that answer.
 *
 * The order of checks and every status, error type and message, with their sources, are in docs/rest.md:
 * routing first (an unknown resource or verb is 403 Missing Authentication Token whatever the caller
 * sends), then the method's authorization (IAM, Cognito user pool, Lambda authorizer, or none), then the
 * API key, then the integration, whose answer is never an auth verdict.
 */
import type { Decision } from './decide.js';
export { evaluate } from './iam-policy.js';
import { caveatText, evaluate, grantedResources, type IamContext, type Verdict } from './iam-policy.js';
import { cached } from './memo.js';
import { identitySourceOf, REQUEST_CONTEXT_VARIABLES, type HttpMethod, type PolicyDocument, type PolicyStatement, type RestApi, type RestMethod, type RestSection, type StageVariables } from '../schema/rest/model.js';

/** The role whose credentials sign a request: the identity pool's, a group's, or an administrator's. */
export type SigningRole =
  /** `persona`: whose identity signs, so that its identity id (plannedIdentityId) can be known; absent: any identity. */
  | { kind: 'unauthenticated'; persona?: string }
  | { kind: 'authenticated'; groups: string[]; persona?: string }
  /** An IAM principal outside the identity pool whose own policies allow everything. */
  | { kind: 'admin'; roleName: string };

/** What a request carries, as aws-amplify sends it (harness/client/rest.ts). */
export interface RestCaller {
  /** The `Authorization` header, when the caller sets one; aws-amplify then does not sign. */
  authorization?:
    /** `value`: the token itself, when known (a Lambda authorizer's validation expression is tested on it). */
    | { kind: 'cognito'; use: 'id' | 'access'; scopes: string[]; pool: 'app' | 'other'; value?: string }
    /** Anything else: a Lambda authorizer's token, or garbage. */
    | { kind: 'opaque'; value: string };
  /** Identity-pool or IAM credentials: aws-amplify signs with them when no Authorization header is set. */
  signer?: SigningRole;
  /** `x-api-key`, and whether it is a key of a usage plan on this stage. */
  apiKey?: { valid: boolean };
  /** Other headers (identity sources of REQUEST authorizers), lower-case names. */
  headers?: Record<string, string>;
  /** What each Lambda authorizer answers this caller, by authorizer id. */
  authorizerAnswers?: Record<string, AuthorizerAnswer>;
}

/** A Lambda authorizer's answer for one request. */
export type AuthorizerAnswer =
  | { kind: 'policy'; principalId: string; policy: PolicyDocument; usageIdentifierKey?: string }
  /** An HTTP API authorizer's simple response (payload 2.0, `enableSimpleResponses`). */
  | { kind: 'simple'; isAuthorized: boolean }
  /** It threw (or returned) exactly `Unauthorized`. */
  | { kind: 'unauthorized' }
  /** Any other error, or an answer API Gateway cannot read. */
  | { kind: 'error'; message: string };

export interface RestRequest {
  api: RestApi;
  method: RestMethod;
  /** The verb sent (for an `ANY` method, the one the cell uses). */
  verb: HttpMethod;
  /** The path sent, below the stage (`/items/sample` for `/items/{proxy+}`). */
  path: string;
}

/** The gateway's answer: outcome plus the exact wire form of a denial. */
export interface RestDecision extends Decision {
  /** The status API Gateway answers with (for allowed requests: the integration's, unknown here). */
  status?: number;
  /** `x-amzn-ErrorType` of a gateway denial. */
  errorType?: string;
  /** The `message` of the denial's body. */
  message?: string;
  /** How the message ends, when its start names a principal only the target knows (an IAM role's session). */
  messageEnd?: string;
  /** The authorizer that decided, for coverage. */
  authorizer?: string;
}

export const MESSAGES = {
  missingToken: 'Missing Authentication Token',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  notAuthorized: 'User is not authorized to access this resource',
  explicitDeny: 'User is not authorized to access this resource with an explicit deny',
} as const;

/** The execute-api ARN of a request to a REST API, or to an HTTP API (`$default` standing for its default stage). */
export function methodArn(section: Pick<RestSection, 'region' | 'account'>, api: Pick<RestApi, 'id' | 'stage'>, verb: string, path: string): string {
  return `arn:aws:execute-api:${section.region}:${section.account}:${api.id}/${api.stage}/${verb}${path}`;
}

/** The rule id of a method or an HTTP API's route: `myRestApi GET /items`, `shopHttpApi ANY $default`. */
export function methodRule(api: Pick<RestApi, 'name'>, method: Pick<RestMethod, 'method' | 'resourcePath'>): string {
  return `${api.name} ${method.method} ${method.resourcePath}`;
}

export function decideRest(section: RestSection, caller: RestCaller, req: RestRequest): RestDecision {
  const { api, method } = req;
  const rule = methodRule(api, method);
  const authz = method.authorization;
  let passed: RestDecision;
  switch (authz.type) {
    case 'NONE':
      passed = { outcome: 'allow', rule, reason: `allowed: ${rule} has no authorization` };
      break;
    case 'AWS_IAM': {
      const d = decideIam(section, caller, req, rule);
      if (d.outcome === 'deny') return d;
      passed = d;
      break;
    }
    case 'COGNITO_USER_POOLS': {
      const d = decideCognito(api, caller, rule, authz.authorizer, authz.scopes);
      if (d.outcome === 'deny') return d;
      passed = d;
      break;
    }
    case 'CUSTOM': {
      const d = decideLambda(section, caller, req, rule, authz.authorizer);
      if (d.outcome === 'deny') return d;
      passed = d;
      break;
    }
  }
  // The API key is checked after the method's authorization (docs/rest.md, "Order of checks").
  if (method.apiKeyRequired) {
    const key = api.apiKeySource === 'AUTHORIZER' ? authorizerKey(caller, method) : caller.apiKey;
    if (!key?.valid) {
      const where = api.apiKeySource === 'AUTHORIZER' ? 'the Lambda authorizer returns no usageIdentifierKey of a usage plan' : caller.apiKey ? 'the x-api-key is not a key of a usage plan' : 'the request has no x-api-key';
      return gatewayDeny(rule, 403, 'ForbiddenException', MESSAGES.forbidden, `denied: ${rule} requires an API key and ${where} for stage ${api.stage}`);
    }
    passed = { ...passed, reason: `${passed.reason}; the API key is in a usage plan for stage ${api.stage}` };
  }
  return passed;
}

function gatewayDeny(rule: string, status: number, errorType: string, message: string | undefined, reason: string, authorizer?: string): RestDecision {
  return { outcome: 'deny', rule, reason, status, errorType, ...(message !== undefined ? { message } : {}), requestLevel: true, ...(authorizer ? { authorizer } : {}) };
}

/** IAM's AccessDenied names the caller's role session, which only the target knows: the oracle fixes the rest. */
function iamDeny(rule: string, end: string, reason: string): RestDecision {
  const d = gatewayDeny(rule, 403, 'AccessDeniedException', undefined, reason);
  return { ...d, messageEnd: end };
}

function decideIam(section: RestSection, caller: RestCaller, req: RestRequest, rule: string): RestDecision {
  if (caller.authorization) {
    // A token where a signature is expected: API Gateway reads it as a malformed SigV4 header; its message
    // quotes the header, so only the status and error type are compared.
    return gatewayDeny(rule, 403, 'IncompleteSignatureException', undefined, `denied: ${rule} requires a SigV4 signature, and the request's Authorization header holds a token instead (aws-amplify does not sign when an Authorization header is set)`);
  }
  if (!caller.signer) {
    return gatewayDeny(rule, 403, 'MissingAuthenticationTokenException', MESSAGES.missingToken, `denied: ${rule} requires a SigV4 signature and the request is not signed (the caller has no AWS credentials)`);
  }
  const signer = caller.signer;
  if (signer.kind === 'admin') return { outcome: 'allow', rule, reason: `allowed: ${signer.roleName}'s own policies allow execute-api:Invoke on every API` };
  const { role, arn, verdict, policies } = invokeVerdict(section, req.api, signer, req.verb, req.path);
  const caveat = caveatText(verdict);
  if (verdict.effect === 'Allow') return { outcome: 'allow', rule, reason: `allowed: ${role}'s policy allows execute-api:Invoke on ${verdict.resource} (${arn})${caveat}` };
  if (verdict.effect === 'Deny') {
    return iamDeny(rule, ` is not authorized to perform: execute-api:Invoke on resource: ${arn} with an explicit deny in an identity-based policy`,
      `denied: ${role}'s policy denies execute-api:Invoke on ${verdict.resource} explicitly${caveat}`);
  }
  const granted = invokable(policies);
  return iamDeny(rule, ` is not authorized to perform: execute-api:Invoke on resource: ${arn} because no identity-based policy allows the execute-api:Invoke action`,
    `denied: ${role}'s policy ${granted.length ? `allows execute-api:Invoke on ${granted.join(', ')} but not on ${req.verb} ${req.path}` : 'allows execute-api:Invoke on nothing'}${signer.kind === 'authenticated' && signer.groups.length ? ' (a group member gets the group\'s role instead of the authenticated role)' : ''}${caveat}`);
}

/**
 * The one IAM decision of REST and HTTP APIs alike: the signer's role's policies evaluated for
 * execute-api:Invoke on the method's ARN, in what the oracle knows of the signer's request context.
 */
export function invokeVerdict(section: RestSection, api: Pick<RestApi, 'id' | 'stage'>, signer: Exclude<SigningRole, { kind: 'admin' }>, verb: string, path: string):
  { role: string; arn: string; verdict: Verdict; policies: PolicyDocument[] } {
  const { role, policies } = rolePolicies(section, signer);
  const arn = methodArn(section, api, verb, path);
  return { role, arn, policies, verdict: evaluate(policies, 'execute-api:Invoke', arn, signerContext(signer, section.identityPoolId, section.region)) };
}

/**
 * Whether a statement of the section's role policies puts the caller's identity id (`${cognito-identity.amazonaws.com:sub}`)
 * in a Resource that covers this request when it is the persona's own: where a path is worth sending with identity ids.
 */
export function coversOwnIdentity(section: RestSection, api: Pick<RestApi, 'id' | 'stage'>, verb: string, path: string, persona: string): boolean {
  const statements = identityStatements(section);
  if (!statements.length) return false;
  const signer = { kind: 'authenticated' as const, groups: [], persona };
  return evaluate([{ Statement: statements }], 'execute-api:Invoke', methodArn(section, api, verb, path), signerContext(signer, section.identityPoolId, section.region)).effect === 'Allow';
}

const identityStatementsCache = new WeakMap<RestSection, PolicyStatement[]>();

/** The role policies' statements naming `${cognito-identity.amazonaws.com:sub}` in a Resource, as unconditional Allows. */
function identityStatements(section: RestSection): PolicyStatement[] {
  return cached(identityStatementsCache, section, () => {
    const { authenticated, unauthenticated, groups } = section.rolePolicies;
    return [authenticated, unauthenticated, ...Object.values(groups)].flat().flatMap((d) => d.Statement)
      .filter((x) => [x.Resource ?? []].flat().some((r) => /\$\{cognito-identity\.amazonaws\.com:sub\}/i.test(String(r))))
      .map(({ Condition: _condition, ...x }) => ({ ...x, Effect: 'Allow' as const }));
  });
}

/**
 * The identity id the oracle and the planned requests give a persona's identity-pool credentials: the run mints the
 * real one (`<region>:<uuid>`) and puts it where this one stands in a request's path (harness/runner/rest.ts), so
 * that policies naming `cognito-identity.amazonaws.com:sub` (a `${...:sub}` in Resource, a condition on the key) are
 * decided per identity. Shaped like a real id (its region, then a part of its own) for conditions on its form.
 */
export function plannedIdentityId(region: string, persona: string): string {
  return `${region}:authmatrix-identity-${persona.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/**
 * The context keys identity-pool credentials carry (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html): `amr` holds `unauthenticated`,
 * or `authenticated` plus the login provider and login; the pool id (`aud`) is the one the definition names
 * (RestSection.identityPoolId, which the emulator adopts; unknown without one); the identity id (`sub`) is the
 * persona's planned one (plannedIdentityId), which the run's requests carry in its place; of a signer whose persona
 * is not named, the oracle knows that it is present, not its value.
 */
export function signerContext(signer: Exclude<SigningRole, { kind: 'admin' }>, identityPoolId?: string, region?: string): IamContext {
  const unknown = { values: [], complete: false };
  return {
    present: {
      'cognito-identity.amazonaws.com:amr': signer.kind === 'unauthenticated' ? { values: ['unauthenticated'], complete: true } : { values: ['authenticated'], complete: false },
      'cognito-identity.amazonaws.com:sub': signer.persona && region ? { values: [plannedIdentityId(region, signer.persona)], complete: true } : unknown,
      'cognito-identity.amazonaws.com:aud': identityPoolId ? { values: [identityPoolId], complete: true } : unknown,
      'aws:PrincipalType': { values: ['AssumedRole'], complete: true },
    },
    absent: [],
  };
}

/** The one role an identity's credentials carry: a member of groups gets the first group's role by precedence. */
export function rolePolicies(section: RestSection, signer: Exclude<SigningRole, { kind: 'admin' }>): { role: string; policies: PolicyDocument[] } {
  if (signer.kind === 'unauthenticated') return { role: 'the unauthenticated role', policies: section.rolePolicies.unauthenticated };
  const group = section.rolePolicies.groupPrecedence.find((g) => signer.groups.includes(g));
  if (group) return { role: `the ${group} group's role`, policies: section.rolePolicies.groups[group] ?? [] };
  return { role: 'the authenticated role', policies: section.rolePolicies.authenticated };
}

function decideCognito(api: RestApi, caller: RestCaller, rule: string, authorizerId: string, scopes: string[]): RestDecision {
  const authorizer = api.authorizers.find((a) => a.id === authorizerId);
  const name = authorizer?.name ?? authorizerId;
  const deny401 = (why: string) => gatewayDeny(rule, 401, 'UnauthorizedException', MESSAGES.unauthorized, `denied: ${rule} uses the Cognito authorizer ${name}, and ${why}`, name);
  const auth = caller.authorization;
  if (!auth && caller.signer) return deny401('the request carries a SigV4 signature instead of a user-pool token');
  if (!auth) return deny401('the request has no Authorization header');
  if (auth.kind !== 'cognito') return deny401('the Authorization header is not a user-pool token');
  const pools = authorizer?.type === 'COGNITO_USER_POOLS' ? authorizer.userPools : [];
  if (auth.pool === 'app' ? !pools.includes('app') : true) return deny401('the token was not issued by a user pool the authorizer trusts');
  if (!scopes.length) {
    if (auth.use === 'id') return { outcome: 'allow', rule, reason: `allowed: ${rule} accepts any valid ID token of the user pool (authorizer ${name}, no scopes)`, authorizer: name };
    return deny401('an access token is refused where the method sets no authorization scopes (an ID token is required)');
  }
  if (auth.use === 'id') return deny401(`the method sets the scopes ${scopes.join(', ')}, so an access token holding one is required and an ID token is refused`);
  const held = auth.scopes.find((s) => scopes.includes(s));
  if (!held) return deny401(`the access token holds none of the scopes ${scopes.join(', ')}`);
  return { outcome: 'allow', rule, reason: `allowed: the access token holds the scope ${held} that ${rule} requires (authorizer ${name})`, authorizer: name };
}

function decideLambda(section: RestSection, caller: RestCaller, req: RestRequest, rule: string, authorizerId: string): RestDecision {
  const authorizer = req.api.authorizers.find((a) => a.id === authorizerId);
  if (!authorizer || authorizer.type === 'COGNITO_USER_POOLS') {
    return gatewayDeny(rule, 500, 'AuthorizerConfigurationException', undefined, `denied: ${rule} names an authorizer the API does not have`);
  }
  const name = authorizer.name;
  const missing = missingIdentitySource(authorizer, caller, req.api.stageVariables);
  if (missing) return gatewayDeny(rule, 401, 'UnauthorizedException', MESSAGES.unauthorized, `denied: the Lambda authorizer ${name} is not invoked: ${missing}`, name);
  const answer = caller.authorizerAnswers?.[authorizer.id];
  if (!answer) return gatewayDeny(rule, 401, 'UnauthorizedException', MESSAGES.unauthorized, `denied: the Lambda authorizer ${name} refuses the caller`, name);
  if (answer.kind === 'unauthorized') return gatewayDeny(rule, 401, 'UnauthorizedException', MESSAGES.unauthorized, `denied: the Lambda authorizer ${name} answers Unauthorized`, name);
  if (answer.kind === 'error') return gatewayDeny(rule, 500, 'AuthorizerConfigurationException', undefined, `denied: the Lambda authorizer ${name} fails (${answer.message}), which API Gateway answers with 500`, name);
  if (answer.kind === 'simple') return gatewayDeny(rule, 500, 'AuthorizerConfigurationException', undefined, `denied: the Lambda authorizer ${name} answers { isAuthorized }, which a REST API cannot read`, name);
  const verdict = authorizerPolicyVerdict(section, req.api, name, answer.policy, req.verb, req.path);
  if (verdict.effect === 'Deny') return gatewayDeny(rule, 403, 'AccessDeniedException', MESSAGES.explicitDeny, verdict.reason, name);
  if (verdict.effect !== 'Allow') return gatewayDeny(rule, 403, 'AccessDeniedException', MESSAGES.notAuthorized, verdict.reason, name);
  return { outcome: 'allow', rule, reason: verdict.reason, authorizer: name };
}

/** The policy a Lambda authorizer returned, evaluated on the request's ARN (REST and HTTP APIs alike), with why. */
export function authorizerPolicyVerdict(section: RestSection, api: Pick<RestApi, 'id' | 'stage'>, name: string, policy: PolicyDocument, verb: string, path: string): { effect: Verdict['effect']; reason: string } {
  const arn = methodArn(section, api, verb, path);
  const verdict = evaluate([policy], 'execute-api:Invoke', arn);
  if (verdict.effect === 'Deny') return { effect: 'Deny', reason: `denied: the Lambda authorizer ${name} returns a Deny on ${verdict.resource} for this caller` };
  if (verdict.effect !== 'Allow') return { effect: 'none', reason: `denied: the policy the Lambda authorizer ${name} returns for this caller does not cover ${arn}` };
  return { effect: 'Allow', reason: `allowed: the Lambda authorizer ${name} allows this caller on ${verdict.resource}` };
}

/** What a Lambda authorizer reads its caller's identity from (a REST API's TOKEN or REQUEST authorizer, an HTTP API's). */
export type IdentitySources = { type: 'TOKEN'; identitySource: string; validationRegex?: string } | { type: 'REQUEST'; identitySources: readonly string[] };

/**
 * Why API Gateway does not call a Lambda authorizer (401 without invoking), or undefined when it does: every identity
 * source present and not empty (schema/rest/model.ts `identitySourceOf`), and a TOKEN authorizer's matching its
 * validation expression. A query string source is missing (the cells send no query string); a stage variable is
 * present when the API's stage (`stageVariables`) defines it, not blank; a context variable is present when API
 * Gateway sets it for every request.
 */
export function missingIdentitySource(authorizer: IdentitySources, caller: RestCaller, stageVariables: StageVariables | undefined): string | undefined {
  const sources = authorizer.type === 'TOKEN' ? [authorizer.identitySource] : authorizer.identitySources;
  for (const source of sources) {
    const ref = identitySourceOf(source);
    if (!ref) return `the identity source ${source} is not one API Gateway reads`;
    if (ref.kind === 'query') return `the identity source ${source} is missing (the request has no query string)`;
    if (ref.kind === 'stageVariable') {
      const value = stageVariables?.[ref.name];
      if (value === undefined) return `the identity source ${source} is missing (the stage defines no variable ${ref.name})`;
      if (!value.trim()) return `the identity source ${source} is empty (the stage variable ${ref.name} is blank)`;
      continue;
    }
    if (ref.kind === 'context') {
      if (!REQUEST_CONTEXT_VARIABLES[source.startsWith('$') ? 'http' : 'rest'].includes(ref.name)) return `the identity source ${source} is not set when API Gateway calls the authorizer`;
      continue;
    }
    const h = ref.name.toLowerCase();
    const value = h === 'authorization' ? authorizationValue(caller) : caller.headers?.[h];
    if (!value) return `the identity source ${ref.name} is missing or empty`;
    if (authorizer.type === 'TOKEN' && authorizer.validationRegex && !new RegExp(authorizer.validationRegex).test(value)) {
      return `the ${ref.name} value does not match the validation expression ${authorizer.validationRegex}`;
    }
  }
  return undefined;
}

/** A JWT-shaped stand-in for a user-pool token not minted yet. */
export const JWT_STAND_IN = 'eyJraWQiOiJhdXRobWF0cml4In0.eyJ0b2tlbl91c2UiOiJpZCJ9.c2lnbmF0dXJl';
/** What a SigV4 Authorization header starts with (the rest differs per request). */
export const SIGV4_STAND_IN = 'AWS4-HMAC-SHA256 Credential=ASIA/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0';

export function authorizationValue(caller: RestCaller): string | undefined {
  const a = caller.authorization;
  if (!a) return caller.signer ? SIGV4_STAND_IN : undefined;
  return a.kind === 'opaque' ? a.value : a.value ?? JWT_STAND_IN;
}

function authorizerKey(caller: RestCaller, method: RestMethod): { valid: boolean } | undefined {
  const id = method.authorization.type === 'CUSTOM' ? method.authorization.authorizer : undefined;
  const answer = id ? caller.authorizerAnswers?.[id] : undefined;
  return answer?.kind === 'policy' && answer.usageIdentifierKey !== undefined ? { valid: caller.apiKey?.valid ?? false } : undefined;
}

/** The resources (below the stage) a role's policies allow invoking, for reasons. */
function invokable(policies: PolicyDocument[]): string[] {
  return grantedResources(policies, 'execute-api:Invoke').map((r) => r.replace(/^arn:aws:execute-api:[^:]*:[^:]*:[^/]*\/[^/]*\/[^/]*/, '') || r);
}
