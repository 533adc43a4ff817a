/** What every lint check reports: the finding's shape, its severities, and the builder the checks share. */
export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

export interface Finding {
  /** Stable across runs, e.g. `owner-field-updatable:Post.owner` or `public-write:Post#4`. */
  id: string;
  check: string;
  severity: Severity;
  model?: string;
  field?: string;
  /** The rule at fault, e.g. `Post#1` or `Post.ssn#2`. */
  rule?: string;
  title: string;
  explanation: string;
  /** A concrete change, in the schema's syntax. */
  fix: string;
}

/** Is `severity` at least as severe as `threshold`? */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** Does a gate with `--fail-on <severity>` fail on these findings? (No severity: never.) */
export function failsOn(list: readonly Finding[], severity: Severity | undefined): boolean {
  return severity !== undefined && list.some((f) => atLeast(f.severity, severity));
}

export interface FindingSpec extends Omit<Finding, 'id' | 'field' | 'rule'> {
  /** What the finding is about (a rule id, `Model.field`, a model or operation name); none for API-wide findings. */
  subject?: string;
  field?: string | undefined;
  rule?: string | undefined;
}

/** A finding with its id (`check:subject`, or the check alone), absent fields left out. */
export function finding({ check, subject, severity, model, field, rule, title, explanation, fix }: FindingSpec): Finding {
  return {
    id: subject === undefined ? check : `${check}:${subject}`,
    check,
    severity,
    ...(model !== undefined ? { model } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(rule !== undefined ? { rule } : {}),
    title,
    explanation,
    fix,
  };
}
