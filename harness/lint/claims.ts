/** Token claims as owner and group identities: which ones many users share, which ones users can set. */
import { tick } from './words.js';

/** Claims that hold the same value for many users. */
export const SHARED_CLAIMS: Record<string, string> = {
  iss: 'the token issuer, the same for every user of the identity provider',
  aud: 'the app client id, the same for every user of the app',
  client_id: 'the app client id, the same for every user of the app',
  azp: 'the app client id, the same for every user of the app',
  token_use: '`id` or `access`, the same for everyone',
  scope: 'the OAuth scopes, the same for most users',
  amr: 'the authentication methods, the same for most users',
  'cognito:groups': "the user's groups, shared by every member",
  'cognito:roles': 'IAM role ARNs shared by every group member',
  'cognito:preferred_role': 'an IAM role ARN shared by every group member',
  email_verified: 'true or false',
  phone_number_verified: 'true or false',
};

/** Profile claims users can change themselves (or that are unique only by configuration). */
const USER_SET_CLAIMS = new Set([
  'email', 'phone_number', 'preferred_username', 'name', 'given_name', 'family_name', 'middle_name', 'nickname',
  'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'address',
]);

export type ClaimRisk = 'shared' | 'userSet' | null;

export function partRisk(claim: string): ClaimRisk {
  if (claim in SHARED_CLAIMS) return 'shared';
  return USER_SET_CLAIMS.has(claim) || claim.startsWith('custom:') ? 'userSet' : null;
}

/** A composite claim (`a::b`) is as good as its best part: one unique part keeps owners apart. */
export function claimRisk(identityClaim: string): ClaimRisk {
  const risks = identityClaim.split('::').map(partRisk);
  if (risks.every((r) => r === 'shared')) return 'shared';
  return risks.every((r) => r !== null) ? 'userSet' : null;
}

export function userSetWhy(claim: string): string {
  return claim.startsWith('custom:')
    ? "custom attributes can be written by users with their own access token unless the app client's write attributes leave them out"
    : 'users can change it (Cognito UpdateUserAttributes, or at their identity provider), and it is unique only if the user pool enforces it';
}

/** One sentence part per claim part: `x` alone, or ``a`: x; `b`: y`` for a composite claim. */
export function perPart(parts: string[], say: (part: string) => string): string {
  return parts.length === 1 ? say(parts[0]!) : parts.map((p) => `${tick(p)}: ${say(p)}`).join('; ');
}
