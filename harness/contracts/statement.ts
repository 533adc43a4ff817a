/**
 * The statement model of user contracts: who (subject), how (quantifier), does what (verb) to what
 * (object, optionally a field and which records). Both contract formats (YAML sentences and the
 * TypeScript builder) produce a `Draft` and go through `makeStatement`, so they validate alike and
 * produce the same model. Pure: names are checked against the matrix later (select.ts).
 */

export const VERBS = ['read', 'get', 'list', 'create', 'update', 'delete', 'write', 'subscribe', 'receive', 'call', 'post', 'put', 'patch', 'head', 'options'] as const;
export type Verb = (typeof VERBS)[number];
/** The verbs of REST paths: an HTTP verb (any case), or call (every verb). */
const REST_VERBS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'call'] as const satisfies readonly Verb[];
/** HTTP verbs, as sentences and the builder write them for REST paths. */
export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';

/** `may`: every cell grants it; `never`: no cell grants it; `only`: the subjects may, nobody else ever. */
export type Quantifier = 'may' | 'never' | 'only';

/**
 * Who a statement is about: named personas, anyone (but some), or, for storage paths with
 * `{entity_id}`, the identity whose folder it is (`the owner identity`: every persona in its own folder).
 */
export type Subject = { personas: string[] } | { anyone: true; except: string[] } | { ownerIdentity: true };

/**
 * Which records: `{ of: persona }` the persona's own fixture (`owned`), `shared` (shared with a co-owner
 * or a group), `unowned` (no owner, no group), `own`/`other` (how the acting persona stands to a record).
 */
export type Records = { of: string } | 'shared' | 'unowned' | 'own' | 'other';

/** What a contract file says, before validation: the builder's and the structured YAML form's shape. */
export interface Draft {
  subject: Subject;
  quantifier: Quantifier;
  verb: string;
  /** `Model`, `Model.field`, a custom operation, a storage path or a REST path. */
  object: string;
  records?: Records;
  /** receive: only events made by this persona's mutations. */
  from?: string;
}

export interface Statement {
  /** The sentence, as written (YAML) or as the builder's call reads (TypeScript). */
  text: string;
  /** 1-based line in the contract file, when known. */
  line?: number;
  subject: Subject;
  quantifier: Quantifier;
  verb: Verb;
  /**
   * A model, a custom operation, a storage path (`media/*`, `photos:private/{entity_id}/*`) or a REST
   * path (`/items`, `/admin/*`, `myRestApi:/items/{proxy+}`).
   */
  object: string;
  field?: string;
  records?: Records;
  from?: string;
}

export interface Contract {
  name: string;
  description?: string;
  file: string;
  statements: Statement[];
}

/** A statement that does not validate; the loader adds the file and line. */
export class StatementError extends Error {
  constructor(message: string, readonly fix: string) {
    super(message);
    this.name = 'StatementError';
  }
}

export const isStatementError = (e: unknown): e is StatementError => (e as Error | undefined)?.name === 'StatementError' && typeof (e as StatementError).fix === 'string';

const RECORD_VERBS: Verb[] = ['read', 'get', 'list', 'update', 'delete', 'write'];
const FIELD_VERBS: Verb[] = ['read', 'get', 'list', 'create', 'update', 'write', 'receive'];
const NAME = /^[A-Za-z_][\w:.@+-]*$/;
const OBJECT = /^([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?$/;
/** A storage path as its rules declare it, optionally after the bucket's name: `media/*`, `photos:private/{entity_id}/*`. */
const STORAGE_OBJECT = /^(?:[A-Za-z0-9][\w.-]*:)?[^\s:]*\/\*$/;
const STORAGE_VERBS: Verb[] = ['read', 'get', 'list', 'write', 'delete'];

/** A REST path as backend.ts declares its resources, optionally after the API's name: `/items`, `/items/{proxy+}`, `myRestApi:/admin/*`. */
const REST_OBJECT = /^(?:[A-Za-z0-9][\w.-]*:)?(?:(?:\/(?:[\w.~-]+|\{[A-Za-z_]\w*\+?\}))+(?:\/\*)?|\/\*?)$/;

/** Is the statement's object a REST path (it starts with `/`, or with `<api>:/`)? */
export const isRestPath = (object: string): boolean => /^(?:[A-Za-z0-9][\w.-]*:)?\//.test(object);

/** Is the statement's object a storage path (rather than a model, a custom operation or a REST path)? */
export const isStoragePath = (object: string): boolean => object.endsWith('/*') && !isRestPath(object);

export const VERB_LIST = 'read, get, list, create, update, delete, write, subscribe to, receive or call (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or call for a REST path)';

/** Validates a draft and gives the statement (with its canonical sentence as text). */
export function makeStatement(d: Draft): Statement {
  const rest = typeof d.object === 'string' && isRestPath(d.object);
  // HTTP verbs are written in capitals (GET /items); the statement keeps them lower-cased.
  const verbName = rest && typeof d.verb === 'string' ? d.verb.toLowerCase() : d.verb;
  if (!(VERBS as readonly string[]).includes(verbName)) throw new StatementError(`unknown verb "${d.verb}"`, `use ${VERB_LIST}`);
  const verb = verbName as Verb;
  const subject = checkSubject(d.subject, d.quantifier);
  if (rest) return restStatement(d, verb, subject);
  if (isStoragePath(d.object) || 'ownerIdentity' in subject) return storageStatement(d, verb, subject);
  if ((REST_VERBS as readonly Verb[]).includes(verb) && !['get', 'delete', 'call'].includes(verb)) {
    throw new StatementError(`${verb.toUpperCase()} applies only to REST paths`, `write the path as backend.ts declares it (${verb.toUpperCase()} /items), or use a model verb: read, get, list, create, update, delete or write`);
  }
  const m = OBJECT.exec(d.object);
  if (!m) throw new StatementError(`"${d.object}" is not a model, a Model.field or a custom operation`, 'write e.g. Post, Post.title or likePost');
  const [, object, field] = m as unknown as [string, string, string | undefined];
  if (field && !FIELD_VERBS.includes(verb)) {
    throw new StatementError(`${verb} acts on whole records or operations, not on the field ${d.object}`, `write ${object} instead of ${d.object}`);
  }
  if (d.records !== undefined) {
    checkRecords(d.records);
    if (!RECORD_VERBS.includes(verb)) {
      throw new StatementError(`"${recordsWords(d.records)}" does not apply to ${verb}`, `drop it: records are named for ${RECORD_VERBS.join(', ')}`);
    }
  }
  if (d.from !== undefined) {
    if (verb !== 'receive') throw new StatementError(`"from ${d.from}" applies only to receive`, `drop "from ${d.from}", or write "receive ${object} from ${d.from}"`);
    checkName(d.from);
  }
  const s: Statement = {
    text: '',
    subject,
    quantifier: d.quantifier,
    verb,
    object,
    ...(field ? { field } : {}),
    ...(d.records !== undefined ? { records: d.records } : {}),
    ...(d.from !== undefined ? { from: d.from } : {}),
  };
  return { ...s, text: sentenceOf(s) };
}

function storageStatement(d: Draft, verb: Verb, subject: Subject): Statement {
  if (!STORAGE_OBJECT.test(d.object)) {
    const fix = 'ownerIdentity' in subject ? 'the owner identity is for {entity_id} storage paths, e.g. private/{entity_id}/*' : 'write the path as its rules declare it, e.g. media/* or photos:media/*';
    throw new StatementError(`"${d.object}" is not a storage path`, fix);
  }
  if (!STORAGE_VERBS.includes(verb)) throw new StatementError(`${verb} does not apply to files`, `use ${STORAGE_VERBS.join(', ')} with a storage path`);
  if (d.records !== undefined && d.records !== 'own' && d.records !== 'other') {
    throw new StatementError(`"${recordsWords(d.records)}" does not apply to files`, "use their own or others' (an identity's own folder under an {entity_id} path), or nothing");
  }
  if ('ownerIdentity' in subject && d.records !== undefined) throw new StatementError('the owner identity already means "in its own folder"', `drop "${recordsWords(d.records)}"`);
  if (d.from !== undefined) throw new StatementError(`"from ${d.from}" applies only to receive`, `drop "from ${d.from}"`);
  const s: Statement = { text: '', subject, quantifier: d.quantifier, verb, object: d.object, ...(d.records !== undefined ? { records: d.records } : {}) };
  return { ...s, text: sentenceOf(s) };
}

function restStatement(d: Draft, verb: Verb, subject: Subject): Statement {
  if ('ownerIdentity' in subject) throw new StatementError('the owner identity applies to storage paths', 'name personas for REST paths: guest may GET /items');
  if (!REST_OBJECT.test(d.object)) {
    throw new StatementError(`"${d.object}" is not a REST path`, 'write the resource path as backend.ts declares it (/items, /items/{proxy+}), /admin/* for a path and everything below it, or myRestApi:/items to name the API');
  }
  if (!(REST_VERBS as readonly Verb[]).includes(verb)) throw new StatementError(`${verb} does not apply to REST paths`, 'use GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, or call (every verb)');
  if (d.records !== undefined) throw new StatementError(`"${recordsWords(d.records)}" does not apply to REST paths`, 'drop it: a REST path has no records');
  if (d.from !== undefined) throw new StatementError(`"from ${d.from}" applies only to receive`, `drop "from ${d.from}"`);
  const s: Statement = { text: '', subject, quantifier: d.quantifier, verb, object: d.object };
  return { ...s, text: sentenceOf(s) };
}

function checkSubject(s: Subject, q: Quantifier): Subject {
  if ('ownerIdentity' in s) return { ownerIdentity: true };
  if ('anyone' in s) {
    if (q === 'only') throw new StatementError('"only anyone" says nothing', 'name the personas: only groupMember:Admin may delete Post');
    s.except.forEach(checkName);
    return { anyone: true, except: [...s.except] };
  }
  if (!s.personas.length) throw new StatementError('the statement names no persona', 'start with a persona (guest), several (guest and apiKey), anyone or everyone else');
  s.personas.forEach(checkName);
  const twice = s.personas.find((p, i) => s.personas.indexOf(p) !== i);
  if (twice) throw new StatementError(`persona "${twice}" is named twice`, 'name each persona once');
  return { personas: [...s.personas] };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) throw new StatementError(`"${String(name)}" is not a persona name`, 'use a persona name such as guest, owner or groupMember:Admin');
}

function checkRecords(r: Records): void {
  if (typeof r === 'object' && r !== null && typeof r.of === 'string') return checkName(r.of);
  if (r === 'shared' || r === 'unowned' || r === 'own' || r === 'other') return;
  throw new StatementError(`unknown records "${JSON.stringify(r)}"`, "use of: '<persona>' (that persona's record), or records: shared, unowned, own or others");
}

/** The words a sentence uses for a records qualifier. */
export function recordsWords(r: Records): string {
  if (typeof r === 'object') return `${r.of}'s`;
  return r === 'own' ? 'their own' : r === 'other' ? "others'" : r;
}

const THIRD: Record<Verb, string> = {
  read: 'reads', get: 'gets', list: 'lists', create: 'creates', update: 'updates', delete: 'deletes',
  write: 'writes', subscribe: 'subscribes to', receive: 'receives', call: 'calls',
  post: 'posts', put: 'puts', patch: 'patches', head: 'heads', options: 'options',
};
const BASE: Record<Verb, string> = { ...Object.fromEntries(VERBS.map((v) => [v, v])), subscribe: 'subscribe to' } as Record<Verb, string>;

/** Persona lists as a sentence says them: `a`, `a and b`, `a, b and c`. */
export function namesWords(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

export function subjectWords(s: Subject): string {
  if ('ownerIdentity' in s) return 'the owner identity';
  if ('anyone' in s) return s.except.length ? `anyone except ${namesWords(s.except)}` : 'anyone';
  return namesWords(s.personas);
}

/** The canonical sentence of a statement; `parseSentence` reads it back to the same statement. */
export function sentenceOf(s: Omit<Statement, 'text' | 'line'>): string {
  const who = subjectWords(s.subject);
  const plural = 'personas' in s.subject && s.subject.personas.length > 1;
  // An HTTP verb on a REST path is written as sent (guest never DELETE /admin/*).
  const http = isRestPath(s.object) && s.verb !== 'call' ? s.verb.toUpperCase() : undefined;
  const does = s.quantifier === 'never' ? `never ${http ?? (plural ? BASE[s.verb] : THIRD[s.verb])}` : `may ${http ?? BASE[s.verb]}`;
  const what = [s.records !== undefined ? recordsWords(s.records) : '', s.field ? `${s.object}.${s.field}` : s.object, s.from ? `from ${s.from}` : ''].filter(Boolean).join(' ');
  return `${s.quantifier === 'only' ? 'only ' : ''}${who} ${does} ${what}`;
}
