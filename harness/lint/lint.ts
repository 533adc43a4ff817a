/**
 * Static findings: auth rules that are risky or probably mistaken, read from the AuthModel alone. Each
 * names the model, field and rule, says what goes wrong and how to fix it in the schema's own syntax
 * (Gen 2 `allow.*` or Gen 1 `@auth`). One module per check in `checks/`, listed in `specified-checks.ts`.
 */
import type { AuthModel } from '../schema/model.js';
import { lintContext, type Check } from './context.js';
import { SEVERITIES, type Finding } from './finding.js';
import { specifiedChecks } from './specified-checks.js';

/** Every check's findings, once per id, most severe first. */
export function findings(auth: AuthModel, checks: readonly Check[] = specifiedChecks): Finding[] {
  const ctx = lintContext(auth);
  const byId = new Map<string, Finding>();
  for (const check of checks) for (const f of check(ctx)) if (!byId.has(f.id)) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareIds(a.id, b.id));
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
