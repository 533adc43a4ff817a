/**
 * The sentence grammar of YAML contracts (keywords are case-insensitive, names are not):
 *
 *   sentence   := ["only"] subject [quantifier] verb object
 *   subject    := names | ("anyone" | "everyone") ["except" names] | "everyone else" | "the owner identity"
 *   names      := name (("," | "and" | "or") name)*
 *   name       := persona | "members of" Group            (members of Admins: groupMember:Admins)
 *   quantifier := "may" | "can" | "never" | "cannot" | "can't" | "may not"
 *   verb       := read | get | list | create | update | delete | write | subscribe [to] | receive | call
 *                 (also with an s: reads, gets, …); for a REST path GET | POST | PUT | DELETE | PATCH | HEAD
 *                 | OPTIONS (any case) | call (every verb)
 *   object     := [records] (Model | Model.field | customOperation | [bucket ":"] storagePath) ["events"] ["from" persona]
 *               | [api ":"] restPath                     (/items, /items/{proxy+}, /admin/* for /admin and below)
 *   records    := persona's | "shared" | "unowned" | ["their"] "own" | "others'"
 *
 * No quantifier means may ("apiKey reads Post"). "everyone else" is anyone except the personas of the
 * statement before it.
 */
import { closest } from './names.js';
import { StatementError, VERB_LIST, VERBS, makeStatement, type Quantifier, type Records, type Statement, type Subject, type Verb } from './statement.js';

const QUANTIFIERS = new Set(['may', 'can', 'never', 'cannot', "can't"]);
const VERB_WORDS = new Map<string, Verb>(VERBS.flatMap((v) => [[v, v], [`${v}s`, v]] as [string, Verb][]));
const KEYWORDS = new Set(['only', 'anyone', 'everyone', 'except', 'else', 'and', 'or', ',', 'not', ...QUANTIFIERS, ...VERB_WORDS.keys()]);

class Tokens {
  private i = 0;
  constructor(readonly words: string[]) {}
  peek(): string | undefined {
    return this.words[this.i];
  }
  /** The next word lower-cased, for keywords. */
  peekKeyword(): string | undefined {
    return this.peek()?.toLowerCase();
  }
  next(): string | undefined {
    return this.words[this.i++];
  }
  accept(keyword: string): boolean {
    if (this.peekKeyword() !== keyword) return false;
    this.i++;
    return true;
  }
  /** The word after the next one, lower-cased. */
  peekSecondKeyword(): string | undefined {
    return this.words[this.i + 1]?.toLowerCase();
  }
  /** The sentence up to (not including) the next word. */
  sofar(): string {
    return this.words.slice(0, this.i).join(' ').replace(/ ,/g, ',');
  }
}

/**
 * Parses one sentence. `previous` is the subject of the statement before it in the same contract
 * (for "everyone else").
 */
export function parseSentence(text: string, previous?: Subject): Statement {
  const words = text.trim().replace(/\.$/, '').replace(/,/g, ' , ').split(/\s+/).filter(Boolean);
  if (!words.length) throw new StatementError('the statement is empty', 'write a sentence such as "guest never reads Post"');
  const t = new Tokens(words);
  const only = t.accept('only');
  const subject = parseSubject(t, previous);
  const quantifier = parseQuantifier(t, only);
  const verb = parseVerb(t);
  const records = parseRecords(t);
  const object = t.next();
  if (object === undefined) throw new StatementError(`"${t.sofar()}" names no model, field or custom operation`, 'end with a model (Post), a field (Post.title), a custom operation (likePost), a storage path (media/*) or a REST path (/items)');
  if (t.accept('events') && verb !== 'subscribe' && verb !== 'receive') throw new StatementError('"events" follows only subscribe to and receive', 'drop "events"');
  let from: string | undefined;
  if (t.accept('from')) from = name(t, 'from');
  const rest = t.peek();
  if (rest !== undefined) {
    throw new StatementError(`unexpected "${rest}" after "${t.sofar()}"`, 'end the sentence after the object; only "events" (subscribe to, receive) and "from <persona>" (receive) may follow it');
  }
  const statement = makeStatement({ subject, quantifier, verb, object, ...(records !== undefined ? { records } : {}), ...(from !== undefined ? { from } : {}) });
  return { ...statement, text: text.trim() };
}

function parseSubject(t: Tokens, previous: Subject | undefined): Subject {
  const first = t.peekKeyword();
  if (first === 'the') {
    t.next();
    if (t.accept('owner') && t.accept('identity')) return { ownerIdentity: true };
    throw new StatementError('"the" starts only "the owner identity"', 'name a persona, or write "the owner identity" for storage paths with {entity_id}');
  }
  if (first === 'everyone' || first === 'anyone') {
    t.next();
    if (first === 'everyone' && t.accept('else')) {
      if (!previous || !('personas' in previous)) {
        throw new StatementError('"everyone else" needs a statement before it that names personas', "name them instead: anyone except owner never updates owner's Todo");
      }
      return { anyone: true, except: [...previous.personas] };
    }
    return { anyone: true, except: t.accept('except') ? names(t, 'except') : [] };
  }
  if (first === undefined || KEYWORDS.has(first)) {
    const quantifierFirst = first !== undefined && QUANTIFIERS.has(first) && t.words[0] === t.peek();
    const fix = quantifierFirst ? `say who first: anyone ${t.words.join(' ')}` : 'start with a persona (guest), several (guest and apiKey), anyone or everyone else';
    throw new StatementError(`the statement starts with "${t.peek() ?? ''}", not a persona`, fix);
  }
  return { personas: names(t, 'only') };
}

/** One or more persona names separated by commas, "and" or "or". */
function names(t: Tokens, after: string): string[] {
  const out = [name(t, after)];
  for (;;) {
    const sep = t.peekKeyword();
    if (sep !== ',' && sep !== 'and' && sep !== 'or') return out;
    t.next();
    if (sep === ',' && (t.peekKeyword() === 'and' || t.peekKeyword() === 'or')) t.next();
    out.push(name(t, sep === ',' ? 'a comma' : `"${sep}"`));
  }
}

function name(t: Tokens, after: string): string {
  if (t.peekKeyword() === 'members' && t.peekSecondKeyword() === 'of') {
    t.next();
    t.next();
    const group = t.peek();
    if (group === undefined || KEYWORDS.has(group.toLowerCase())) throw new StatementError('"members of" is not followed by a group', 'name the group as defineAuth declares it: members of Admins');
    return `groupMember:${t.next()!}`;
  }
  const w = t.peek();
  if (w === undefined || KEYWORDS.has(w.toLowerCase())) {
    const what = after.startsWith('"') || after === 'a comma' ? after : `"${after}"`;
    throw new StatementError(`${what} is not followed by a persona`, `name a persona after ${what}, e.g. guest or groupMember:Admin`);
  }
  return t.next()!;
}

function parseQuantifier(t: Tokens, only: boolean): Quantifier {
  const w = t.peekKeyword();
  let q: Quantifier = only ? 'only' : 'may';
  if (w === 'may') {
    t.next();
    if (t.accept('not')) q = 'never';
  } else if (w === 'can') {
    t.next();
    if (t.accept('not')) q = 'never';
  } else if (w === 'never' || w === 'cannot' || w === "can't") {
    t.next();
    q = 'never';
  }
  if (only && q === 'never') {
    throw new StatementError('"only" cannot be combined with a negation', 'write "only X may <verb> <object>", or "X never <verb> <object>"');
  }
  return q;
}

function parseVerb(t: Tokens): Verb {
  const w = t.next();
  if (w === undefined) throw new StatementError(`"${t.sofar()}" stops before the verb`, `continue with ${VERB_LIST}`);
  const verb = VERB_WORDS.get(w.toLowerCase());
  if (!verb) {
    const hint = closest(w.toLowerCase(), [...VERB_WORDS.keys()]);
    throw new StatementError(`unknown verb "${w}"`, `use ${VERB_LIST}${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  if (verb === 'subscribe') t.accept('to');
  return verb;
}

function parseRecords(t: Tokens): Records | undefined {
  const w = t.peek();
  const k = t.peekKeyword();
  if (w === undefined) return undefined;
  if (k === 'shared' || k === 'unowned' || k === 'own') {
    t.next();
    return k;
  }
  if (k === 'their') {
    t.next();
    if (!t.accept('own')) throw new StatementError('"their" is not followed by "own"', "write their own (the persona's own records)");
    return 'own';
  }
  if (k === "others'" || k === 'others') {
    t.next();
    return 'other';
  }
  if (w.endsWith("'s") && w.length > 2) {
    t.next();
    return { of: w.slice(0, -2) };
  }
  return undefined;
}
