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
