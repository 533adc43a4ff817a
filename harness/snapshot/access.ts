/**
 * An access as the snapshot states it: the outcome and, where they matter, the records a read sees and
 * the fields refused or returned null. The snapshot file holds each as one string (`partial (denied:
 * ssn)`): `renderAccess` writes it once, `parseAccess` reads it once, and everything in between compares
 * these values.
 */
import type { Cell, Expected } from '../matrix/cells.js';

export interface Access {
  outcome: Expected;
  /** The records a list or subscription returns (fixture names, sorted); absent when it returns them all. */
  sees?: readonly string[];
  /** Fields refused with an error, sorted. */
  denied?: readonly string[];
  /** Fields returned null without an error, sorted. */
  redacted?: readonly string[];
}

export const DENY: Access = { outcome: 'deny' };

/** Code-unit order: the same everywhere, whatever the locale. */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const normal = (xs: readonly string[]): string[] => [...new Set(xs)].sort(byCodeUnit);

/** A cell's access (`recordName` names the records a read sees). */
export function accessOf(c: Cell, recordName: (id: string) => string = (id) => id): Access {
  if (c.expected === 'deny') return DENY;
  const d = c.decision;
  return {
    outcome: c.expected,
    ...(d.visibleIds && c.expected !== 'allow' ? { sees: normal(d.visibleIds.map(recordName)) } : {}),
    ...(d.deniedFields?.length ? { denied: normal(d.deniedFields) } : {}),
    ...(d.redactedFields?.length ? { redacted: normal(d.redactedFields) } : {}),
  };
}

/** Outcomes that grant nothing: a denial, or a request that cannot validate. */
export const grantsNothing = (a: Access): boolean => a.outcome === 'deny' || a.outcome === 'invalid';

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/** The same access, or no access either way. */
export function sameAccess(a: Access, b: Access): boolean {
  if (grantsNothing(a) && grantsNothing(b)) return true;
  return a.outcome === b.outcome && sameList(a.sees, b.sees) && sameList(a.denied, b.denied) && sameList(a.redacted, b.redacted);
}

const DETAILS = ['sees', 'denied', 'redacted'] as const;

/** `allow`, `deny`, `filtered (sees: owned, shared)`, `partial (denied: ssn; redacted: salary)`. */
export function renderAccess(a: Access): string {
  const details = DETAILS.flatMap((label) => {
    const values = a[label];
    return values === undefined ? [] : [`${label}: ${values.join(', ') || 'none'}`];
  });
  return details.length ? `${a.outcome} (${details.join('; ')})` : a.outcome;
}

const OUTCOMES: readonly string[] = ['allow', 'deny', 'filtered', 'partial', 'invalid', 'conditionFailed'];

/** The access a snapshot string states; undefined when it is not one `renderAccess` writes. */
export function parseAccess(text: string): Access | undefined {
  const m = /^(\w+)(?: \((.*)\))?$/.exec(text);
  if (!m || !OUTCOMES.includes(m[1]!) || m[2] === '') return undefined;
  const access: { -readonly [K in keyof Access]: Access[K] } = { outcome: m[1] as Expected };
  for (const part of m[2] ? m[2].split('; ') : []) {
    const i = part.indexOf(': ');
    const label = DETAILS.find((l) => l === part.slice(0, i));
    if (i < 0 || !label || access[label]) return undefined;
    const values = part.slice(i + 2);
    access[label] = values === 'none' ? [] : normal(values.split(', '));
  }
  return access;
}
