/**
 * The user pool's client-credentials app clients, read from a synthesized template (harness/schema/rest/from-cfn.ts
 * readAppClients): which clients, named how, with which scopes.
 */
import { describe, expect, it } from 'vitest';
import { Templates, type CfnResource } from '../../harness/schema/rest/cfn.js';
import { readAppClients } from '../../harness/schema/rest/from-cfn.js';

const ENV = { region: 'us-east-1', account: '123456789012' };
const scope = (name: string) => ({ 'Fn::Join': ['', [{ Ref: 'Server' }, `/${name}`]] });
const client = (props: Record<string, unknown>, path?: string): CfnResource => ({
  Type: 'AWS::Cognito::UserPoolClient',
  Properties: { UserPoolId: { Ref: 'Pool' }, GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, ...props },
  ...(path ? { Metadata: { 'aws:cdk:path': path } } : {}),
});

function read(clients: Record<string, CfnResource>): ReturnType<typeof readAppClients> {
  const t = new Templates({
    auth: {
      Resources: {
        Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
        Other: { Type: 'AWS::Cognito::UserPool', Properties: {} },
        Server: { Type: 'AWS::Cognito::UserPoolResourceServer', Properties: { Identifier: 'api', Name: 'api', UserPoolId: { Ref: 'Pool' } } },
        ...clients,
      },
    },
  }, ENV);
  return readAppClients(t, { userPool: t.physicalId('auth', 'Pool') });
}

describe('reading the client-credentials app clients', () => {
  it.each([
    ['a client-credentials client, named by its construct id, with its resource-server scope', { M2m1234: client({ AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [scope('read')] }, 'amplify-app/auth/UserPool/m2m-client/Resource') }, [{ name: 'm2m-client', scopes: ['api/read'] }]],
    ['its ClientName wins over the construct id', { M2m1234: client({ ClientName: 'reporting', AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [scope('read'), scope('write')] }, 'amplify-app/auth/UserPool/m2m-client/Resource') }, [{ name: 'reporting', scopes: ['api/read', 'api/write'] }]],
    ['no path metadata: its logical id', { M2m1234: client({ AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [scope('read')] }) }, [{ name: 'M2m1234', scopes: ['api/read'] }]],
    ['no scopes allowed', { M2m: client({ AllowedOAuthFlows: ['client_credentials'] }) }, [{ name: 'M2m', scopes: [] }]],
    ['a code-grant client (users sign in through it)', { Web: client({ AllowedOAuthFlows: ['code', 'implicit'], AllowedOAuthScopes: ['openid', scope('read')] }) }, []],
    ['a client without OAuth flows (the app client Amplify adds)', { App: client({}) }, []],
    ["another pool's client-credentials client (the app's authorizers trust the app's pool)", { Theirs: client({ UserPoolId: { Ref: 'Other' }, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['x/y'] }) }, []],
  ])('%s', (_what, clients, expected) => {
    expect(read(clients)).toEqual(expected);
  });

  it('without a known user pool there is none', () => {
    const t = new Templates({ auth: { Resources: { Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} }, M2m: client({ AllowedOAuthFlows: ['client_credentials'] }) } } }, ENV);
    expect(readAppClients(t, {})).toEqual([]);
  });
});
