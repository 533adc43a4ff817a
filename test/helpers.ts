/** Helpers for the project's own tests: small schemas, identities and records. */
import { authModelFromSdl } from '../harness/schema/sdl.js';
import { GEN1_DEFAULT_PARAMS } from '../harness/schema/gen1.js';
import { AUTH_MODES, type AuthModel, type AuthModes, type TransformParams } from '../harness/schema/model.js';
import type { Identity } from '../harness/rules/identity.js';

export const ALL_MODES: AuthModes = {
  default: 'userPool',
  enabled: [...AUTH_MODES],
  apiKey: { expiresInDays: 7 },
  userPool: {},
  identityPool: { allowUnauthenticated: true },
  oidc: { providerName: 'idp', issuer: 'https://idp.example.com/' },
  lambda: { ttlSeconds: 0 },
};

/** An AuthModel from Gen 1 SDL with every auth mode enabled and Gen 2 transform parameters. */
export function schema(sdl: string, params: Partial<TransformParams> = {}): AuthModel {
  return authModelFromSdl({
    sdl,
    file: 'test.graphql',
    kind: 'gen1',
    authModes: ALL_MODES,
    params: { ...GEN1_DEFAULT_PARAMS, genericIamAccess: true, ...params },
  });
}

export const SUB = { alice: '11111111-aaaa', bob: '22222222-bbbb', carol: '33333333-cccc' } as const;
export type User = keyof typeof SUB;

/** A user-pool access token's claims. */
export function user(name: User, groups: string[] = [], extra: Record<string, unknown> = {}): Identity {
  return { kind: 'userPool', claims: { sub: SUB[name], username: name, 'cognito:groups': groups, token_use: 'access', ...extra } };
}

/** The owner value auto-fill stores for a user (`sub::username`). */
export const owner = (name: User): string => `${SUB[name]}::${name}`;

export const apiKey: Identity = { kind: 'apiKey' };
export const guest: Identity = { kind: 'iam', principal: 'unauthRole' };
export const iamUser: Identity = { kind: 'iam', principal: 'authRole' };
export const iamAdmin: Identity = { kind: 'iam', principal: 'other', roleName: 'AdminRole' };
export const lambda: Identity = { kind: 'lambda', authorized: true };
export const anonymous: Identity = { kind: 'anonymous' };
export const oidc = (claims: Record<string, unknown>): Identity => ({ kind: 'oidc', claims });
