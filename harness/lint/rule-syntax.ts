/**
 * Rules and auth fields written back as schema code, for fix suggestions: Gen 2 `allow.*` builders or
 * Gen 1 `@auth` rule objects.
 */
import { READ_OPERATIONS, type AuthModel, type Field, type ModelOperation, type Rule } from '../schema/model.js';

export type Dialect = 'gen2' | 'gen1';

/** amplify_outputs.json is written by Gen 2 deployments, so its fixes are in Gen 2 syntax too. */
export function dialectOf(auth: AuthModel): Dialect {
  return auth.source.kind === 'gen1' ? 'gen1' : 'gen2';
}

const WRITE_WORDS = ['create', 'update', 'delete'] as const;

/**
 * The operation words a rule is written with: `read` when every read operation is granted (field rules
 * know only create, update, delete and read, so any read operation becomes `read` there).
 */
export function operationWords(ops: readonly ModelOperation[], fieldLevel: boolean): string[] {
  const reads = READ_OPERATIONS.filter((o) => ops.includes(o));
  const readWords = reads.length === READ_OPERATIONS.length || (fieldLevel && reads.length) ? ['read'] : reads;
  return [...readWords, ...WRITE_WORDS.filter((o) => ops.includes(o))];
}

const ALL_WORDS = ['read', ...WRITE_WORDS].join();

export interface RuleCodeOptions {
  dialect: Dialect;
  /** The default owner claim of this API (`sub::username` or `username`): left out of the code. */
  defaultIdentityClaim: string;
  /** Write the rule with these operations instead of its own. */
  operations?: readonly ModelOperation[];
  fieldLevel?: boolean;
  /** Write owner rules with this identityClaim instead of their own. */
  identityClaim?: string;
}

export function ruleCode(rule: Rule, opts: RuleCodeOptions): string {
  const words = operationWords(opts.operations ?? rule.operations, opts.fieldLevel ?? false);
  const claim = rule.kind === 'owner' ? (opts.identityClaim ?? rule.identityClaim) : undefined;
  return opts.dialect === 'gen2' ? gen2Rule(rule, words, claim, opts) : gen1Rule(rule, words, claim, opts);
}

const quote = (s: string): string => `'${s}'`;

function gen2Rule(rule: Rule, words: string[], claim: string | undefined, opts: RuleCodeOptions): string {
  const to = words.join() === ALL_WORDS ? '' : `.to([${words.map(quote).join(', ')}])`;
  return `${gen2Builder(rule)}${claimModifier(rule, claim, opts)}${to}`;
}

function gen2Builder(rule: Rule): string {
  const oidc = rule.provider === 'oidc' ? quote('oidc') : '';
  const withProvider = (first: string) => (oidc ? `${first}, ${oidc}` : first);
  switch (rule.kind) {
    case 'public':
      return rule.provider === 'apiKey' ? 'allow.publicApiKey()' : 'allow.guest()';
    case 'private':
      return `allow.authenticated(${rule.provider === 'iam' ? quote('identityPool') : oidc})`;
    case 'custom':
      return 'allow.custom()';
    case 'owner':
      if (rule.multiOwner) return `allow.ownersDefinedIn(${withProvider(quote(rule.ownerField))})`;
      return rule.ownerField === 'owner' ? `allow.owner(${oidc})` : `allow.ownerDefinedIn(${withProvider(quote(rule.ownerField))})`;
    case 'staticGroup':
      return rule.groups.length === 1
        ? `allow.group(${withProvider(quote(rule.groups[0]!))})`
        : `allow.groups(${withProvider(`[${rule.groups.map(quote).join(', ')}]`)})`;
    case 'dynamicGroup':
      return `allow.${rule.multiGroup ? 'groupsDefinedIn' : 'groupDefinedIn'}(${withProvider(quote(rule.groupsField))})`;
  }
}

function claimModifier(rule: Rule, claim: string | undefined, opts: RuleCodeOptions): string {
  if (claim !== undefined && claim !== opts.defaultIdentityClaim) return `.identityClaim(${quote(claim)})`;
  if ((rule.kind === 'staticGroup' || rule.kind === 'dynamicGroup') && rule.groupClaim !== 'cognito:groups') {
    return `.withClaimIn(${quote(rule.groupClaim)})`;
  }
  return '';
}

function gen1Rule(rule: Rule, words: string[], claim: string | undefined, opts: RuleCodeOptions): string {
  const parts = [`allow: ${GEN1_ALLOW[rule.kind]}`];
  if (rule.provider !== GEN1_DEFAULT_PROVIDER[rule.kind]) parts.push(`provider: ${rule.provider}`);
  if (rule.kind === 'owner' && rule.ownerField !== 'owner') parts.push(`ownerField: "${rule.ownerField}"`);
  if (claim !== undefined && claim !== opts.defaultIdentityClaim) parts.push(`identityClaim: "${claim}"`);
  if (rule.kind === 'staticGroup') parts.push(`groups: [${rule.groups.map((g) => `"${g}"`).join(', ')}]`);
  if (rule.kind === 'dynamicGroup') parts.push(`groupsField: "${rule.groupsField}"`);
  if ((rule.kind === 'staticGroup' || rule.kind === 'dynamicGroup') && rule.groupClaim !== 'cognito:groups') {
    parts.push(`groupClaim: "${rule.groupClaim}"`);
  }
  if (words.join() !== ALL_WORDS) parts.push(`operations: [${words.join(', ')}]`);
  return `{ ${parts.join(', ')} }`;
}

const GEN1_ALLOW: Record<Rule['kind'], string> = {
  public: 'public',
  private: 'private',
  owner: 'owner',
  staticGroup: 'groups',
  dynamicGroup: 'groups',
  custom: 'custom',
};

const GEN1_DEFAULT_PROVIDER: Record<Rule['kind'], string> = {
  public: 'apiKey',
  private: 'userPools',
  owner: 'userPools',
  staticGroup: 'userPools',
  dynamicGroup: 'userPools',
  custom: 'function',
};

/** A model field declared with field-level rules (already written as code). */
export function fieldCode(field: Field, rules: string[], dialect: Dialect): string {
  if (dialect === 'gen1') return `${field.name}: ${gen1Type(field)} @auth(rules: [${rules.join(', ')}])`;
  return `${field.name}: ${gen2Type(field)}.authorization((allow) => [${rules.join(', ')}])`;
}

const GEN2_SCALARS: Record<string, string> = {
  ID: 'id', String: 'string', Int: 'integer', Float: 'float', Boolean: 'boolean', AWSDate: 'date', AWSTime: 'time',
  AWSDateTime: 'datetime', AWSTimestamp: 'timestamp', AWSEmail: 'email', AWSJSON: 'json', AWSURL: 'url', AWSPhone: 'phone',
  AWSIPAddress: 'ipAddress',
};

function gen2Type(field: Field): string {
  const scalar = GEN2_SCALARS[field.type];
  const base = scalar ? `a.${scalar}()` : `a.ref(${quote(field.type)})`;
  if (field.list) return `${base}.array()${field.required ? '.required()' : ''}`;
  return `${base}${field.required ? '.required()' : ''}`;
}

function gen1Type(field: Field): string {
  return field.list ? `[${field.type}]${field.required ? '!' : ''}` : `${field.type}${field.required ? '!' : ''}`;
}

/** The owner claim rules use when they name none. */
export function defaultIdentityClaim(auth: AuthModel): string {
  return auth.params.useSubUsernameForDefaultIdentityClaim ? 'sub::username' : 'username';
}
