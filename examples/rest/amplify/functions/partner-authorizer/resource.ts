import { defineFunction } from '@aws-amplify/backend';

export const partnerAuthorizer = defineFunction({ name: 'partner-authorizer', resourceGroupName: 'api' });
