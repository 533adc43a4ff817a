import { type ClientSchema, a, defineData } from '@aws-amplify/backend';

/** Quick-start app: each user owns their todos; anyone holding the API key may read them. */
const schema = a.schema({
  Todo: a
    .model({
      content: a.string().required(),
      done: a.boolean(),
      priority: a.enum(['low', 'medium', 'high']),
    })
    .authorization((allow) => [allow.owner(), allow.publicApiKey().to(['read'])]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
  },
});
