/**
 * The architecture's rules (docs/architecture.md), checked on the import graph of the shipped sources
 * (harness/, personas/, reports/) with dependency-cruiser; type-only imports count too.
 */
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const SOURCES = '^(harness|personas|reports)/';

const RULES: IForbiddenRuleType[] = [
  {
    name: 'emulator-independent',
    comment: 'The emulator is what the matrix tests: it reads the AuthModel and nothing of the oracle, the planner, the linter or the test side (client, personas, probes, runner, reports).',
    severity: 'error',
    from: { path: '^harness/emulator/' },
    to: { path: SOURCES, pathNot: '^harness/(emulator|schema)/' },
  },
  {
    name: 'emulator-entry',
    comment: 'Code outside the emulator uses it through its entry, harness/emulator/emulator.ts, never its services\' internals.',
    severity: 'error',
    from: { path: SOURCES, pathNot: '^harness/emulator/' },
    to: { path: '^harness/emulator/', pathNot: '^harness/emulator/emulator\\.ts$' },
  },
  {
    name: 'commands-and-runner-on-top',
    comment: 'Only the CLI and the library entry use commands/ and runner/; lower layers never reach up to them.',
    severity: 'error',
    from: { path: SOURCES, pathNot: '^harness/(commands/|runner/|cli\\.ts$|index\\.ts$)' },
    to: { path: '^harness/(commands|runner)/' },
  },
  {
    name: 'schema-at-the-base',
    comment: 'The loaders and the AuthModel depend on nothing else of authmatrix.',
    severity: 'error',
    from: { path: '^harness/schema/' },
    to: { path: SOURCES, pathNot: '^harness/schema/' },
  },
  {
    name: 'oracle-pure',
    comment: 'The oracle reads the AuthModel only, and does no I/O.',
    severity: 'error',
    from: { path: '^harness/rules/' },
    to: { path: SOURCES, pathNot: '^harness/(rules|schema)/' },
  },
  {
    name: 'oracle-no-io',
    severity: 'error',
    from: { path: '^harness/rules/' },
    to: { dependencyTypes: ['core'] },
  },
  {
    name: 'lint-on-the-oracle',
    comment: 'Lint checks read the AuthModel and the oracle\'s descriptions of rules, nothing that runs.',
    severity: 'error',
    from: { path: '^harness/lint/' },
    to: { path: SOURCES, pathNot: '^harness/(lint|rules|schema)/' },
  },
  {
    name: 'planner-pure',
    comment: 'The planner builds cells from the AuthModel and the oracle; it sends nothing (the client\'s result types only).',
    severity: 'error',
    from: { path: '^harness/matrix/' },
    to: { path: SOURCES, pathNot: '^harness/(matrix|rules|schema)/|^harness/client/http\\.ts$' },
  },
  {
    name: 'no-cycles',
    comment: 'No import cycle, type-only ones included.',
    severity: 'error',
    from: { path: SOURCES },
    to: { circular: true },
  },
];

let result: ICruiseResult;

beforeAll(async () => {
  const { output } = await cruise(['harness', 'personas', 'reports'], {
    validate: true,
    ruleSet: { forbidden: RULES },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$|(^|/)html/app\\.js$' },
  }, undefined, { tsConfig: { fileName: 'tsconfig.json' } });
  result = output as ICruiseResult;
});

function violations(rule: string): string[] {
  return result.summary.violations
    .filter((v) => v.rule.name === rule)
    .map((v) => (v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)].join(' → ') : `${v.from} → ${v.to}`));
}

describe('import boundaries', () => {
  it('reads every source module and resolves every relative import', () => {
    const modules = result.modules.filter((m) => /^(harness|personas|reports)\//.test(m.source));
    expect(modules.length).toBeGreaterThan(150);
    const unresolved = modules.flatMap((m) => m.dependencies.filter((d) => !d.resolved || d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
    expect(unresolved).toEqual([]);
    // The graph sees type-only imports (the cycle rule depends on them).
    const castImports = modules.find((m) => m.source === 'harness/matrix/cast.ts')?.dependencies.map((d) => d.resolved) ?? [];
    expect(castImports).toContain('harness/rules/identity.ts');
  });

  for (const rule of RULES) {
    it(`${rule.name}${rule.comment ? `: ${rule.comment}` : ''}`, () => {
      expect(violations(rule.name!)).toEqual([]);
    });
  }
});
