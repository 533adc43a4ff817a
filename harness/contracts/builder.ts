/**
 * The typed builder for `*.contract.ts` files, imported as `authmatrix/contracts`:
 *
 *   import { contract, persona, only, anyone } from 'authmatrix/contracts';
 *   export default contract('Employee privacy', [
 *     persona('guest').never('read', 'Employee.ssn'),
 *     only('groupMember:Admin').may('delete', 'Post'),
 *     persona('stranger').cannot('list', 'Todo', { of: 'owner' }),
 *     persona('apiKey').may('read', 'Post'),
 *     persona('groupMember:Admins').never('DELETE', '/items/*'),
 *   ]);
 *
 * Each call gives the same statement the equivalent YAML sentence gives. Errors are thrown at the call,
 * which the loader reports with the file and line.
 */
import { fileURLToPath } from 'node:url';
import { StatementError, makeStatement, type Draft, type HttpVerb, type Statement, type Subject, type Verb } from './statement.js';

export type { HttpVerb, Verb } from './statement.js';

export interface StatementOptions {
  /** That persona's record (the `owned` fixture): `{ of: 'owner' }` reads "owner's Todo". */
  of?: string;
  /** Other records: `shared` (with a co-owner or a group), `unowned`, `own` (the persona's own), `others` (someone else's). */
  records?: 'shared' | 'unowned' | 'own' | 'others';
  /** receive: only events made by this persona's mutations. */
  from?: string;
}

export interface ContractDefinition {
  kind: 'authmatrix:contract';
  name: string;
  description?: string;
  statements: Statement[];
}

export interface Statements {
  /** Every cell of the subjects grants it (get and list of every record, for read). */
  may(verb: Verb | HttpVerb, object: string, options?: StatementOptions): Statement;
  /** No cell of the subjects grants it, by any path. */
  never(verb: Verb | HttpVerb, object: string, options?: StatementOptions): Statement;
  /** The same as never. */
  cannot(verb: Verb | HttpVerb, object: string, options?: StatementOptions): Statement;
}

export function contract(name: string, statements: Statement[], options: { description?: string } = {}): ContractDefinition {
  const fail = (message: string, fix: string): never => {
    const line = callerLine();
    throw Object.assign(new StatementError(message, fix), line ? { line } : {});
  };
  if (typeof name !== 'string' || !name.trim()) fail('the contract has no name', "contract('Employee privacy', [...])");
  if (!Array.isArray(statements) || !statements.length) fail(`contract "${name}" has no statements`, `contract('${name}', [persona('guest').never('read', 'Post')])`);
  return { kind: 'authmatrix:contract', name, ...(options.description ? { description: options.description } : {}), statements };
}

/** One or more personas by name: `persona('guest')`, `persona('guest', 'apiKey')`, `persona('groupMember:Admin')`. */
export function persona(...names: string[]): Statements {
  return statements({ personas: names }, false);
}

/** `only('groupMember:Admin').may('delete', 'Post')`: they may (each at least once), nobody else ever. */
export function only(...names: string[]): Pick<Statements, 'may'> {
  const s = statements({ personas: names }, true);
  return { may: s.may };
}

/** Every persona of the cast; `anyone().except('owner')` all but those named. */
export function anyone(): Statements & { except(...names: string[]): Statements } {
  return { ...statements({ anyone: true, except: [] }, false), except: (...names: string[]) => statements({ anyone: true, except: names }, false) };
}

function statements(subject: Subject, isOnly: boolean): Statements {
  const make = (quantifier: 'may' | 'never') => (verb: Verb | HttpVerb, object: string, options: StatementOptions = {}): Statement => {
    const line = callerLine();
    try {
      const unknown = Object.keys(options).find((k) => !['of', 'records', 'from'].includes(k));
      if (unknown) throw new StatementError(`unknown option "${unknown}"`, 'use of, records or from');
      const draft: Draft = { subject, quantifier: isOnly ? 'only' : quantifier, verb, object, ...recordsOf(options), ...(options.from !== undefined ? { from: options.from } : {}) };
      const s = makeStatement(draft);
      return line ? { ...s, line } : s;
    } catch (e) {
      if (line && e instanceof StatementError) Object.assign(e, { line });
      throw e;
    }
  };
  return { may: make('may'), never: make('never'), cannot: make('never') };
}

function recordsOf(o: StatementOptions): Pick<Draft, 'records'> {
  if (o.of !== undefined && o.records !== undefined) throw new StatementError('both "of" and "records" are given', "use one: { of: 'owner' } or { records: 'shared' }");
  if (o.of !== undefined) return { records: { of: o.of } };
  if (o.records === undefined) return {};
  const r = o.records === 'others' ? 'other' : o.records;
  if (!['shared', 'unowned', 'own', 'other'].includes(r)) throw new StatementError(`unknown records "${String(o.records)}"`, 'use shared, unowned, own or others');
  return { records: r };
}

const SELF = fileURLToPath(import.meta.url).replace(/\.[jt]s$/, '');

/** The line of the contract file that called the builder, from the stack. */
function callerLine(): number | undefined {
  for (const frame of new Error().stack?.split('\n').slice(1) ?? []) {
    const m = /\(?((?:file:\/\/)?[^():\s]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.replace(/\.[jt]s$/, '') === SELF || !/\.contract\.[cm]?[jt]s$/.test(file)) continue;
    return Number(m[2]);
  }
  return undefined;
}
