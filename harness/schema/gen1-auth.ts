/**
 * A Gen 1 project's auth resources: `amplify/backend/auth/<name>/cli-inputs.json` (older projects:
 * `parameters.json`; is there an identity pool, does it admit guests) and `amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json`
 * (the groups, their precedence and the `customPolicies` of their roles; the CLI gives a group a role
 * when the project has an identity pool). See docs/iam.md, "Auth resources".
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { amplifyAuthResources, type AuthResources, type AuthSource, type PolicyDocument, type RolePolicy } from './auth-resources.js';
import { jsonObject, readCliJson } from './cli-json.js';
import { InputError } from './errors.js';

export function gen1AuthResources(root: string): AuthResources | undefined {
  const authDir = path.join(root, 'amplify', 'backend', 'auth');
  if (!existsSync(authDir)) return undefined;
  const config = cognitoConfig(authDir);
  const identityPool = config && typeof config.identityPoolName === 'string'
    ? { allowUnauthenticated: config.allowUnauthenticatedIdentities === true }
    : undefined;
  const groupsFile = path.join(authDir, 'userPoolGroups', 'user-pool-group-precedence.json');
  const groups = existsSync(groupsFile) ? groupList(readCliJson(groupsFile), groupsFile) : [];
  if (!identityPool && !groups.length && !config) return undefined;
  return amplifyAuthResources({ groups, ...(identityPool ? { identityPool } : {}) });
}

/**
 * The auth resource's settings: `cli-inputs.json`'s `cognitoConfig`, or, in a project the CLI has not migrated to
 * cli-inputs.json (before CLI 7), the same keys at the top of its `parameters.json` (Arahabica/hello-amplify-rest).
 */
function cognitoConfig(authDir: string): Record<string, unknown> | undefined {
  const resources = readdirSync(authDir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'userPoolGroups').map((d) => path.join(authDir, d.name));
  const inputs = resources.map((r) => path.join(r, 'cli-inputs.json')).find((f) => existsSync(f));
  if (inputs) return jsonObject(jsonObject(readCliJson(inputs))?.cognitoConfig);
  const params = resources.map((r) => path.join(r, 'parameters.json')).find((f) => existsSync(f));
  return params ? jsonObject(readCliJson(params)) : undefined;
}

/**
 * The entries of `user-pool-group-precedence.json` (also accepted as `userPoolGroups` in
 * authmatrix.gen1.json): `[{ groupName, precedence, customPolicies }]`.
 */
export function groupList(raw: unknown, file: string): AuthSource['groups'] {
  if (!Array.isArray(raw)) throw new InputError('user pool groups must be a list of { groupName, precedence }', { file }, 'write [{ "groupName": "Admin", "precedence": 1 }]');
  return raw.map((g, i) => {
    const entry = jsonObject(g);
    if (!entry || typeof entry.groupName !== 'string') throw new InputError(`group ${i + 1} has no groupName`, { file }, 'give every group a "groupName"');
    return {
      name: entry.groupName,
      ...(typeof entry.precedence === 'number' ? { precedence: entry.precedence } : {}),
      hasRole: true,
      policies: customPolicies(entry.customPolicies, entry.groupName, file),
    };
  });
}

/** `customPolicies: [{ PolicyName, PolicyDocument }]`, attached to the group's role. */
function customPolicies(raw: unknown, group: string, file: string): RolePolicy[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InputError(`customPolicies of group ${group} must be a list`, { file }, 'write [{ "PolicyName": "…", "PolicyDocument": { … } }]');
  return raw.map((p, i) => {
    const entry = jsonObject(p);
    if (!entry || !jsonObject(entry.PolicyDocument)) throw new InputError(`customPolicies[${i}] of group ${group} has no PolicyDocument`, { file }, 'write [{ "PolicyName": "…", "PolicyDocument": { … } }]');
    return { name: typeof entry.PolicyName === 'string' ? entry.PolicyName : `${group}-${i + 1}`, source: path.basename(file), document: entry.PolicyDocument as PolicyDocument };
  });
}
