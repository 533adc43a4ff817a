/**
 * `*.contract.yaml`: a name, an optional description and statements, each a sentence (sentence.ts) or
 * the structured form, a map that mirrors the builder:
 *
 *   statements:
 *     - guest never reads Employee.ssn
 *     - { only: groupMember:Admin, may: delete, object: Post }
 *     - { persona: stranger, never: list, object: Todo, of: owner }
 *     - { anyone: true, except: [owner], never: update, object: Todo, of: owner }
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { InputError } from '../schema/errors.js';
import { anyone, only, persona, type StatementOptions, type Statements } from './builder.js';
import { parseSentence } from './sentence.js';
import { StatementError, isStatementError, type Contract, type Statement, type Subject, type Verb } from './statement.js';

const TOP_KEYS = ['name', 'description', 'statements'];
const EXAMPLE = 'statements: with one sentence per item (- guest never reads Post)';

export function parseContractYaml(text: string, file: string): Contract {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineOf = (n: Node | null | undefined): number | undefined => (n?.range ? lines.linePos(n.range[0]).line : undefined);
  const fail = (message: string, fix: string, line?: number): never => {
    throw new InputError(message, { file, ...(line ? { line } : {}) }, fix);
  };
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw new InputError(`the YAML does not parse: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { file, ...(pos ? { line: pos.line, column: pos.col } : {}) },
      'correct the YAML; quote a sentence that contains ": " or starts with a quote');
  }
  const root = doc.contents;
  if (!isMap(root)) return fail('the contract must be a map with name and statements', `write name: <what it protects> and ${EXAMPLE}`);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!TOP_KEYS.includes(key)) fail(`unknown key "${key}"`, `use ${TOP_KEYS.join(', ')}`, lineOf(pair.key as Node));
  }
  const data = root.toJSON() as Record<string, unknown>;
  const name = data.name;
  if (typeof name !== 'string' || !name.trim()) fail('the contract has no name', 'add name: <what it protects>, e.g. name: Employee privacy');
  const description = data.description;
  if (description !== undefined && typeof description !== 'string') fail('description must be text', 'write description: <one paragraph>', lineOf(root.get('description', true) as Node));
  const list = root.get('statements', true) as Node | undefined;
  if (!isSeq(list) || !list.items.length) fail('the contract has no statements', `add ${EXAMPLE}`, lineOf(list));
  const statements: Statement[] = [];
  for (const item of (list as { items: Node[] }).items) {
    const line = lineOf(item);
    const previous: Subject | undefined = statements.at(-1)?.subject;
    try {
      if (isScalar(item) && typeof item.value === 'string') statements.push({ ...parseSentence(item.value, previous), ...(line ? { line } : {}) });
      else if (isMap(item)) statements.push({ ...structured(item.toJSON() as Record<string, unknown>, text.slice(item.range![0], item.range![1]).trim()), ...(line ? { line } : {}) });
      else fail('a statement must be a sentence or a map', 'write - guest never reads Post', line);
    } catch (e) {
      if (!isStatementError(e)) throw e;
      const what = isScalar(item) ? `"${String(item.value).trim()}": ` : '';
      fail(`${what}${e.message}`, e.fix, line);
    }
  }
  return { name: name as string, ...(description ? { description: description as string } : {}), file, statements };
}

const SUBJECT_KEYS = ['persona', 'only', 'anyone'];
const QUANTIFIER_KEYS = ['may', 'never', 'cannot'];
const STRUCTURED_KEYS = [...SUBJECT_KEYS, 'except', ...QUANTIFIER_KEYS, 'object', 'of', 'records', 'from'];

/** The structured form, built with the builder so that it means exactly what the TypeScript form means. */
function structured(m: Record<string, unknown>, source: string): Statement {
  const keys = Object.keys(m);
  if (keys.length === 1 && !STRUCTURED_KEYS.includes(keys[0]!) && (typeof m[keys[0]!] === 'string' || m[keys[0]!] === null)) {
    throw new StatementError(`"${source}" reads as a YAML map because of ": "`, 'remove the colon, or quote the sentence');
  }
  const unknown = keys.find((k) => !STRUCTURED_KEYS.includes(k));
  if (unknown) throw new StatementError(`unknown key "${unknown}" in a statement`, `use ${STRUCTURED_KEYS.join(', ')}`);
  const subjects = SUBJECT_KEYS.filter((k) => m[k] !== undefined);
  if (subjects.length !== 1) throw new StatementError('a statement needs exactly one of persona, only, anyone', '{ persona: guest, never: read, object: Post }');
  const quantifiers = QUANTIFIER_KEYS.filter((k) => m[k] !== undefined);
  if (quantifiers.length !== 1) throw new StatementError('a statement needs exactly one of may, never, cannot', '{ persona: guest, never: read, object: Post }');
  if (m.except !== undefined && m.anyone === undefined) throw new StatementError('except goes with anyone', '{ anyone: true, except: [owner], never: update, object: Todo }');
  if (m.anyone !== undefined && m.anyone !== true) throw new StatementError('anyone must be true', '{ anyone: true, never: delete, object: Post }');
  const names = (key: string) => {
    const v = m[key];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'string')) throw new StatementError(`${key} must be a persona name or a list of them`, `${key}: [guest, apiKey]`);
    return list as string[];
  };
  let subject: Statements | Pick<Statements, 'may'>;
  if (m.only !== undefined) subject = only(...names('only'));
  else if (m.anyone !== undefined) subject = m.except !== undefined ? anyone().except(...names('except')) : anyone();
  else subject = persona(...names('persona'));
  const quantifier = quantifiers[0] as 'may' | 'never' | 'cannot';
  if (!(quantifier in subject)) throw new StatementError('"only" goes with may', '{ only: groupMember:Admin, may: delete, object: Post }');
  for (const k of [quantifier, 'object', 'of', 'records', 'from']) {
    if (m[k] !== undefined && typeof m[k] !== 'string') throw new StatementError(`${k} must be text`, `${k}: ${k === 'object' ? 'Post' : '…'}`);
  }
  if (m.object === undefined) throw new StatementError('the statement has no object', 'add object: Post (a model, Model.field or a custom operation)');
  const options = Object.fromEntries(['of', 'records', 'from'].filter((k) => m[k] !== undefined).map((k) => [k, m[k]])) as StatementOptions;
  return (subject as Statements)[quantifier](m[quantifier] as Verb, m.object as string, options);
}
