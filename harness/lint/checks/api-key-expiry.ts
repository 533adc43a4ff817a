/** API keys valid for more than 30 days. */
import type { AuthModel } from '../../schema/model.js';
import { rulesOf, type LintContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

export function apiKeyExpiry(ctx: LintContext): Finding[] {
  const days = ctx.auth.authModes.apiKey?.expiresInDays;
  if (days === undefined || days <= 30 || !apiKeyGrantsAnything(ctx.auth)) return [];
  return [finding({
    check: 'api-key-expiry',
    // A key valid for months keeps working long after it leaks from a shipped app.
    severity: days > 90 ? 'medium' : 'low',
    title: `The API key is valid for ${days} days`,
    explanation: `The API key expires ${days} days after it is created. It ships inside every copy of your client app, so anyone can extract it and use it, with every rule that grants access to the API key, until it expires or you delete it.`,
    fix: ctx.dialect === 'gen2'
      ? 'Set `apiKeyAuthorizationMode: { expiresInDays: 30 }` (or fewer) in defineData and redeploy to rotate the key before it expires.'
      : 'Set the API key expiration to 30 days or fewer (`amplify update api`; in authmatrix.gen1.json `authModes.apiKey.expiresInDays`) and rotate the key before it expires.',
  })];
}

/** A key no rule names (outside sandbox mode) opens nothing, however long it lives. */
function apiKeyGrantsAnything(auth: AuthModel): boolean {
  const rules = [
    ...auth.models.flatMap((m) => rulesOf(m).map((x) => x.rule)),
    ...auth.customOperations.flatMap((o) => o.rules),
    ...auth.customTypes.flatMap((t) => t.rules ?? []),
  ];
  return auth.params.sandboxMode || rules.some((r) => r.provider === 'apiKey' && r.operations.length > 0);
}
