/**
 * The IAM policy engine against AWS's documented examples (each case cites its page) and the laws of
 * policy evaluation (a Deny never widens, an Allow never narrows, order is irrelevant).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accessDeniedMessage,
  compilePolicy,
  evaluate,
  PolicyError,
  type AccessRequest,
  type CompiledPolicy,
  type PolicyDecision,
  type RequestContext,
} from '../../../harness/emulator/iam/policy.js';
import type { PolicyStatement } from '../../../harness/schema/auth-resources.js';

const DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';
const V = '2012-10-17';

/** `Version: null` leaves the element out. */
const policy = (Statement: PolicyStatement | PolicyStatement[], Version: string | null = V, name = 'p') =>
  compilePolicy(name, Version === null ? { Statement } : { Version, Statement });

interface Case {
  name: string;
  request: AccessRequest;
  outcome: PolicyDecision['outcome'];
  /** The Sid (or index) of the deciding statement. */
  by?: string | number;
}

function check(policies: CompiledPolicy[], cases: Case[]) {
  for (const c of cases) {
    const d = evaluate(policies, c.request);
    expect([c.name, d.outcome], d.reason).toEqual([c.name, c.outcome]);
    if (c.by !== undefined && d.outcome !== 'implicitDeny') expect(typeof c.by === 'string' ? d.statement.sid : d.statement.index).toBe(c.by);
  }
}

const s3 = (action: string, resource: string, context?: RequestContext): AccessRequest => ({ action: `s3:${action}`, resource: `arn:aws:s3:::${resource}`, ...(context ? { context } : {}) });

describe('documented evaluation examples', () => {
  it(`Carlos and the log buckets: explicit Deny beats Allow, Allow beats the implicit deny (${DOCS}reference_policies_evaluation-logic.html#policies_evaluation_example)`, () => {
    const carlos = policy([
      { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
      { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
      { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
    ]);
    check([carlos], [
      { name: 'save to carlossalazar-logs', request: s3('PutObject', 'carlossalazar-logs/file.txt'), outcome: 'explicitDeny', by: 'DenyS3Logs' },
      { name: 'save to carlossalazar', request: s3('PutObject', 'carlossalazar/file.txt'), outcome: 'allow', by: 'AllowS3Self' },
      { name: 'list buckets', request: s3('ListAllMyBuckets', 'carlossalazar'), outcome: 'allow', by: 'AllowS3ListRead' },
      { name: "another user's bucket", request: s3('GetObject', 'someone-else/file.txt'), outcome: 'implicitDeny' },
      { name: 'read in his own bucket', request: s3('GetObject', 'carlossalazar/file.txt'), outcome: 'allow', by: 'AllowS3Self' },
    ]);
    expect(evaluate([], s3('GetObject', 'carlossalazar/file.txt')).outcome).toBe('implicitDeny');
  });

  it(`NotAction with Allow grants everything but the named service (${DOCS}reference_policies_elements_notaction.html)`, () => {
    check([policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], [
      { name: 's3', request: s3('GetObject', 'b/k'), outcome: 'allow', by: 0 },
      { name: 'iam', request: { action: 'iam:CreateUser', resource: 'arn:aws:iam::123456789012:user/x' }, outcome: 'implicitDeny' },
    ]);
  });

  it(`NotResource with Deny refuses every resource but the listed ones (${DOCS}reference_policies_elements_notresource.html)`, () => {
    const p = policy([
      { Sid: 'all', Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'onlyPayroll', Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'] },
    ]);
    check([p], [
      { name: 'payroll file', request: s3('GetObject', 'HRBucket/Payroll/june.csv'), outcome: 'allow', by: 'all' },
      { name: 'other HR file', request: s3('GetObject', 'HRBucket/Other/x'), outcome: 'explicitDeny', by: 'onlyPayroll' },
    ]);
  });

  it('actions compare case-insensitively, resources case-sensitively', () => {
    const p = policy({ Effect: 'Allow', Action: 'S3:getobject', Resource: 'arn:aws:s3:::Bucket/*' });
    check([p], [
      { name: 'action in another case', request: s3('GetObject', 'Bucket/k'), outcome: 'allow' },
      { name: 'bucket in another case', request: s3('GetObject', 'bucket/k'), outcome: 'implicitDeny' },
    ]);
  });
});

describe('wildcards', () => {
  it(`a * in a Resource spans "/" (${DOCS}reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards)`, () => {
    const p = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*' });
    const yes = ['1/test/object.jpg', '1/2/test/object.jpg', '1/2/test/3/object.jpg', '1/2/3/test/4/object.jpg', '1///test///object.jpg', '1/test/.jpg', '/test/object.jpg', '1/test/'];
    const no = ['test/object.jpg', '1/test.jpg', '1/tests/object.jpg'];
    check([p], [
      ...yes.map((k) => ({ name: k, request: s3('GetObject', `amzn-s3-demo-bucket/${k}`), outcome: 'allow' as const })),
      ...no.map((k) => ({ name: k, request: s3('GetObject', `amzn-s3-demo-bucket/${k}`), outcome: 'implicitDeny' as const })),
    ]);
  });

  it('a * inside an ARN component stays in it unless it ends the component; in the resource part it crosses colons', () => {
    const req = (resource: string): AccessRequest => ({ action: 'sqs:SendMessage', resource });
    const p = (Resource: string) => [policy({ Effect: 'Allow', Action: 'sqs:*', Resource })];
    check(p('arn:aws:sqs:us-*-2:123456789012:queue1'), [
      { name: 'within the region component', request: req('arn:aws:sqs:us-east-2:123456789012:queue1'), outcome: 'allow' },
      { name: 'not across a colon', request: req('arn:aws:sqs:us-east:x-2:123456789012:queue1'), outcome: 'implicitDeny' },
    ]);
    check(p('arn:aws:sqs:us-east-2:*'), [{ name: 'a trailing * expands past colons', request: req('arn:aws:sqs:us-east-2:123456789012:queue1'), outcome: 'allow' }]);
    check(p('arn:aws:sqs:us-east-2:123456789012:q*1'), [{ name: 'resource part holds colons', request: req('arn:aws:sqs:us-east-2:123456789012:q:a:1'), outcome: 'allow' }]);
    check(p('arn:aws:sqs:us-east-?:123456789012:queue1'), [
      { name: '? is one character', request: req('arn:aws:sqs:us-east-2:123456789012:queue1'), outcome: 'allow' },
      { name: '? is not two', request: req('arn:aws:sqs:us-east-22:123456789012:queue1'), outcome: 'implicitDeny' },
    ]);
  });

  it(`ArnLike checks each colon-delimited component on its own, StringLike does not (${DOCS}reference_policies_elements_condition_operators.html#Conditions_ARN)`, () => {
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    const cond = (op: string) => [policy({ Effect: 'Allow', Action: 'someservice:*', Resource: '*', Condition: { [op]: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } } })];
    const request: AccessRequest = { action: 'someservice:Do', resource: 'arn:aws:someservice:us-east-2:1:x', context: { 'aws:SourceArn': value } };
    check(cond('StringLike'), [{ name: 'StringLike', request, outcome: 'allow' }]);
    check(cond('ArnLike'), [{ name: 'ArnLike', request, outcome: 'implicitDeny' }]);
    check(cond('ArnEquals'), [{ name: 'ArnEquals behaves as ArnLike', request, outcome: 'implicitDeny' }]);
  });
});

describe('policy variables', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-intro
  const home = (Version: string | null) =>
    policy(
      [
        { Sid: 'list', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::mybucket', Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } },
        { Sid: 'objects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::mybucket/${aws:username}/*' },
      ],
      Version,
    );

  it(`\${aws:username} in Resource and Condition (${DOCS}reference_policies_variables.html)`, () => {
    const david = { 'aws:username': 'David' };
    check([home(V)], [
      { name: 'own folder', request: s3('GetObject', 'mybucket/David/notes.txt', david), outcome: 'allow', by: 'objects' },
      { name: "another user's folder", request: s3('GetObject', 'mybucket/Adele/notes.txt', david), outcome: 'implicitDeny' },
      { name: 'list own prefix', request: s3('ListBucket', 'mybucket', { ...david, 's3:prefix': 'David/photos' }), outcome: 'allow', by: 'list' },
      { name: 'list another prefix', request: s3('ListBucket', 'mybucket', { ...david, 's3:prefix': 'Adele/' }), outcome: 'implicitDeny' },
      { name: 'key names are case-insensitive', request: s3('GetObject', 'mybucket/David/x', { 'AWS:UserName': 'David' }), outcome: 'allow' },
    ]);
  });

  it('a variable with no value in the request makes its statement not apply, also a Deny', () => {
    check([home(V)], [{ name: 'assumed role: no aws:username', request: s3('GetObject', 'mybucket/${aws:username}/x', { 'aws:userid': 'AROA:session' }), outcome: 'implicitDeny' }]);
    const p = policy([
      { Sid: 'all', Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'deny', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' },
      { Sid: 'denyCond', Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 's3:prefix': '${aws:username}' } } },
    ]);
    check([p], [{ name: 'neither Deny applies', request: s3('GetObject', 'b/anything/x'), outcome: 'allow', by: 'all' }]);
    const multi = policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:TagKeys}' });
    check([multi], [{ name: 'a multivalued key is no variable', request: s3('GetObject', 'b/a', { 'aws:TagKeys': ['a', 'b'] }), outcome: 'implicitDeny' }]);
  });

  it('without Version 2012-10-17 a variable is literal text', () => {
    const david = { 'aws:username': 'David' };
    check([home(null)], [
      { name: 'no substitution', request: s3('GetObject', 'mybucket/David/x', david), outcome: 'implicitDeny' },
      { name: 'the literal text', request: s3('GetObject', 'mybucket/${aws:username}/x', david), outcome: 'allow' },
    ]);
    check([home('2008-10-17')], [{ name: '2008 version', request: s3('GetObject', 'mybucket/David/x', david), outcome: 'implicitDeny' }]);
  });

  it(`default values and the \${*} \${?} \${$} escapes (${DOCS}reference_policies_variables.html#policy-vars-default-values)`, () => {
    const p = policy([
      { Sid: 'default', Effect: 'Allow', Action: 's3:GetObject', Resource: "arn:aws:s3:::b/${aws:userid, 'anonymous'}/*" },
      { Sid: 'star', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/${*}${?}${$}' },
    ]);
    check([p], [
      { name: 'default used', request: s3('GetObject', 'b/anonymous/x'), outcome: 'allow', by: 'default' },
      { name: 'value used', request: s3('GetObject', 'b/AIDA1/x', { 'aws:userid': 'AIDA1' }), outcome: 'allow', by: 'default' },
      { name: 'default not used when a value exists', request: s3('GetObject', 'b/anonymous/x', { 'aws:userid': 'AIDA1' }), outcome: 'implicitDeny' },
      { name: 'escaped characters are literal', request: s3('PutObject', 'b/*?$'), outcome: 'allow', by: 'star' },
      { name: 'an escaped * is no wildcard', request: s3('PutObject', 'b/x?$'), outcome: 'implicitDeny' },
    ]);
  });

  it('a substituted value is literal: a * in it is no wildcard', () => {
    const p = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}' });
    check([p], [
      { name: 'same text', request: s3('GetObject', 'b/*', { 'aws:username': '*' }), outcome: 'allow' },
      { name: 'other text', request: s3('GetObject', 'b/x', { 'aws:username': '*' }), outcome: 'implicitDeny' },
    ]);
  });
});

describe('conditions', () => {
  const allowIf = (Condition: PolicyStatement['Condition']) => [policy({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition })];
  const req = (context: RequestContext = {}) => s3('GetObject', 'b/k', context);

  it(`a missing key fails a condition, except negated operators, ...IfExists and Null (${DOCS}reference_policies_elements_condition_operators.html)`, () => {
    check(allowIf({ StringLike: { 's3:prefix': '*' } }), [{ name: 'StringLike, key absent', request: req(), outcome: 'implicitDeny' }]);
    check(allowIf({ StringNotLike: { 's3:prefix': 'x*' } }), [{ name: 'StringNotLike, key absent', request: req(), outcome: 'allow' }]);
    check(allowIf({ ArnNotLike: { 'aws:SourceArn': 'arn:*' } }), [{ name: 'ArnNotLike, key absent', request: req(), outcome: 'allow' }]);
    check(allowIf({ StringEqualsIfExists: { 's3:prefix': 'x' } }), [
      { name: 'IfExists, key absent', request: req(), outcome: 'allow' },
      { name: 'IfExists, key present and different', request: req({ 's3:prefix': 'y' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ Null: { 'aws:TokenIssueTime': 'true' } }), [
      { name: 'Null true, key absent', request: req(), outcome: 'allow' },
      { name: 'Null true, key present', request: req({ 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ Null: { 'aws:TokenIssueTime': false } }), [{ name: 'Null false, key present', request: req({ 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }), outcome: 'allow' }]);
  });

  it(`operators AND, keys AND, values OR, negated values NOR (${DOCS}reference_policies_multi-value-conditions.html)`, () => {
    const p = allowIf({ StringEquals: { 'aws:PrincipalTag/department': ['finance', 'hr'], 'aws:PrincipalTag/role': 'audit' }, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Audit*' } });
    const ctx = { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'audit', 'aws:PrincipalArn': 'arn:aws:iam::1:role/AuditOne' };
    check(p, [
      { name: 'all true', request: req(ctx), outcome: 'allow' },
      { name: 'one value of the OR', request: req({ ...ctx, 'aws:PrincipalTag/department': 'finance' }), outcome: 'allow' },
      { name: 'second key false', request: req({ ...ctx, 'aws:PrincipalTag/role': 'dev' }), outcome: 'implicitDeny' },
      { name: 'second operator false', request: req({ ...ctx, 'aws:PrincipalArn': 'arn:aws:iam::1:role/Dev' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ StringNotEquals: { 'aws:PrincipalTag/department': ['finance', 'hr'] } }), [
      { name: 'NOR: matches one', request: req({ 'aws:PrincipalTag/department': 'hr' }), outcome: 'implicitDeny' },
      { name: 'NOR: matches none', request: req({ 'aws:PrincipalTag/department': 'dev' }), outcome: 'allow' },
    ]);
  });

  it(`ForAllValues and ForAnyValue (${DOCS}reference_policies_condition-single-vs-multi-valued-context-keys.html)`, () => {
    const all = allowIf({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } });
    const any = allowIf({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } });
    check(all, [
      { name: 'all: subset', request: req({ 'aws:TagKeys': ['a'] }), outcome: 'allow' },
      { name: 'all: one outside', request: req({ 'aws:TagKeys': ['a', 'c'] }), outcome: 'implicitDeny' },
      { name: 'all: key absent is true', request: req(), outcome: 'allow' },
    ]);
    check(any, [
      { name: 'any: one inside', request: req({ 'aws:TagKeys': ['c', 'b'] }), outcome: 'allow' },
      { name: 'any: none inside', request: req({ 'aws:TagKeys': ['c'] }), outcome: 'implicitDeny' },
      { name: 'any: key absent is false', request: req(), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'secret*' } }), [
      { name: 'no value is secret', request: req({ 'aws:TagKeys': ['a', 'b'] }), outcome: 'allow' },
      { name: 'one value is secret', request: req({ 'aws:TagKeys': ['a', 'secretX'] }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'a*' } }), [{ name: 'qualifier and IfExists together', request: req(), outcome: 'allow' }]);
  });

  it('IgnoreCase, Bool, Numeric, Date and IpAddress operators as the operators page shows them', () => {
    check(allowIf({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Blue' } }), [{ name: 'IgnoreCase', request: req({ 'aws:PrincipalTag/team': 'BLUE' }), outcome: 'allow' }]);
    check(allowIf({ StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Blue' } }), [{ name: 'NotEqualsIgnoreCase', request: req({ 'aws:PrincipalTag/team': 'blue' }), outcome: 'implicitDeny' }]);
    const tls = [policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Sid: 'BooleanExample', Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }])];
    check(tls, [
      { name: 'plain HTTP', request: req({ 'aws:SecureTransport': false }), outcome: 'explicitDeny', by: 'BooleanExample' },
      { name: 'TLS', request: req({ 'aws:SecureTransport': 'TRUE' }), outcome: 'allow' },
    ]);
    check(allowIf({ NumericLessThanEquals: { 's3:max-keys': '10' } }), [
      { name: 'max-keys 10', request: req({ 's3:max-keys': 10 }), outcome: 'allow' },
      { name: 'max-keys 11', request: req({ 's3:max-keys': '11' }), outcome: 'implicitDeny' },
      { name: 'not a number', request: req({ 's3:max-keys': 'ten' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }), [
      { name: 'issued after', request: req({ 'aws:TokenIssueTime': '2021-06-01T00:00:00Z' }), outcome: 'allow' },
      { name: 'issued before, as epoch seconds', request: req({ 'aws:TokenIssueTime': '1500000000' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64', '198.51.100.7'] } }), [
      { name: 'in the v4 range', request: req({ 'aws:SourceIp': '203.0.113.9' }), outcome: 'allow' },
      { name: 'in the v6 range', request: req({ 'aws:SourceIp': '2001:db8:1234:5678::1' }), outcome: 'allow' },
      { name: 'a single address is /32', request: req({ 'aws:SourceIp': '198.51.100.7' }), outcome: 'allow' },
      { name: 'outside', request: req({ 'aws:SourceIp': '203.0.114.1' }), outcome: 'implicitDeny' },
    ]);
    check(allowIf({ NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }), [{ name: 'NotIpAddress', request: req({ 'aws:SourceIp': '127.0.0.1' }), outcome: 'implicitDeny' }]);
  });
});

describe("the policies Amplify's backends attach (docs/iam.md)", () => {
  it('storage: s3:prefix list conditions and the owner path on the identity id', () => {
    const sub = '${cognito-identity.amazonaws.com:sub}';
    const p = policy([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['media/*', 'media/', `private/${sub}/*`, `private/${sub}/`] } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:aws:s3:::bkt/media/*', `arn:aws:s3:::bkt/private/${sub}/*`] },
    ]);
    // Identity-pool credentials always carry the identity id (docs/iam.md, "Request context").
    const me = { 'cognito-identity.amazonaws.com:sub': 'us-east-1:1111' };
    check([p], [
      { name: 'list media/', request: s3('ListBucket', 'bkt', { ...me, 's3:prefix': 'media/' }), outcome: 'allow' },
      { name: 'list media/a', request: s3('ListBucket', 'bkt', { ...me, 's3:prefix': 'media/a' }), outcome: 'allow' },
      { name: 'list "media" without the slash', request: s3('ListBucket', 'bkt', { ...me, 's3:prefix': 'media' }), outcome: 'implicitDeny' },
      { name: 'list with an empty prefix', request: s3('ListBucket', 'bkt', { ...me, 's3:prefix': '' }), outcome: 'implicitDeny' },
      { name: 'list with no prefix', request: s3('ListBucket', 'bkt', me), outcome: 'implicitDeny' },
      { name: 'no identity id: the statement with the variable does not apply', request: s3('ListBucket', 'bkt', { 's3:prefix': 'media/' }), outcome: 'implicitDeny' },
      { name: 'own private file', request: s3('GetObject', 'bkt/private/us-east-1:1111/a.jpg', me), outcome: 'allow' },
      { name: "another identity's file", request: s3('GetObject', 'bkt/private/us-east-1:2222/a.jpg', me), outcome: 'implicitDeny' },
      { name: 'list own private folder', request: s3('ListBucket', 'bkt', { ...me, 's3:prefix': 'private/us-east-1:1111/' }), outcome: 'allow' },
    ]);
  });

  it("REST: execute-api:Invoke on arnForExecuteApi's ARNs, and the message API Gateway writes", () => {
    const api = 'arn:aws:execute-api:us-east-1:123456789012:abc123';
    const p = policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${api}/dev/*/items`, `${api}/dev/*/items/*`] }, V, 'amplify-items');
    const invoke = (verb: string, path: string): AccessRequest => ({ action: 'execute-api:Invoke', resource: `${api}/dev/${verb}/${path}` });
    check([p], [
      { name: 'GET /items', request: invoke('GET', 'items'), outcome: 'allow' },
      { name: 'DELETE /items/1/x', request: invoke('DELETE', 'items/1/x'), outcome: 'allow' },
      { name: 'GET /admin', request: invoke('GET', 'admin'), outcome: 'implicitDeny' },
      { name: 'other stage', request: { action: 'execute-api:Invoke', resource: `${api}/prod/GET/items` }, outcome: 'implicitDeny' },
    ]);
    const request = invoke('GET', 'admin');
    const role = 'arn:aws:sts::123456789012:assumed-role/amplify-authRole/CognitoIdentityCredentials';
    expect(accessDeniedMessage(role, request, evaluate([p], request))).toBe(
      `User: ${role} is not authorized to perform: execute-api:Invoke on resource: ${api}/dev/GET/admin because no identity-based policy allows the execute-api:Invoke action`,
    );
    const deny = policy({ Effect: 'Deny', Action: 'execute-api:*', Resource: '*' });
    expect(accessDeniedMessage(role, request, evaluate([p, deny], request), { quoteResource: true })).toBe(
      `User: ${role} is not authorized to perform: execute-api:Invoke on resource: "${api}/dev/GET/admin" with an explicit deny in an identity-based policy`,
    );
  });

  it('AppSync: appsync:GraphQL on field and type ARNs', () => {
    const api = 'arn:aws:appsync:us-east-1:123456789012:apis/abc';
    const p = policy({ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: [`${api}/types/Query/fields/getTodo`, `${api}/types/Todo/*`] });
    const gql = (type: string, field: string): AccessRequest => ({ action: 'appsync:GraphQL', resource: `${api}/types/${type}/fields/${field}` });
    check([p], [
      { name: 'Query.getTodo', request: gql('Query', 'getTodo'), outcome: 'allow' },
      { name: 'Todo.title', request: gql('Todo', 'title'), outcome: 'allow' },
      { name: 'Query.listTodos', request: gql('Query', 'listTodos'), outcome: 'implicitDeny' },
      { name: 'another API', request: { action: 'appsync:GraphQL', resource: 'arn:aws:appsync:us-east-1:123456789012:apis/other/types/Todo/fields/title' }, outcome: 'implicitDeny' },
    ]);
  });
});

describe('compilePolicy refuses what IAM refuses', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', [], '(document)'],
    ['no Statement', { Version: V }, 'Statement'],
    ['an unknown version', { Version: '2020-01-01', Statement: [] }, 'Version'],
    ['a Principal', { Version: V, Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] }, 'Statement[0].Principal'],
    ['Action and NotAction', { Version: V, Statement: { Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*', Resource: '*' } }, 'Statement'],
    ['no Resource', { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*' }] }, 'Statement[0]'],
    ['a bad Effect', { Version: V, Statement: [{ Effect: 'allow', Action: 's3:*', Resource: '*' }] }, 'Statement[0].Effect'],
    ['an action without a service', { Version: V, Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] }, 'Statement[0].Action[0]'],
    ['a resource that is no ARN', { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'bucket/*' }] }, 'Statement[0].Resource[0]'],
    ['an unknown operator', { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringSortOf: { k: 'v' } } }] }, 'Statement[0].Condition.StringSortOf.k'],
    ['an object as a condition value', { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { k: { a: 1 } } } }] }, 'Statement[0].Condition.StringEquals.k'],
    ['an empty Action list', { Version: V, Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, 'Statement[0].Action'],
  ];
  for (const [name, doc, path] of cases) {
    it(name, () => {
      try {
        compilePolicy('bad', doc);
        expect.unreachable(`${name} compiled`);
      } catch (e) {
        expect(e).toBeInstanceOf(PolicyError);
        expect((e as PolicyError).path).toBe(path);
      }
    });
  }
});

describe('laws', () => {
  const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 'execute-api:Invoke', 'appsync:GraphQL'];
  const RESOURCES = ['arn:aws:s3:::b/media/a.jpg', 'arn:aws:s3:::b/private/us-east-1:1/x', 'arn:aws:s3:::b', 'arn:aws:execute-api:us-east-1:1:api/dev/GET/items', 'arn:aws:appsync:us-east-1:1:apis/a/types/Query/fields/f'];
  const actionPattern = fc.constantFrom('*', 's3:*', 's3:Get*', 'S3:getobject', 's3:?utObject', 'execute-api:Invoke', 'appsync:*', 'iam:*');
  const resourcePattern = fc.constantFrom('*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/media/*', 'arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*', 'arn:aws:s3:::b', 'arn:aws:execute-api:*:*:api/dev/*', 'arn:aws:appsync:us-east-1:1:apis/a/*', 'arn:aws:s3:::${aws:username}');
  const condition = fc.option(
    fc.constantFrom<PolicyStatement['Condition']>(
      { StringLike: { 's3:prefix': 'media/*' } },
      { StringNotEquals: { 'aws:username': 'alice' } },
      { Bool: { 'aws:SecureTransport': 'true' } },
      { 'ForAnyValue:StringEquals': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
      { Null: { 'aws:username': 'true' } },
    ),
    { nil: undefined },
  );
  const statement: fc.Arbitrary<PolicyStatement> = fc
    .record({ effect: fc.constantFrom('Allow' as const, 'Deny' as const), notAction: fc.boolean(), actions: fc.array(actionPattern, { minLength: 1, maxLength: 2 }), notResource: fc.boolean(), resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }), condition })
    .map((r) => ({
      Effect: r.effect,
      ...(r.notAction ? { NotAction: r.actions } : { Action: r.actions }),
      ...(r.notResource ? { NotResource: r.resources } : { Resource: r.resources }),
      ...(r.condition ? { Condition: r.condition } : {}),
    }));
  const request: fc.Arbitrary<AccessRequest> = fc.record({
    action: fc.constantFrom(...ACTIONS),
    resource: fc.constantFrom(...RESOURCES),
    context: fc.record(
      {
        'aws:username': fc.constantFrom('alice', 'b'),
        's3:prefix': fc.constantFrom('media/', 'private/'),
        'aws:SecureTransport': fc.boolean(),
        'cognito-identity.amazonaws.com:sub': fc.constant('us-east-1:1'),
        'cognito-identity.amazonaws.com:amr': fc.constantFrom(['authenticated', 'cognito-idp'], ['unauthenticated']),
      },
      { requiredKeys: [] },
    ),
  });
  const policies = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }), { maxLength: 3 });
  const compile = (ps: PolicyStatement[][]) => ps.map((s, i) => policy(s, V, `p${i}`));
  const outcome = (ps: PolicyStatement[][], r: AccessRequest) => evaluate(compile(ps), r).outcome;

  it('adding a Deny statement never widens access', () => {
    fc.assert(
      fc.property(policies, statement, request, (ps, s, r) => {
        const before = outcome(ps, r);
        const after = outcome([...ps, [{ ...s, Effect: 'Deny' }]], r);
        if (after === 'allow') expect(before).toBe('allow');
        if (before === 'explicitDeny') expect(after).toBe('explicitDeny');
      }),
      { numRuns: 400 },
    );
  });

  it('adding an Allow statement never narrows access', () => {
    fc.assert(
      fc.property(policies, statement, request, (ps, s, r) => {
        const before = outcome(ps, r);
        const after = outcome([...ps, [{ ...s, Effect: 'Allow' }]], r);
        if (before === 'allow') expect(after).toBe('allow');
        if (before === 'explicitDeny') expect(after).toBe('explicitDeny');
      }),
      { numRuns: 400 },
    );
  });

  it('the order of statements and policies is irrelevant', () => {
    fc.assert(
      fc.property(policies, request, fc.nat(), (ps, r, seed) => {
        const flat = ps.flat();
        const shuffled = [...flat].sort((a, b) => (hash(JSON.stringify(a), seed) - hash(JSON.stringify(b), seed)));
        const regrouped = shuffled.length ? [shuffled.slice(0, seed % shuffled.length || 1), shuffled.slice(seed % shuffled.length || 1)].filter((g) => g.length) : [];
        expect(outcome(regrouped, r)).toBe(outcome(ps, r));
      }),
      { numRuns: 400 },
    );
  });

  it('a Deny with the same elements as an Allow cancels exactly what the Allow grants', () => {
    fc.assert(
      fc.property(statement, request, (s, r) => {
        const alone = outcome([[{ ...s, Effect: 'Allow' }]], r);
        const both = outcome([[{ ...s, Effect: 'Allow' }, { ...s, Effect: 'Deny' }]], r);
        expect(both).toBe(alone === 'allow' ? 'explicitDeny' : 'implicitDeny');
      }),
      { numRuns: 300 },
    );
  });

  it('NotAction applies exactly where Action does not (no conditions, all resources)', () => {
    fc.assert(
      fc.property(fc.array(actionPattern, { minLength: 1, maxLength: 3 }), request, (actions, r) => {
        const yes = outcome([[{ Effect: 'Allow', Action: actions, Resource: '*' }]], r);
        const no = outcome([[{ Effect: 'Allow', NotAction: actions, Resource: '*' }]], r);
        expect(yes === 'allow').toBe(no !== 'allow');
      }),
      { numRuns: 300 },
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}
