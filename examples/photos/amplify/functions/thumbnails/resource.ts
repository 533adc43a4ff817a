import { defineFunction } from '@aws-amplify/backend';

export const thumbnails = defineFunction({ name: 'thumbnails' });
