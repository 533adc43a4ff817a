/**
 * `referenceAuth` (an existing user pool and identity pool) names each group with its role ARN, where `defineAuth`
 * lists names: storage rules for those groups are read as for any group (amplify-backend's reference-auth test
 * project was refused with "No auth IAM role found for ADMINS").
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuthModel } from '../../harness/schema/load.js';

const app = mkdtempSync(path.join(tmpdir(), 'am-reference-auth-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('referenceAuth', () => {
  it('its groups map is read as the groups storage rules may name', async () => {
    const file = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
      writeFileSync(path.join(app, rel), text);
    };
    file('amplify/auth/resource.ts', [
      "import { referenceAuth } from '@aws-amplify/backend';",
      "export const auth = referenceAuth({ identityPoolId: '', authRoleArn: '', unauthRoleArn: '', userPoolId: '', userPoolClientId: '',",
      "  groups: { ADMINS: 'arn:aws:iam::123456789012:role/admins' } });",
    ].join('\n'));
    file('amplify/storage/resource.ts', [
      "import { defineStorage } from '@aws-amplify/backend';",
      "export const storage = defineStorage({ name: 'drive', access: (allow) => ({ 'admin/*': [allow.groups(['ADMINS']).to(['read', 'write'])] }) });",
    ].join('\n'));
    file('amplify/backend.ts', [
      "import { defineBackend } from '@aws-amplify/backend';",
      "import { auth } from './auth/resource';",
      "import { storage } from './storage/resource';",
      'defineBackend({ auth, storage });',
    ].join('\n'));
    const model = await loadAuthModel(app);
    const admin = model.storage!.buckets[0]!.paths.find((p) => p.path === 'admin/*')!;
    expect(admin.grants.map((g) => g.principal)).toEqual([{ kind: 'group', group: 'ADMINS' }]);
  });
});
