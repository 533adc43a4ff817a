import { defineBackend } from '@aws-amplify/backend';
import { Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  IdentitySource,
  LambdaIntegration,
  RequestAuthorizer,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { apiFunction } from './functions/api-function/resource';
import { partnerAuthorizer } from './functions/partner-authorizer/resource';
import { partnerHttpAuthorizer } from './functions/partner-http-authorizer/resource';
import { webhookAuthorizer } from './functions/webhook-authorizer/resource';

const backend = defineBackend({ auth, data, apiFunction, partnerAuthorizer, partnerHttpAuthorizer, webhookAuthorizer });

// The functions are in the `api` resource group (defineFunction's resourceGroupName): an authorizer in
// another stack than its API is a circular dependency between the two stacks (see Amplify's
// "Troubleshoot circular dependency issues" and aws-amplify/amplify-category-api#2375).
const apiStack = Stack.of(backend.apiFunction.resources.lambda);

// The REST API of Amplify's "Set up Amplify REST API" guide, plus the other ways API Gateway authorizes.
const myRestApi = new RestApi(apiStack, 'RestApi', {
  restApiName: 'myRestApi',
  deploy: true,
  deployOptions: { stageName: 'dev' },
  defaultCorsPreflightOptions: {
    allowOrigins: Cors.ALL_ORIGINS,
    allowMethods: Cors.ALL_METHODS,
    allowHeaders: Cors.DEFAULT_HEADERS,
  },
});
const lambdaIntegration = new LambdaIntegration(backend.apiFunction.resources.lambda);

// IAM: the identity pool's roles, as the guide attaches the policy (guests and signed-in users).
const itemsPath = myRestApi.root.addResource('items', { defaultMethodOptions: { authorizationType: AuthorizationType.IAM } });
itemsPath.addMethod('GET', lambdaIntegration);
itemsPath.addMethod('POST', lambdaIntegration);
itemsPath.addMethod('DELETE', lambdaIntegration);
itemsPath.addMethod('PUT', lambdaIntegration);
itemsPath.addProxy({ anyMethod: true, defaultIntegration: lambdaIntegration });

// IAM, for the Admins group's role only.
const adminPath = myRestApi.root.addResource('admin', { defaultMethodOptions: { authorizationType: AuthorizationType.IAM } });
adminPath.addMethod('GET', lambdaIntegration);
adminPath.addMethod('DELETE', lambdaIntegration);

// Cognito user pool: an ID token; and an access token holding a scope.
const cognitoAuth = new CognitoUserPoolsAuthorizer(apiStack, 'CognitoAuth', { cognitoUserPools: [backend.auth.resources.userPool] });
myRestApi.root.addResource('cognito-auth-path').addMethod('GET', lambdaIntegration, { authorizationType: AuthorizationType.COGNITO, authorizer: cognitoAuth });
myRestApi.root.addResource('profile').addMethod('GET', lambdaIntegration, {
  authorizationType: AuthorizationType.COGNITO,
  authorizer: cognitoAuth,
  authorizationScopes: ['aws.cognito.signin.user.admin'],
});

// Lambda authorizers: a TOKEN authorizer with a validation expression, a REQUEST authorizer on a header.
const partnerAuth = new TokenAuthorizer(apiStack, 'PartnerAuthorizer', {
  handler: backend.partnerAuthorizer.resources.lambda,
  validationRegex: '^Bearer [-a-z0-9]+$',
});
const partnerPath = myRestApi.root.addResource('partner', { defaultMethodOptions: { authorizer: partnerAuth } });
partnerPath.addMethod('GET', lambdaIntegration);
partnerPath.addResource('orders').addMethod('POST', lambdaIntegration);
const webhookAuth = new RequestAuthorizer(apiStack, 'WebhookAuthorizer', {
  handler: backend.webhookAuthorizer.resources.lambda,
  identitySources: [IdentitySource.header('x-webhook-secret')],
});
const webhooks = myRestApi.root.addResource('webhooks', { defaultMethodOptions: { authorizer: webhookAuth } });
webhooks.addResource('github').addMethod('POST', lambdaIntegration);
webhooks.addResource('stripe').addMethod('POST', lambdaIntegration);

// An API key in a usage plan of the stage; no other authorization.
const catalog = myRestApi.root.addResource('catalog');
catalog.addMethod('GET', lambdaIntegration, { apiKeyRequired: true });
const catalogKey = myRestApi.addApiKey('CatalogKey');
const plan = myRestApi.addUsagePlan('CatalogPlan', { apiStages: [{ api: myRestApi, stage: myRestApi.deploymentStage }] });
plan.addApiKey(catalogKey);

// Open to anyone.
myRestApi.root.addResource('health').addMethod('GET', lambdaIntegration);

// Each signed-in user's own record only: the policy names the caller's identity id (a policy variable).
myRestApi.root.addResource('users').addResource('{userId}').addMethod('GET', lambdaIntegration, { authorizationType: AuthorizationType.IAM });
backend.auth.resources.authenticatedUserIamRole.attachInlinePolicy(new Policy(apiStack, 'OwnUserPolicy', {
  statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources: [myRestApi.arnForExecuteApi('GET', '/users/${cognito-identity.amazonaws.com:sub}', 'dev')] })],
}));

const apiRestPolicy = new Policy(apiStack, 'RestApiPolicy', {
  statements: [
    new PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: [
        myRestApi.arnForExecuteApi('*', '/items', 'dev'),
        myRestApi.arnForExecuteApi('*', '/items/*', 'dev'),
        myRestApi.arnForExecuteApi('*', '/cognito-auth-path', 'dev'),
      ],
    }),
  ],
});
backend.auth.resources.authenticatedUserIamRole.attachInlinePolicy(apiRestPolicy);
backend.auth.resources.unauthenticatedUserIamRole.attachInlinePolicy(apiRestPolicy);

// The Auditors group gets the same policy (a group member does not get the authenticated role's);
// the Admins group only the admin routes, so its members are refused /items: the matrix shows it.
backend.auth.resources.groups['Auditors'].role.attachInlinePolicy(apiRestPolicy);
backend.auth.resources.groups['Admins'].role.attachInlinePolicy(
  new Policy(apiStack, 'AdminApiPolicy', {
    statements: [
      new PolicyStatement({ actions: ['execute-api:Invoke'], resources: [myRestApi.arnForExecuteApi('*', '/admin', 'dev')] }),
      new PolicyStatement({ actions: ['execute-api:Invoke'], resources: [myRestApi.arnForExecuteApi('*', '/items/archive', 'dev')] }),
    ],
  }),
);

// An HTTP API (API Gateway v2) beside it, as Amplify's "Set up Amplify HTTP API" guide builds one: a JWT route on the
// user pool needing a scope, an IAM route, a Lambda-authorizer route, a public route, and CORS.
const shopHttpApi = new HttpApi(apiStack, 'HttpApi', {
  apiName: 'shopHttpApi',
  corsPreflight: { allowOrigins: ['*'], allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST], allowHeaders: ['authorization', 'content-type'] },
  createDefaultStage: true,
});
const httpIntegration = new HttpLambdaIntegration('HttpApiIntegration', backend.apiFunction.resources.lambda);
// JWT: an access token of the app's client holding the sign-in scope (an ID token holds no scope: 403).
const userPoolAuth = new HttpUserPoolAuthorizer('UserPoolAuth', backend.auth.resources.userPool, { userPoolClients: [backend.auth.resources.userPoolClient] });
shopHttpApi.addRoutes({
  path: '/orders',
  methods: [HttpMethod.GET, HttpMethod.POST],
  integration: httpIntegration,
  authorizer: userPoolAuth,
  authorizationScopes: ['aws.cognito.signin.user.admin'],
});
// IAM: the authenticated role and the Auditors group's role (the policy below); guests and Admins are refused.
shopHttpApi.addRoutes({ path: '/inventory', methods: [HttpMethod.GET], integration: httpIntegration, authorizer: new HttpIamAuthorizer() });
// A Lambda authorizer answering { isAuthorized } (payload 2.0) from the Authorization header.
const partnerHttpAuth = new HttpLambdaAuthorizer('PartnerHttpAuth', backend.partnerHttpAuthorizer.resources.lambda, {
  responseTypes: [HttpLambdaResponseType.SIMPLE],
});
shopHttpApi.addRoutes({ path: '/partners/catalog', methods: [HttpMethod.GET], integration: httpIntegration, authorizer: partnerHttpAuth });
// Open to anyone.
shopHttpApi.addRoutes({ path: '/status', methods: [HttpMethod.GET], integration: httpIntegration });
const httpApiPolicy = new Policy(apiStack, 'HttpApiPolicy', {
  statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources: [shopHttpApi.arnForExecuteApi('GET', '/inventory')] })],
});
backend.auth.resources.authenticatedUserIamRole.attachInlinePolicy(httpApiPolicy);
backend.auth.resources.groups['Auditors'].role.attachInlinePolicy(httpApiPolicy);

backend.addOutput({
  custom: {
    API: {
      [myRestApi.restApiName]: {
        endpoint: myRestApi.url,
        region: Stack.of(myRestApi).region,
        apiName: myRestApi.restApiName,
      },
      [shopHttpApi.httpApiName!]: {
        endpoint: shopHttpApi.url!,
        region: Stack.of(shopHttpApi).region,
        apiName: shopHttpApi.httpApiName!,
      },
    },
  },
});
