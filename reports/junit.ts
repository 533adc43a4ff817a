/**
 * `junit.xml`: one testcase per cell, one testsuite per model or custom operation, in the JUnit XML
 * that GitHub (test-reporter actions), GitLab (`artifacts:reports:junit`) and Jenkins (`junit` step)
 * read. A mismatch is a `failure` carrying expected, observed and the reason; an answer that is not an
 * auth outcome is an `error`; a cell that could not run is `skipped`. Contracts and the gate's other
 * checks get a testsuite each, so that a CI page shows every reason a run failed.
 */
import type { CellResult } from '../harness/matrix/verdict.js';
import { escapeXml as x } from './escape.js';
import type { RunReport, UntestedCell } from './results.js';

interface Case {
  name: string;
  time: number;
  outcome?: { tag: 'failure' | 'error' | 'skipped'; message: string; type?: string; text?: string };
}

interface Suite {
  name: string;
  cases: Case[];
}

/** `2026-11-22T00:37:31`: the timestamp form every consumer accepts (the Ant schema has no zone). */
const timestamp = (iso: string): string => new Date(iso).toISOString().slice(0, 19);
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function subjectOf(report: RunReport, c: { model?: string; customOperation?: string; kind?: string }): string {
  if (c.model) return c.model;
  if (c.customOperation) {
    const op = report.model.customOperations.find((o) => o.name === c.customOperation);
    return op ? `${op.type[0]!.toUpperCase()}${op.type.slice(1)}.${op.name}` : c.customOperation;
  }
  return c.kind ? `${c.kind}s` : 'other';
}

function cellCase(c: CellResult): Case {
  const base = { name: c.id, time: c.latencyMs };
  if (c.pass) return base;
  const text = [
    `expected: ${c.expected}`,
    `observed: ${c.observed}`,
    `detail: ${c.detail}`,
    `rule: ${c.rule ?? '(none)'}`,
    `reason: ${c.reason}`,
    `response: ${c.summary}`,
    ...(c.requestId ? [`request id: ${c.requestId}`] : []),
  ].join('\n');
  const message = `expected ${c.expected}, observed ${c.observed}: ${c.detail}`;
  return { ...base, outcome: c.observed === 'error' ? { tag: 'error', type: 'error', message, text } : { tag: 'failure', type: 'mismatch', message, text } };
}

const untestedCase = (u: UntestedCell): Case => ({ name: u.id, time: 0, outcome: { tag: 'skipped', message: `could not run: ${u.reason}` } });

function suites(report: RunReport): Suite[] {
  const bySubject = new Map<string, Suite>();
  const suite = (name: string) => {
    let s = bySubject.get(name);
    if (!s) bySubject.set(name, (s = { name, cases: [] }));
    return s;
  };
  for (const c of report.cells) suite(subjectOf(report, c)).cases.push(cellCase(c));
  for (const u of report.untested) suite(subjectOf(report, u)).cases.push(untestedCase(u));
  const out = [...bySubject.values()];
  if (report.contracts.length) {
    out.push({
      name: 'contracts',
      cases: report.contracts.map((k) => ({
        name: `${k.contract}: ${k.statement}`,
        time: 0,
        ...(k.broken ? {
          outcome: {
            tag: 'failure' as const,
            type: k.broken === 'static' ? 'broken-contract-schema' : 'broken-contract-endpoint',
            message: k.explanation ?? `${k.statement} (${k.broken})`,
            text: [`${k.file}${k.line ? `:${k.line}` : ''}: ${k.statement}`, ...k.violations.map((v) => `${v.cell}: expected ${v.expected}${v.observed ? `, observed ${v.observed}` : ''}${v.why ? ` (${v.why})` : ''}; rule ${v.rule ?? '(none)'}: ${v.reason}`)].join('\n'),
          },
        } : {}),
      })),
    });
  }
  const failures = report.gate?.failures ?? [];
  if (failures.length) {
    out.push({ name: 'gate', cases: failures.map((f, i) => ({ name: `gate ${i + 1}`, time: 0, outcome: { tag: 'failure' as const, type: 'gate', message: f } })) });
  }
  return out;
}

function properties(report: RunReport): string {
  const props: [string, string][] = [
    ['schema', report.schema.path],
    ['schema.hash', report.schema.hash],
    ['target', `${report.target.kind} ${report.target.endpoint}`],
    ['tool.version', `${report.tool.name} ${report.tool.version}`],
    ...(report.shard ? [['shard', `${report.shard.index}/${report.shard.count}`] as [string, string]] : []),
  ];
  return `    <properties>\n${props.map(([k, v]) => `      <property name="${x(k)}" value="${x(v)}"/>`).join('\n')}\n    </properties>`;
}

function renderCase(c: Case, classname: string): string {
  const open = `    <testcase name="${x(c.name)}" classname="${x(classname)}" time="${seconds(c.time)}"`;
  const o = c.outcome;
  if (!o) return `${open}/>`;
  const attrs = `message="${x(o.message)}"${o.type ? ` type="${x(o.type)}"` : ''}`;
  const inner = o.text === undefined ? `<${o.tag} ${attrs}/>` : `<${o.tag} ${attrs}>${x(o.text)}</${o.tag}>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

const count = (s: Suite, tag: string) => s.cases.filter((c) => c.outcome?.tag === tag).length;

export function renderJunit(report: RunReport): string {
  const all = suites(report);
  const stamp = timestamp(report.startedAt);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const sum = (tag: string) => all.reduce((n, s) => n + count(s, tag), 0);
  const runMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  lines.push(`<testsuites name="${x(`authmatrix ${report.schema.path}`)}" tests="${all.reduce((n, s) => n + s.cases.length, 0)}" failures="${sum('failure')}" errors="${sum('error')}" skipped="${sum('skipped')}" time="${seconds(runMs)}" timestamp="${stamp}">`);
  all.forEach((s, i) => {
    const time = s.cases.reduce((n, c) => n + c.time, 0);
    lines.push(`  <testsuite name="${x(s.name)}" id="${i}" tests="${s.cases.length}" failures="${count(s, 'failure')}" errors="${count(s, 'error')}" skipped="${count(s, 'skipped')}" time="${seconds(time)}" timestamp="${stamp}">`);
    lines.push(properties(report));
    const classname = `authmatrix.${s.name}`;
    for (const c of s.cases) lines.push(renderCase(c, classname));
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
