/**
 * The HTML sections index.html and the audit report share: the interrupted-run banner, the findings,
 * the failures grouped by cause, a model's rules in words and its field access. Every string from the
 * results is escaped here; the page's script only wires up what is rendered.
 */
import type { Finding } from '../harness/lint/finding.js';
import { escapeHtml as h } from './escape.js';
import type { RunReport } from './results.js';
import { PROBLEMS, FIELD_OPERATIONS, type CauseGroup, type FieldAccess, type Grant, type RuleText } from './review.js';

export const SYMBOLS: Record<string, string> = { allow: '✓', deny: '✗', filtered: '~', partial: '◐', invalid: '⊘', error: '⚠' };

/** An outcome as its symbol and word. */
export const outcome = (o: string): string => `<span class="v v-${h(o)}" aria-hidden="true">${SYMBOLS[o] ?? '?'}</span>${h(o)}`;

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** How far the run got when it was stopped, or nothing for a complete run. */
export function interruptedBanner(report: RunReport): string {
  const i = report.interrupted;
  if (!i) return '';
  return `<p class="banner" role="alert"><b>Interrupted</b> by ${h(i.signal)} after ${i.cellsRun} of ${i.cellsPlanned} cells. This report holds only the cells that ran; the other ${i.cellsPlanned - i.cellsRun} were not run and count neither as passed nor as failed.</p>`;
}

/** The status word of a run. */
export function statusOf(report: RunReport, failed: boolean): { word: string; cls: string } {
  if (report.interrupted) return { word: 'INTERRUPTED', cls: 'status-interrupted' };
  return failed ? { word: 'FAILED', cls: 'status-failed' } : { word: 'PASSED', cls: 'status-passed' };
}

export function findingsTable(items: Finding[]): string {
  if (!items.length) return '<p class="none">No risky-rule findings: the linter found nothing to flag in these rules.</p>';
  const rows = items.map((f) => `<tr class="sev-${h(f.severity)}"><td class="n"><span class="sev">${h(f.severity)}</span></td><td class="n mono">${h(f.rule ?? f.model ?? '–')}</td><td><b>${h(f.title)}</b><br>${h(f.explanation)}</td><td><code>${h(f.fix)}</code></td></tr>`);
  return `<table class="list findings"><thead><tr><th scope="col">severity</th><th scope="col">rule</th><th scope="col">finding</th><th scope="col">fix</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** What a cause group's cells share, in words. */
export function causeText(g: CauseGroup, rules: Map<string, RuleText>): string {
  if (g.kind !== 'auth') {
    return `<b>${h(PROBLEMS[g.kind].title)}</b>: ${h(g.said ?? '')}<br><span class="none">${h(PROBLEMS[g.kind].explanation)} Operations: ${h(g.operations.join(', '))}.</span>`;
  }
  const rule = g.rule ? rules.get(g.rule) : undefined;
  const by = g.rule ? `rule <b class="mono">${h(g.rule)}</b>${rule ? ` ${h(rule.text)}` : ''}` : '<b>no rule</b> admits these callers';
  return `${by} · <b>${h(g.operations.join(', '))}</b> · expected ${outcome(g.expected)}, observed ${outcome(g.observed)}`;
}

export interface CauseOptions {
  /** How the example cell is shown: a button on the page, the cell's id and evidence in the audit. */
  example: (index: number) => string;
  /** What follows each group's row (the page: its cells, on demand). */
  after?: (g: CauseGroup, n: number) => string;
  /** Groups shown before the rest fold away. */
  shown?: number;
}

export function causesTable(groups: CauseGroup[], rules: Map<string, RuleText>, o: CauseOptions): string {
  const row = (g: CauseGroup, n: number) => {
    const who = `${plural(g.personas.length, 'persona')}: ${g.personas.slice(0, 6).join(', ')}${g.personas.length > 6 ? ', …' : ''} · ${g.subjects.join(', ')}`;
    return `<tr><td class="count">${g.cells.length}</td><td>${causeText(g, rules)}<br><span class="none">${h(who)}</span></td><td>${o.example(g.cells[0]!)}</td></tr>${o.after?.(g, n) ?? ''}`;
  };
  const head = '<thead><tr><th scope="col">cells</th><th scope="col">cause</th><th scope="col">example</th></tr></thead>';
  const shown = o.shown ?? groups.length;
  const first = `<table class="list causes">${head}<tbody>${groups.slice(0, shown).map(row).join('')}</tbody></table>`;
  if (groups.length <= shown) return first;
  const rest = groups.slice(shown);
  const cells = rest.reduce((n, g) => n + g.cells.length, 0);
  return `${first}<details class="more"><summary>${plural(rest.length, 'more cause')} (${plural(cells, 'cell')})</summary><table class="list causes">${head}<tbody>${rest.map((g, i) => row(g, shown + i)).join('')}</tbody></table></details>`;
}

/** A model's (or an operation's) rules in words, with the ids cells cite. */
export function rulesList(rules: RuleText[], none = 'no rules: nobody is allowed (deny by default)'): string {
  if (!rules.length) return `<p class="rules none">${h(none)}</p>`;
  return `<ul class="rules">${rules.map((r) => `<li><b class="rule-id" title="${h(r.id)}">${h(r.label)}</b> ${h(r.text)} <span class="none mono">${h(r.id)}</span></li>`).join('')}</ul>`;
}

function grantText(g: Grant, labels: (fixture: string) => string): string {
  const where = g.records.length && !g.every ? ` (${g.records.map(labels).join(', ')})` : g.records.length ? ' (every record)' : '';
  return `<span class="grant${g.mismatches ? ' bad' : ''}">${h(g.persona)}${h(where)}${g.mismatches ? ` ≠${g.mismatches}` : ''}</span>`;
}

/** Who may read, create and update each field with rules of its own, one row per field. */
export function fieldAccessTable(entries: FieldAccess[], labels: (model: string, fixture: string) => string): string {
  if (!entries.length) return '';
  const rows = entries.map((e) => {
    const rules = e.rules.map((r) => `<b class="rule-id" title="${h(r.id)}">${h(r.label)}</b> ${h(r.text)}`).join('<br>');
    const cols = FIELD_OPERATIONS.map(([op]) => {
      const grants = e.access[op];
      if (!grants) return '<td class="none">not run</td>';
      const who = grants.length ? grants.map((g) => grantText(g, (f) => labels(e.model, f))).join(', ') : '<span class="none">nobody</span>';
      const extra = e.unexpected[op]?.length ? `<br><span class="bad">≠ also allowed by the endpoint: ${h(e.unexpected[op]!.join(', '))}</span>` : '';
      return `<td>${who}${extra}</td>`;
    });
    return `<tr><th scope="row" class="mono">${h(e.field)}</th><td>${rules}</td>${cols.join('')}</tr>`;
  });
  return `<table class="list field-access"><caption>Field access: who may, by the rules</caption><thead><tr><th scope="col">field</th><th scope="col">its rules</th>${FIELD_OPERATIONS.map(([op]) => `<th scope="col">${op}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
