/**
 * IAM's read operations on roles and their policies, as `@aws-sdk/client-iam` calls them (IAM's Query protocol:
 * a form-encoded `POST` with `Action` and `Version=2010-05-08`, answers in XML, SigV4 for `iam` in us-east-1), over
 * the emulator's roles: ListRolePolicies and GetRolePolicy (inline policies, documents URL-encoded as IAM sends
 * them), ListAttachedRolePolicies, GetPolicy and GetPolicyVersion (managed policies, one version each), the lists
 * paged by `Marker` and `MaxItems` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRolePolicies.html).
 * A deployed run reads the identity pool's roles with them (harness/schema/rest/roles-from-sdk.ts), so that
 * reading is tested offline against the emulator as the deployed app.
 *
 * Who may read is decided as IAM does: the caller's identity-based policies must allow `iam:<Action>` on the
 * role's ARN (the policy's ARN for GetPolicy and GetPolicyVersion), else `AccessDenied`.
 */
import { randomUUID } from 'node:crypto';
import type { PolicyDocument } from '../../schema/auth-resources.js';
import type { IamCaller } from './identity-pool.js';
import { accessDeniedMessage, evaluate } from './policy.js';
import type { SigV4Result } from './sigv4.js';

export const IAM_API_VERSION = '2010-05-08';
/** IAM is global: requests are signed for us-east-1. */
export const IAM_SIGNING_REGION = 'us-east-1';
/** A request holds a few names and ARNs. */
export const IAM_API_BODY_LIMIT = 16 * 1024;
const XMLNS = `https://iam.amazonaws.com/doc/${IAM_API_VERSION}/`;
/** IAM's `MaxItems` default and bound. */
const DEFAULT_MAX_ITEMS = 100;
const MAX_ITEMS = 1000;

export interface ServedPolicy {
  name: string;
  document: PolicyDocument;
}

/** A role as IAM shows it: its inline policies, and the customer-managed policies attached to it. */
export interface ServedRole {
  name: string;
  inline: readonly ServedPolicy[];
  managed: readonly ServedPolicy[];
}

export interface IamApiAnswer {
  status: number;
  /** The XML answer (`text/xml`). */
  body: string;
}

export class IamApi {
  constructor(
    private readonly accountId: string,
    private readonly roles: readonly ServedRole[],
  ) {}

  /** The ARN of a managed policy served here (policy names are unique in an account). */
  policyArn(name: string): string {
    return `arn:aws:iam::${this.accountId}:policy/${name}`;
  }

  /** One request: the form body, and the caller its signature names (verified for `iam` in us-east-1). */
  handle(raw: string, verified: SigV4Result<IamCaller>): IamApiAnswer {
    if (!verified.ok) {
      const f = verified.failure;
      if (f.kind === 'missing') return error(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      if (f.kind === 'unknownKey' || f.kind === 'invalidToken') return error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      if (f.kind === 'expiredToken') return error(403, 'ExpiredToken', 'The security token included in the request is expired');
      if (f.kind === 'incomplete') return error(400, 'IncompleteSignature', f.message);
      return error(403, 'SignatureDoesNotMatch', f.message);
    }
    const form = new URLSearchParams(raw);
    const action = form.get('Action') ?? '';
    if (form.get('Version') !== IAM_API_VERSION || !OPERATIONS.has(action)) return error(400, 'InvalidAction', `Could not find operation ${action} for version ${form.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
    const required = (name: string): string => {
      const value = form.get(name);
      if (!value) throw new Refusal(400, 'ValidationError', `1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
      return value;
    };
    try {
      const byPolicyArn = action === 'GetPolicy' || action === 'GetPolicyVersion';
      const target = byPolicyArn ? required('PolicyArn') : `arn:aws:iam::${this.accountId}:role/${required('RoleName')}`;
      const request = { action: `iam:${action}`, resource: target, context: verified.principal.context };
      const decision = evaluate(verified.principal.role.policies, request);
      if (decision.outcome !== 'allow') return error(403, 'AccessDenied', accessDeniedMessage(verified.principal.principal.userArn, request, decision));
      return this.answer(action, form, required);
    } catch (e) {
      if (e instanceof Refusal) return error(e.status, e.code, e.message);
      throw e;
    }
  }

  private answer(action: string, form: URLSearchParams, required: (name: string) => string): IamApiAnswer {
    const role = () => {
      const name = required('RoleName');
      const found = this.roles.find((r) => r.name === name);
      if (!found) throw new Refusal(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
      return found;
    };
    const managed = () => {
      const arn = required('PolicyArn');
      const found = this.roles.flatMap((r) => r.managed).find((p) => this.policyArn(p.name) === arn);
      if (!found) throw new Refusal(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
      return found;
    };
    switch (action) {
      case 'ListRolePolicies': {
        const { items, tail } = page(role().inline, form);
        return ok(action, `<PolicyNames>${items.map((p) => member(p.name)).join('')}</PolicyNames>${tail}`);
      }
      case 'GetRolePolicy': {
        const r = role();
        const name = required('PolicyName');
        const policy = r.inline.find((p) => p.name === name);
        if (!policy) throw new Refusal(404, 'NoSuchEntity', `The role policy with name ${name} cannot be found.`);
        return ok(action, `${element('RoleName', r.name)}${element('PolicyName', name)}${element('PolicyDocument', encodeDocument(policy.document))}`);
      }
      case 'ListAttachedRolePolicies': {
        const { items, tail } = page(role().managed, form);
        return ok(action, `<AttachedPolicies>${items.map((p) => `<member>${element('PolicyName', p.name)}${element('PolicyArn', this.policyArn(p.name))}</member>`).join('')}</AttachedPolicies>${tail}`);
      }
      case 'GetPolicy': {
        const p = managed();
        const attached = this.roles.filter((r) => r.managed.includes(p)).length;
        return ok(action, `<Policy>${element('PolicyName', p.name)}${element('Arn', this.policyArn(p.name))}${element('Path', '/')}${element('DefaultVersionId', 'v1')}${element('AttachmentCount', String(attached))}${element('IsAttachable', 'true')}</Policy>`);
      }
      default: {
        const p = managed();
        const version = required('VersionId');
        if (version !== 'v1') throw new Refusal(404, 'NoSuchEntity', `Policy ${this.policyArn(p.name)} version ${version} does not exist or is not attachable.`);
        return ok(action, `<PolicyVersion>${element('Document', encodeDocument(p.document))}${element('VersionId', 'v1')}${element('IsDefaultVersion', 'true')}</PolicyVersion>`);
      }
    }
  }
}

const OPERATIONS = new Set(['ListRolePolicies', 'GetRolePolicy', 'ListAttachedRolePolicies', 'GetPolicy', 'GetPolicyVersion']);

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** IAM sends policy documents URL-encoded (RFC 3986). */
function encodeDocument(document: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(document)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `MaxItems` items from `Marker` (an offset here), with `IsTruncated` and the next `Marker`. */
function page<T>(items: readonly T[], form: URLSearchParams): { items: readonly T[]; tail: string } {
  const asked = form.get('MaxItems');
  const max = asked === null ? DEFAULT_MAX_ITEMS : Number(asked);
  if (!Number.isInteger(max) || max < 1 || max > MAX_ITEMS) throw new Refusal(400, 'ValidationError', `1 validation error detected: Value '${asked}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_ITEMS}`);
  const marker = form.get('Marker');
  const from = marker === null ? 0 : Number(marker);
  if (!Number.isInteger(from) || from < 0 || from > items.length) throw new Refusal(400, 'ValidationError', 'Invalid Marker.');
  const next = from + max < items.length ? String(from + max) : undefined;
  return { items: items.slice(from, from + max), tail: `${element('IsTruncated', next ? 'true' : 'false')}${next ? element('Marker', next) : ''}` };
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
const member = (value: string) => element('member', value);
const metadata = () => `<ResponseMetadata>${element('RequestId', randomUUID())}</ResponseMetadata>`;

function ok(action: string, result: string): IamApiAnswer {
  return { status: 200, body: `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>${metadata()}</${action}Response>` };
}

function error(status: number, code: string, message: string): IamApiAnswer {
  return { status, body: `<ErrorResponse xmlns="${XMLNS}"><Error>${element('Type', 'Sender')}${element('Code', code)}${element('Message', message)}</Error>${element('RequestId', randomUUID())}</ErrorResponse>` };
}
