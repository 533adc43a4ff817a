import { defineFunction } from '@aws-amplify/backend';

export const webhookAuthorizer = defineFunction({ name: 'webhook-authorizer', resourceGroupName: 'api' });
