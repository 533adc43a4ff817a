/**
 * The admin roles of a Gen 1 API, as the CLI collects them (amplify-category-api graphql-transformer/utils.ts
 * getAdminRoles): each function depending on the API gives its execution role, and custom-roles.json its
 * adminRoleNames (a name or a list, `${env}` replaced, an assumed-role ARN cut to its role, other ARNs dropped).
 * LucasKnudsen/chatbot-component has both; authmatrix read neither.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGen1Project } from '../../harness/schema/gen1-project.js';
import { loadAuthModel } from '../../harness/schema/load.js';
import type { AuthModel } from '../../harness/schema/model.js';

const root = mkdtempSync(path.join(tmpdir(), 'am-gen1-admins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string, files: Record<string, unknown>): string {
  const dir = path.join(root, name);
  for (const [rel, value] of Object.entries({ 'amplify/backend/api/shop/schema.graphql': 'type Q @model { id: ID! }', ...files })) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return path.join(dir, 'amplify/backend/api/shop/schema.graphql');
}

const roleTemplate = (name: string) => ({
  Resources: { LambdaExecutionRole: { Properties: { RoleName: { 'Fn::If': ['ShouldNotCreateEnvResources', name, { 'Fn::Join': ['', [name, '-', { Ref: 'env' }]] }] } } } },
});

describe('Gen 1 admin roles', () => {
  it('a function depending on the API, then custom-roles.json; the environment from local-env-info.json before team-provider-info.json', () => {
    const schema = project('both', {
      'amplify/.config/local-env-info.json': { envName: 'prod' },
      'amplify/team-provider-info.json': { dev: {}, prod: {} },
      'amplify/backend/backend-config.json': {
        function: {
          worker: { dependsOn: [{ category: 'api', resourceName: 'shop' }] },
          mailer: { dependsOn: [{ category: 'auth', resourceName: 'userPool' }] },
        },
      },
      'amplify/backend/function/worker/worker-cloudformation-template.json': roleTemplate('shopLambdaRoleaa11'),
      'amplify/backend/function/mailer/mailer-cloudformation-template.json': roleTemplate('shopLambdaRolebb22'),
      'amplify/backend/api/shop/custom-roles.json': { adminRoleNames: ['Ops-${env}', 'arn:aws:sts::123456789012:assumed-role/Console/jane', 'arn:aws:iam::123456789012:role/Nope'] },
    });
    expect(readGen1Project(schema)?.params.adminRoles).toEqual(['shopLambdaRoleaa11-prod', 'Ops-prod', 'Console/jane']);
  });

  it('a single name; no environment known leaves ${env} as written; no files, no admin roles', () => {
    expect(readGen1Project(project('one', { 'amplify/backend/api/shop/custom-roles.json': { adminRoleNames: 'Ops-${env}' } }))?.params.adminRoles).toEqual(['Ops-${env}']);
    expect(readGen1Project(project('none', {}))?.params.adminRoles).toBeUndefined();
  });
});

describe('Amplify Studio admin roles (<pool>_Full-access, <pool>_Manage-only), which only the Amplify service knows', () => {
  const service = (gqlSchemaPath: string) => ({ version: 1, serviceConfiguration: { apiName: 'shop', serviceName: 'AppSync', gqlSchemaPath, defaultAuthType: { mode: 'API_KEY' }, additionalAuthTypes: [{ mode: 'AWS_IAM' }] } });
  const studioCaveat = (m: AuthModel) => (m.caveats ?? []).filter((c) => /Studio/.test(c));

  it('a CLI-built app managed in Studio later is known by the components the Studio generated into <SourceDir>/ui-components/', async () => {
    const files = { 'amplify/backend/api/shop/cli-inputs.json': service('/home/dev/app/amplify/backend/api/shop/schema.graphql') };
    expect(studioCaveat(await loadAuthModel(project('cli-built', files)))).toEqual([]);
    const schema = project('cli-built-studio', {
      ...files,
      'amplify/.config/project-config.json': { frontend: 'javascript', javascript: { framework: 'react', config: { SourceDir: 'web' } } },
      'web/ui-components/PetCard.jsx': '/* This file was generated with Amplify Studio. */\nexport default function PetCard() { return null; }\n',
    });
    expect(readGen1Project(schema)?.studio).toBe('ui-components');
    expect(studioCaveat(await loadAuthModel(schema))).toEqual([
      'the app is managed in Amplify Studio (the components it generated are in ui-components/): its `<user pool id>_Full-access` and `_Manage-only` roles skip the rules as admin roles, and are not tested, as the pool is known only to the Amplify service; name them in authmatrix.gen1.json, `"transform": { "adminRoles": ["us-east-1_AbCdEf123_Full-access", "us-east-1_AbCdEf123_Manage-only"] }`, to test them',
    ]);
  });

  it('authmatrix.gen1.json naming one of the two says the other is untested; naming both says nothing', async () => {
    const files = (adminRoles: string[]) => ({
      'amplify/backend/api/shop/cli-inputs.json': service('/tmp/amplify-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0/amplify/backend/api/shop/schema.graphql'),
      'amplify/backend/api/shop/authmatrix.gen1.json': { transform: { adminRoles } },
    });
    expect(studioCaveat(await loadAuthModel(project('full-only', files(['us-east-1_AbCdEf123_Full-access']))))).toEqual([
      'authmatrix.gen1.json names an Amplify Studio admin role of us-east-1_AbCdEf123 but not `us-east-1_AbCdEf123_Manage-only`, which the CLI adds with it: that role also skips the rules, and is not tested; add it to "transform.adminRoles"',
    ]);
    expect(studioCaveat(await loadAuthModel(project('both-named', files(['us-east-1_AbCdEf123_Full-access', 'us-east-1_AbCdEf123_Manage-only']))))).toEqual([]);
  });
});
