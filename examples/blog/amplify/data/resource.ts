import { type ClientSchema, a, defineData, defineFunction } from '@aws-amplify/backend';

/**
 * Every strategy and provider in one small app. The Gen 1 twin is ../../../blog-gen1/schema.graphql
 * (with authmatrix.gen1.json): both must load to the same AuthModel.
 */
const authorizer = defineFunction({ name: 'authorizer', entry: '../functions/authorizer/handler.ts' });
const echoHandler = defineFunction({ name: 'echo', entry: '../functions/echo/handler.ts' });

const schema = a.schema({
  // Owners and their co-editors write; Admins moderate; anyone (API key or guest) reads.
  Post: a
    .model({
      title: a.string().required(),
      content: a.string(),
      editors: a.string().array(),
      comments: a.hasMany('Comment', 'postId'),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.ownersDefinedIn('editors').to(['read', 'update']),
      allow.groups(['Admin']),
      allow.publicApiKey().to(['read']),
      allow.guest().to(['read']),
    ]),

  // Signed-in users (user pool or identity pool) read; authors write their own.
  Comment: a
    .model({
      postId: a.id(),
      post: a.belongsTo('Post', 'postId'),
      body: a.string().required(),
    })
    .authorization((allow) => [
      allow.owner(),
      allow.authenticated().to(['read']),
      allow.authenticated('identityPool').to(['read']),
    ]),

  // The team named on the record manages it; listed viewer groups read it.
  Project: a
    .model({
      name: a.string().required(),
      team: a.string(),
      viewers: a.string().array(),
      members: a.hasMany('Employee', 'projectId'),
    })
    .authorization((allow) => [
      allow.groupDefinedIn('team'),
      allow.groupsDefinedIn('viewers').to(['read']),
      allow.groups(['Admin']),
    ]),

  // Field-level rules: the ssn is for its owner and HR only; salary is HR's to set. Reading employees
  // through their project must not open them up.
  Employee: a
    .model({
      name: a.string().required(),
      projectId: a.id(),
      project: a.belongsTo('Project', 'projectId'),
      owner: a.string().authorization((allow) => [allow.owner().to(['read', 'delete']), allow.groups(['HR'])]),
      ssn: a.string().authorization((allow) => [allow.owner().to(['read']), allow.groups(['HR'])]),
      salary: a.float().authorization((allow) => [allow.groups(['HR'])]),
    })
    .authorization((allow) => [allow.owner(), allow.groups(['HR']), allow.authenticated().to(['read'])]),

  // Support tickets: a Lambda authorizer for the help-desk tool, OIDC users own theirs, OIDC Support agents see all.
  Ticket: a
    .model({
      subject: a.string().required(),
      status: a.enum(['open', 'closed']),
    })
    .authorization((allow) => [
      allow.custom(),
      allow.owner('oidc').identityClaim('user_id'),
      allow.groups(['Support'], 'oidc').withClaimIn('user_groups'),
    ]),

  Echo: a.customType({ message: a.string(), caller: a.string() }),

  echo: a
    .query()
    .arguments({ message: a.string().required() })
    .returns(a.ref('Echo'))
    .handler(a.handler.function(echoHandler))
    .authorization((allow) => [allow.authenticated(), allow.publicApiKey()]),

  likePost: a
    .mutation()
    .arguments({ postId: a.id().required() })
    .returns(a.ref('Post'))
    .handler(a.handler.custom({ dataSource: a.ref('Post'), entry: './likePost.js' }))
    .authorization((allow) => [allow.authenticated()]),

  onLikePost: a
    .subscription()
    .for(a.ref('likePost'))
    .handler(a.handler.custom({ entry: './onLikePost.js' }))
    .authorization((allow) => [allow.authenticated()]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
    lambdaAuthorizationMode: { function: authorizer, timeToLiveInSeconds: 0 },
    oidcAuthorizationMode: {
      oidcProviderName: 'HelpDeskIdP',
      oidcIssuerUrl: 'https://idp.example.com/',
      clientId: 'helpdesk-web',
      tokenExpiryFromAuthInSeconds: 3600,
      tokenExpireFromIssueInSeconds: 3600,
    },
  },
});
