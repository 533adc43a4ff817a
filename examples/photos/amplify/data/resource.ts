import { type ClientSchema, a, defineData } from '@aws-amplify/backend';

/** Albums and the photos in them: the files live in the bucket (amplify/storage), the metadata here. */
const schema = a.schema({
  Album: a
    .model({
      title: a.string().required(),
      coverPath: a.string(),
      photos: a.hasMany('Photo', 'albumId'),
    })
    .authorization((allow) => [allow.owner(), allow.guest().to(['read']), allow.groups(['Admin'])]),
  Photo: a
    .model({
      albumId: a.id(),
      album: a.belongsTo('Album', 'albumId'),
      path: a.string().required(),
      caption: a.string(),
    })
    .authorization((allow) => [allow.owner(), allow.authenticated().to(['read'])]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: { defaultAuthorizationMode: 'userPool' },
});
