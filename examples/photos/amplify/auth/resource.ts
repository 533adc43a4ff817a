import { defineAuth } from '@aws-amplify/backend';

/** Editors rank above Viewers: a member of both gets the Editors role. */
export const auth = defineAuth({
  loginWith: { email: true },
  groups: ['Admin', 'Editors'],
});
