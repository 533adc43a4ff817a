/**
 * `input AMPLIFY { globalAuthRule }` (sandbox mode) opens the models without rules to API keys; in a backend without
 * the API-key mode it opens nothing, and the schema is not refused (the Amplify CLI only warns; amplify-backend's
 * data-storage-auth-with-triggers-js project deploys so, with auth as its default mode).
 */
import { describe, expect, it } from 'vitest';
import { GEN1_DEFAULT_PARAMS } from '../../harness/schema/gen1.js';
import { authModelFromSdl } from '../../harness/schema/sdl.js';
import type { AuthModes } from '../../harness/schema/model.js';

const SDL = `
  input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }
  type Todo @model { id: ID! name: String! }
`;
const load = (authModes: AuthModes) => authModelFromSdl({ sdl: SDL, file: 'schema.graphql', kind: 'gen1', authModes, params: { ...GEN1_DEFAULT_PARAMS, genericIamAccess: true } });

describe('the global auth rule', () => {
  it('with the API-key mode: the model without rules gets the public rule', () => {
    const model = load({ default: 'apiKey', enabled: ['apiKey', 'iam'], apiKey: { expiresInDays: 7 } });
    expect(model.models[0]!.rules.map((r) => r.provider)).toEqual(['apiKey']);
    expect(model.params.sandboxMode).toBe(true);
  });

  it('without it: the model keeps no rule, sandbox mode on, and the schema loads', () => {
    const model = load({ default: 'userPool', enabled: ['userPool', 'iam'], userPool: {} });
    expect(model.models[0]!.rules).toEqual([]);
    expect(model.params.sandboxMode).toBe(true);
  });
});
