/**
 * REST APIs (API Gateway, defined with CDK in amplify/backend.ts): methods anyone may call, methods an API
 * key alone guards, guest credentials that may write, group roles without the policy the authenticated
 * role has (the trap of Amplify's REST guide), and policies on every API of the account. Fixes are CDK, or for a Gen 1
 * project's REST category the path's permissions in its CLI inputs (`cli-inputs.json`, or an older project's
 * `api-params.json`; docs/rest.md, "Gen 1 REST category").
 */
import { evaluate, methodArn, methodRule } from '../../rules/rest.js';
import type { PolicyDocument, RestApi, RestMethod, RestSection } from '../../schema/rest/model.js';
import type { LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { listWords, tick } from '../words.js';

const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A REST API's method or an HTTP API's route, as the checks read them (HTTP APIs have no API keys). */
type Method = Pick<RestMethod, 'method' | 'resourcePath' | 'apiKeyRequired'> & { authorization: { type: string } };
type Api = Pick<RestApi, 'name' | 'id' | 'stage' | 'gen1Inputs'> & { methods: Method[] };

/** Every API of the section: REST APIs and HTTP APIs alike. */
function apisOf(section: RestSection): Api[] {
  return [...section.apis, ...section.httpApis.map((a) => ({ name: a.name, id: a.id, stage: a.stage, methods: a.routes.map((r) => ({ ...r, apiKeyRequired: false })) }))];
}

/** The verbs a method answers that change something (an `ANY` method answers them all). */
function writesOf(m: Pick<RestMethod, 'method'>): string[] {
  if (m.method === 'ANY') return [...WRITE_VERBS];
  return (WRITE_VERBS as readonly string[]).includes(m.method) ? [m.method] : [];
}

/** A concrete path of the resource (its variables filled), for the method's ARN. */
const samplePath = (m: Method): string => m.resourcePath.replace(/\{[^}]+\}/g, 'x');

const allows = (section: RestSection, api: Api, policies: PolicyDocument[], verb: string, m: Method): boolean =>
  evaluate(policies, 'execute-api:Invoke', methodArn(section, api, verb, samplePath(m))).effect === 'Allow';

/** A Gen 1 REST category's API: its paths' permissions are the fix, in its CLI inputs file. */
const isGen1 = (ctx: LintContext): boolean => ctx.auth.source.kind === 'gen1';

/** The CLI path a method belongs to (`/items` for `/items/{proxy+}`), as cli-inputs.json names it. */
const cliPath = (m: Pick<Method, 'resourcePath'>): string => m.resourcePath.replace(/\/\{proxy\+\}$/, '') || '/';

/**
 * A Gen 1 API's inputs file and how it writes a path's permissions: `cli-inputs.json`'s `permissions`, or the
 * `privacy` of an older project's `api-params.json` (app shape gen1-club), which the fix must name instead.
 */
function gen1Inputs(api: Pick<Api, 'name' | 'gen1Inputs'>) {
  const name = api.gen1Inputs ?? 'cli-inputs.json';
  const file = `amplify/backend/api/${api.name}/${name}`;
  return name === 'api-params.json'
    ? {
        file,
        open: '`"privacy": { "open": true }`',
        restrict: '`"privacy": { "private": true, "auth": "rw" }`, or `"protected": true` with `"unauth"` operations too',
        guest: '`"unauth"`',
        guestReadOnly: 'Keep only `"r"` (or `["/GET"]`, or nothing) in `"unauth"`',
        group: (g: string) => `\`"userPoolGroups": { "${g}": "rw" }\``,
      }
    : {
        file,
        open: '`"setting": "open"`',
        restrict: '`"setting": "private"` with `"auth"` operations, or `"protected"` with `"guest"` ones too',
        guest: '`"guest"`',
        guestReadOnly: 'Keep only `read` (or nothing) in the `"guest"` operations',
        group: (g: string) => `\`"groups": { "${g}": [...] }\``,
      };
}

function eachMethod(ctx: LintContext, f: (section: RestSection, api: Api, m: Method) => Finding[]): Finding[] {
  const section = ctx.auth.rest;
  if (!section) return [];
  return apisOf(section).flatMap((api) => api.methods.filter((m) => m.method !== 'OPTIONS').flatMap((m) => f(section, api, m)));
}

/** A write method with no authorization and no API key: anyone who finds the URL may call it. */
export function restOpenWrite(ctx: LintContext): Finding[] {
  return eachMethod(ctx, (_section, api, m) => {
    const writes = writesOf(m);
    if (m.authorization.type !== 'NONE' || m.apiKeyRequired || !writes.length) return [];
    const rule = methodRule(api, m);
    const gen1 = isGen1(ctx);
    return [finding({
      check: 'rest-open-write',
      subject: rule,
      severity: 'high',
      rule,
      title: `Anyone may ${listWords(writes)} ${m.resourcePath} of ${api.name}`,
      explanation: gen1
        ? `${tick(rule)} has no authorization: the path ${tick(cliPath(m))} is ${gen1Inputs(api).open} in ${gen1Inputs(api).file} (access not restricted), so the CLI deploys its \`ANY\` methods without SigV4 and API Gateway passes every request to the function, whose own checks alone stand between the internet and this write.`
        : `${tick(rule)} has no authorization (\`AuthorizationType.NONE\`, CDK's default when neither the method nor its resource's \`defaultMethodOptions\` set one) and needs no API key: API Gateway passes every request to the integration, so only the handler's own checks stand between the internet and this write.`,
      fix: gen1
        ? `Restrict the path: \`amplify update api\`, choose ${tick(cliPath(m))} and restrict access (or set ${gen1Inputs(api).restrict}, in ${gen1Inputs(api).file}), then \`amplify push\`; callers sign with the identity pool's credentials (aws-amplify does).`
        : `Give the method an authorization in backend.ts, e.g. \`addMethod('${m.method}', integration, { authorizationType: AuthorizationType.IAM })\` with an \`execute-api:Invoke\` policy on the roles that may call it, or \`{ authorizationType: AuthorizationType.COGNITO, authorizer }\`; or set it for the whole subtree with \`addResource('…', { defaultMethodOptions: { … } })\`.`,
    })];
  });
}

/**
 * API key as the only guard. AWS: "Don't use API keys for authentication or authorization to control
 * access to your APIs" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html).
 */
export function restApiKeyOnly(ctx: LintContext): Finding[] {
  return eachMethod(ctx, (_section, api, m) => {
    if (m.authorization.type !== 'NONE' || !m.apiKeyRequired) return [];
    const rule = methodRule(api, m);
    return [finding({
      check: 'rest-api-key-only',
      subject: rule,
      severity: writesOf(m).length ? 'high' : 'medium',
      rule,
      title: `Only an API key guards ${m.method} ${m.resourcePath} of ${api.name}`,
      explanation: `${tick(rule)} requires an API key and nothing else. An API key identifies a client for usage plans (throttling, quotas); it is a shared string that ships in client code, and AWS says not to use API keys for authentication or authorization (API Gateway guide, "Usage plans and API keys").`,
      fix: `Keep \`apiKeyRequired: true\` for metering, and add an authorization to the method: \`{ apiKeyRequired: true, authorizationType: AuthorizationType.IAM }\` (or a Cognito or Lambda authorizer).`,
    })];
  });
}

/** Guests (the identity pool's unauthenticated role: anyone who loads the app) allowed to write. */
export function restGuestWrite(ctx: LintContext): Finding[] {
  if (ctx.auth.authModes.identityPool?.allowUnauthenticated === false) return [];
  return eachMethod(ctx, (section, api, m) => {
    if (m.authorization.type !== 'AWS_IAM' || m.apiKeyRequired) return [];
    const writes = writesOf(m).filter((verb) => allows(section, api, section.rolePolicies.unauthenticated, verb, m));
    if (!writes.length) return [];
    const rule = methodRule(api, m);
    return [finding({
      check: 'rest-guest-write',
      subject: rule,
      severity: 'high',
      rule,
      title: `Guests may ${listWords(writes)} ${m.resourcePath} of ${api.name}`,
      explanation: isGen1(ctx)
        ? `The identity pool's unauthenticated role has an \`execute-api:Invoke\` policy covering ${listWords(writes)} on ${tick(m.resourcePath)}: the path ${tick(cliPath(m))} gives guests write operations (${gen1Inputs(api).guest} in ${gen1Inputs(api).file}). The identity pool hands guest credentials to every visitor without sign-in (its id is in aws-exports.js), so anyone can sign such a request.`
        : `The identity pool's unauthenticated role has an \`execute-api:Invoke\` policy covering ${listWords(writes)} on ${tick(m.resourcePath)}. The identity pool hands guest credentials to every visitor without sign-in (its id is in amplify_outputs.json), so anyone can sign such a request. Amplify's REST guide attaches one policy with the \`*\` method to both roles, which does this.`,
      fix: isGen1(ctx) ? `${gen1Inputs(api).guestReadOnly} of ${tick(cliPath(m))} in ${gen1Inputs(api).file} (\`amplify update api\`), then \`amplify push\`.` : `Attach a narrower policy to \`backend.auth.resources.unauthenticatedUserIamRole\`: name the methods guests may call, e.g. \`myRestApi.arnForExecuteApi('GET', '${m.resourcePath.replace(/\{[^}]*\+\}/, '*')}', '${api.stage}')\`, and keep the \`*\` method for \`authenticatedUserIamRole\`.`,
    })];
  });
}

/**
 * A group whose role lacks what the authenticated role allows. The identity pool gives a group member the
 * role of their first group by precedence instead of the authenticated role
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html), so a policy
 * attached only to `authenticatedUserIamRole` refuses every group member.
 */
export function restGroupRoleMissing(ctx: LintContext): Finding[] {
  const section = ctx.auth.rest;
  if (!section) return [];
  return section.rolePolicies.groupPrecedence.flatMap((group): Finding[] => {
    const own = section.rolePolicies.groups[group] ?? [];
    const lostIn = new Set<Api>();
    const lost = apisOf(section).flatMap((api) => api.methods.filter((m) => m.authorization.type === 'AWS_IAM').flatMap((m) => {
      const verbs = m.method === 'ANY' ? ['GET', ...WRITE_VERBS] : [m.method];
      const refused = verbs.filter((v) => allows(section, api, section.rolePolicies.authenticated, v, m) && !allows(section, api, own, v, m));
      if (refused.length) lostIn.add(api);
      return refused.map((v) => `${api.name} ${v} ${m.resourcePath}`);
    }));
    if (!lost.length) return [];
    const inputs = [...lostIn].map(gen1Inputs);
    const shown = lost.slice(0, 5);
    return [finding({
      check: 'rest-group-role-missing',
      subject: group,
      severity: 'medium',
      title: `Members of ${group} are refused REST methods that signed-in users may call`,
      explanation: `The identity pool gives a member of ${tick(group)} that group's role instead of the authenticated role, and the ${group} role's policies do not allow ${listWords(shown.map(tick))}${lost.length > shown.length ? ` and ${lost.length - shown.length} more` : ''}, which the authenticated role's policies allow. Members of the group are refused with 403 where users without a group pass.`,
      fix: ctx.auth.source.kind === 'gen1'
        ? `Give ${tick(group)} the operations signed-in users have on those paths: ${listWords([...new Set(inputs.map((i) => `${i.group(group)} in the path's permissions in ${i.file}`))])} (\`amplify update api\`, restrict access by group) (if the refusal is intended, a contract such as "never ${lost[0]!.split(' ').slice(1).join(' ')}" for the group's persona pins it).`
        : `Attach the same policy to the group's role too: \`backend.auth.resources.groups['${group}'].role.attachInlinePolicy(apiRestPolicy)\` (if the refusal is intended, a contract such as "never ${lost[0]!.split(' ').slice(1).join(' ')}" for the group's persona pins it).`,
    })];
  });
}

/** An `execute-api:Invoke` Allow whose resource is not one API's: every REST API of the account, present and future. */
export function restWildcardPolicy(ctx: LintContext): Finding[] {
  const section = ctx.auth.rest;
  if (!section) return [];
  const roles: [string, PolicyDocument[], string][] = [
    ['the authenticated role', section.rolePolicies.authenticated, 'backend.auth.resources.authenticatedUserIamRole'],
    ['the unauthenticated role', section.rolePolicies.unauthenticated, 'backend.auth.resources.unauthenticatedUserIamRole'],
    ...Object.entries(section.rolePolicies.groups).map(([g, docs]): [string, PolicyDocument[], string] => [`the ${g} group's role`, docs, `backend.auth.resources.groups['${g}'].role`]),
  ];
  const ids = new Set(apisOf(section).map((a) => a.id));
  return roles.flatMap(([role, docs, code]): Finding[] => {
    const wide = docs.flatMap((d) => d.Statement)
      .filter((s) => s.Effect === 'Allow' && [s.Action ?? []].flat().some((a) => /^(\*|execute-api:(\*|Invoke))$/i.test(a)))
      .flatMap((s) => [s.Resource ?? []].flat())
      .filter((r) => !ids.has(/^arn:aws:execute-api:[^:]*:[^:]*:([^/]*)/.exec(r)?.[1] ?? ''));
    if (!wide.length) return [];
    return [finding({
      check: 'rest-wildcard-policy',
      subject: role,
      severity: 'low',
      title: `${role[0]!.toUpperCase()}${role.slice(1)} may invoke REST APIs beyond this app's`,
      explanation: `A policy of ${role} allows \`execute-api:Invoke\` on ${listWords([...new Set(wide)].map(tick))}, which names no API of this app: it covers every API Gateway API of the account and region that uses IAM authorization, including those added later.`,
      fix: `Write the resources with the API's own ARNs: \`myRestApi.arnForExecuteApi(method, path, stage)\` in the policy attached to \`${code}\`.`,
    })];
  });
}
