/** `authmatrix lint`: static findings on a schema's auth rules, as text, Markdown or JSON. */
import path from 'node:path';
import pc from 'picocolors';
import { InputError } from '../schema/errors.js';
import { loadAuthModel } from '../schema/load.js';
import { SEVERITIES, failsOn, type Finding, type Severity } from '../lint/finding.js';
import { findings } from '../lint/lint.js';

export const LINT_FORMATS = ['text', 'md', 'json'] as const;

export interface LintOptions {
  schema: string;
  gen1Config?: string;
  format: string;
  failOn?: 'high' | 'medium' | 'low';
  /** Colour the text format (default: when stdout is a terminal). */
  color?: boolean;
  /** Columns the text format fits in (default 100). */
  width?: number;
}

export async function lintCommand(opts: LintOptions): Promise<{ output: string; exitCode: number }> {
  if (!(LINT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new InputError(`unknown format "${opts.format}"`, undefined, `use --format ${LINT_FORMATS.join('|')}`);
  }
  if (opts.failOn !== undefined && !SEVERITIES.includes(opts.failOn)) {
    throw new InputError(`unknown severity "${String(opts.failOn)}"`, undefined, `use --fail-on ${SEVERITIES.join('|')}`);
  }
  const auth = await loadAuthModel(opts.schema, opts.gen1Config ? { config: opts.gen1Config } : {});
  const list = findings(auth);
  const schema = displayPath(auth.source.path);
  const output = opts.format === 'json'
    ? JSON.stringify({ schema, counts: counts(list), findings: list }, null, 2)
    : opts.format === 'md'
      ? renderMarkdown(schema, list)
      : renderText(schema, list, opts);
  return { output, exitCode: failsOn(list, opts.failOn) ? 1 : 0 };
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function counts(list: readonly Finding[]): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length])) as Record<Severity, number>;
}

function summary(list: readonly Finding[]): string {
  if (!list.length) return 'no findings';
  const c = counts(list);
  return SEVERITIES.filter((s) => c[s]).map((s) => `${c[s]} ${s}`).join(', ');
}

const bySeverity = (list: readonly Finding[]): [Severity, Finding[]][] =>
  SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s)] as [Severity, Finding[]]).filter(([, fs]) => fs.length);

const where = (f: Finding): string => (f.rule ? ` (rule ${f.rule})` : '');

// ---- text --------------------------------------------------------------------------------------

function renderText(schema: string, list: readonly Finding[], opts: LintOptions): string {
  const c = pc.createColors(opts.color ?? (process.stdout.isTTY === true && !('NO_COLOR' in process.env)));
  const width = opts.width ?? 100;
  const tone: Record<Severity, (s: string) => string> = { high: (s) => c.bold(c.red(s)), medium: (s) => c.bold(c.yellow(s)), low: (s) => c.bold(c.cyan(s)) };
  const lines = [...wrap(`authmatrix lint: ${schema}`, width, ''), summary(list)];
  for (const [severity, group] of bySeverity(list)) {
    lines.push('', tone[severity](`${severity.toUpperCase()} (${group.length})`));
    for (const f of group) {
      lines.push('', ...wrap(`${f.id}${where(f)}`, width, '  ').map((l) => c.dim(l)));
      lines.push(...wrap(f.title, width, '  ').map((l) => c.bold(l)));
      lines.push(...labelled('why', f.explanation, width, c.dim), ...labelled('fix', f.fix, width, c.dim));
    }
  }
  if (opts.failOn) lines.push('', `--fail-on ${opts.failOn}: ${failsOn(list, opts.failOn) ? 'fails' : 'passes'}`);
  return lines.join('\n');
}

/** `    why  text…` with the text's continuation lines aligned under its first word. */
function labelled(label: string, text: string, width: number, dim: (s: string) => string): string[] {
  const indent = '         ';
  const [first = '', ...rest] = wrap(text, width, indent);
  return [`    ${dim(label.padEnd(4))} ${first.slice(indent.length)}`, ...rest];
}

/** Words wrapped to `width` columns, every line starting with `indent`; over-long words are cut. */
export function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(10, width - indent.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean).flatMap((w) => chunks(w, room))) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || !lines.length) lines.push(indent + line);
  return lines;
}

function chunks(word: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i += size) out.push(word.slice(i, i + size));
  return out;
}

// ---- Markdown ------------------------------------------------------------------------------------

function renderMarkdown(schema: string, list: readonly Finding[]): string {
  const out = ['# authmatrix lint', '', `\`${schema}\`: ${summary(list)}`];
  for (const [severity, group] of bySeverity(list)) {
    out.push('', `## ${severity.charAt(0).toUpperCase()}${severity.slice(1)}`);
    for (const f of group) {
      out.push('', `### ${f.title}`, '', `\`${f.id}\`${f.rule ? ` · rule \`${f.rule}\`` : ''}`, '', `**Why.** ${f.explanation}`, '', `**Fix.** ${f.fix}`);
    }
  }
  return out.join('\n');
}
