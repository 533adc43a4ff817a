import { defineFunction } from '@aws-amplify/backend';

export const partnerHttpAuthorizer = defineFunction({ name: 'partner-http-authorizer', resourceGroupName: 'api' });
