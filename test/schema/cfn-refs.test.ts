/**
 * What a `Ref` to a resource returns, where the REST model depends on it. A Cognito method's custom scope is written
 * `${resourceServer.userPoolResourceServerId}/read` (duttaanup/virtual-fashion-assistant), a `Ref` to the resource
 * server, which returns its identifier: the scope was read as `auth-UserPoolResourceServer…/read` instead of `api/read`.
 */
import { describe, expect, it } from 'vitest';
import { Templates } from '../../harness/schema/rest/cfn.js';

describe('Ref', () => {
  it('to a user pool resource server is its identifier, so a custom scope reads as Cognito writes it', () => {
    const t = new Templates({
      auth: {
        Resources: {
          Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
          Server: { Type: 'AWS::Cognito::UserPoolResourceServer', Properties: { Identifier: 'api', Name: 'api', UserPoolId: { Ref: 'Pool' } } },
          Method: { Type: 'AWS::ApiGateway::Method', Properties: { AuthorizationScopes: [{ 'Fn::Join': ['', [{ Ref: 'Server' }, '/read']] }] } },
        },
      },
    }, { region: 'us-east-1', account: '123456789012' });
    const method = [...t.resources('AWS::ApiGateway::Method')][0]!;
    expect(t.prop(method, 'AuthorizationScopes')).toEqual(['api/read']);
    expect(t.physicalId('auth', 'Pool')).toBe('auth-Pool');
  });
});
