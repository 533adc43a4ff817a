import { defineAuth } from '@aws-amplify/backend';

/** Admins and Auditors get their own identity-pool roles (token-based role mapping), as Amplify sets up groups. */
export const auth = defineAuth({
  loginWith: { email: true },
  groups: ['Admins', 'Auditors'],
});
