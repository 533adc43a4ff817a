import { defineStorage } from '@aws-amplify/backend';
import { thumbnails } from '../functions/thumbnails/resource';

/**
 * Media everyone reads and signed-in users manage, albums only signed-in users read (an override of
 * media/*), profile pictures everyone sees but only their owner changes, private folders, an admin area,
 * and a second bucket for exports.
 */
export const storage = defineStorage({
  name: 'photos',
  isDefault: true,
  access: (allow) => ({
    'media/*': [allow.guest.to(['read']), allow.authenticated.to(['read', 'write', 'delete']), allow.groups(['Editors']).to(['read', 'write'])],
    'media/albums/*': [allow.authenticated.to(['read']), allow.groups(['Editors']).to(['read', 'write', 'delete'])],
    'profile-pictures/{entity_id}/*': [allow.guest.to(['read']), allow.authenticated.to(['read']), allow.entity('identity').to(['read', 'write', 'delete'])],
    'private/{entity_id}/*': [allow.entity('identity').to(['read', 'write', 'delete'])],
    'admin/*': [allow.groups(['Admin']).to(['read', 'write', 'delete'])],
    'thumbnails/*': [allow.resource(thumbnails).to(['read', 'write']), allow.authenticated.to(['get'])],
  }),
});

export const exports = defineStorage({
  name: 'exports',
  access: (allow) => ({
    'reports/*': [allow.groups(['Admin']).to(['read', 'write', 'delete']), allow.authenticated.to(['list'])],
  }),
});
