/** The sentence grammar: every form, every error (message and fix), and the canonical sentence read back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSentence } from '../../harness/contracts/sentence.js';
import { StatementError, makeStatement, sentenceOf, type Draft, type Statement, type Subject } from '../../harness/contracts/statement.js';

/** The statement model without the sentence it came from. */
const model = (s: Statement) => {
  const { text: _text, line: _line, ...rest } = s;
  return rest;
};
const parsed = (text: string, previous?: Subject) => model(parseSentence(text, previous));
const who = (...personas: string[]) => ({ personas });

describe('sentence forms', () => {
  const forms: [string, Omit<Statement, 'text' | 'line'>][] = [
    ['apiKey reads Post', { subject: who('apiKey'), quantifier: 'may', verb: 'read', object: 'Post' }],
    ['apiKey may read Post', { subject: who('apiKey'), quantifier: 'may', verb: 'read', object: 'Post' }],
    ['apiKey can read Post.', { subject: who('apiKey'), quantifier: 'may', verb: 'read', object: 'Post' }],
    ['guest never reads Employee.ssn', { subject: who('guest'), quantifier: 'never', verb: 'read', object: 'Employee', field: 'ssn' }],
    ['guest cannot read Post', { subject: who('guest'), quantifier: 'never', verb: 'read', object: 'Post' }],
    ["guest can't get Post", { subject: who('guest'), quantifier: 'never', verb: 'get', object: 'Post' }],
    ['guest can not list Post', { subject: who('guest'), quantifier: 'never', verb: 'list', object: 'Post' }],
    ['guest may not create Post', { subject: who('guest'), quantifier: 'never', verb: 'create', object: 'Post' }],
    ['only groupMember:Admin deletes Post', { subject: who('groupMember:Admin'), quantifier: 'only', verb: 'delete', object: 'Post' }],
    ['Only groupMember:Admin MAY delete Post', { subject: who('groupMember:Admin'), quantifier: 'only', verb: 'delete', object: 'Post' }],
    ['only owner, groupMember:Admin and iamAdmin can update Post', { subject: who('owner', 'groupMember:Admin', 'iamAdmin'), quantifier: 'only', verb: 'update', object: 'Post' }],
    ['guest and apiKey never write Post', { subject: who('guest', 'apiKey'), quantifier: 'never', verb: 'write', object: 'Post' }],
    ['guest or apiKey never updates Post.title', { subject: who('guest', 'apiKey'), quantifier: 'never', verb: 'update', object: 'Post', field: 'title' }],
    ['guest, apiKey, and anonymous never write Post', { subject: who('guest', 'apiKey', 'anonymous'), quantifier: 'never', verb: 'write', object: 'Post' }],
    ['anyone never deletes Post', { subject: { anyone: true, except: [] }, quantifier: 'never', verb: 'delete', object: 'Post' }],
    ['everyone never deletes Post', { subject: { anyone: true, except: [] }, quantifier: 'never', verb: 'delete', object: 'Post' }],
    ["anyone except owner and iamAdmin never deletes owner's Post", { subject: { anyone: true, except: ['owner', 'iamAdmin'] }, quantifier: 'never', verb: 'delete', object: 'Post', records: { of: 'owner' } }],
    ["stranger cannot list owner's Todo", { subject: who('stranger'), quantifier: 'never', verb: 'list', object: 'Todo', records: { of: 'owner' } }],
    ['stranger may update shared Post', { subject: who('stranger'), quantifier: 'may', verb: 'update', object: 'Post', records: 'shared' }],
    ['stranger never deletes unowned Post', { subject: who('stranger'), quantifier: 'never', verb: 'delete', object: 'Post', records: 'unowned' }],
    ['owner may update their own Todo', { subject: who('owner'), quantifier: 'may', verb: 'update', object: 'Todo', records: 'own' }],
    ['owner may update own Todo', { subject: who('owner'), quantifier: 'may', verb: 'update', object: 'Todo', records: 'own' }],
    ["stranger never updates others' Todo", { subject: who('stranger'), quantifier: 'never', verb: 'update', object: 'Todo', records: 'other' }],
    ['groupMember:Team subscribes to Project', { subject: who('groupMember:Team'), quantifier: 'may', verb: 'subscribe', object: 'Project' }],
    ['stranger never subscribes to Project events', { subject: who('stranger'), quantifier: 'never', verb: 'subscribe', object: 'Project' }],
    ['stranger never receives Todo events from owner', { subject: who('stranger'), quantifier: 'never', verb: 'receive', object: 'Todo', from: 'owner' }],
    ['stranger never receives Employee.ssn', { subject: who('stranger'), quantifier: 'never', verb: 'receive', object: 'Employee', field: 'ssn' }],
    ['apiKey calls echo', { subject: who('apiKey'), quantifier: 'may', verb: 'call', object: 'echo' }],
    ['guest never writes media/*', { subject: who('guest'), quantifier: 'never', verb: 'write', object: 'media/*' }],
    ['only the owner identity reads private/{entity_id}/*', { subject: { ownerIdentity: true }, quantifier: 'only', verb: 'read', object: 'private/{entity_id}/*' }],
    ["stranger never deletes others' photos:private/{entity_id}/*", { subject: who('stranger'), quantifier: 'never', verb: 'delete', object: 'photos:private/{entity_id}/*', records: 'other' }],
    ['function:thumbnails may write thumbnails/*', { subject: who('function:thumbnails'), quantifier: 'may', verb: 'write', object: 'thumbnails/*' }],
    ['guest may GET /items', { subject: who('guest'), quantifier: 'may', verb: 'get', object: '/items' }],
    ['anyone never DELETE /admin/*', { subject: { anyone: true, except: [] }, quantifier: 'never', verb: 'delete', object: '/admin/*' }],
    ['groupMember:Admins may POST /admin/*', { subject: who('groupMember:Admins'), quantifier: 'may', verb: 'post', object: '/admin/*' }],
    ['only groupMember:Admins and iamAdmin may PATCH myRestApi:/users/{id}', { subject: who('groupMember:Admins', 'iamAdmin'), quantifier: 'only', verb: 'patch', object: 'myRestApi:/users/{id}' }],
    ['anonymous never calls /*', { subject: who('anonymous'), quantifier: 'never', verb: 'call', object: '/*' }],
    ['guest may call /items/{proxy+}', { subject: who('guest'), quantifier: 'may', verb: 'call', object: '/items/{proxy+}' }],
    ['anonymous may OPTIONS /', { subject: who('anonymous'), quantifier: 'may', verb: 'options', object: '/' }],
    ['stranger never HEAD /health', { subject: who('stranger'), quantifier: 'never', verb: 'head', object: '/health' }],
    ['guest and restApiKey never PUT /items', { subject: who('guest', 'restApiKey'), quantifier: 'never', verb: 'put', object: '/items' }],
  ];
  it.each(forms)('%s', (text, statement) => {
    expect(parsed(text)).toEqual(statement);
    expect(parseSentence(text).text).toBe(text);
  });

  it.each([
    ['members of Admins may POST /admin/*', { subject: who('groupMember:Admins'), quantifier: 'may', verb: 'post', object: '/admin/*' }, 'groupMember:Admins may POST /admin/*'],
    ['only members of Admins and iamAdmin may DELETE /admin', { subject: who('groupMember:Admins', 'iamAdmin'), quantifier: 'only', verb: 'delete', object: '/admin' }, 'only groupMember:Admins and iamAdmin may DELETE /admin'],
    ['anyone except Members Of Auditors never deletes Post', { subject: { anyone: true, except: ['groupMember:Auditors'] }, quantifier: 'never', verb: 'delete', object: 'Post' }, 'anyone except groupMember:Auditors never deletes Post'],
    ['guest may get /items', { subject: who('guest'), quantifier: 'may', verb: 'get', object: '/items' }, 'guest may GET /items'],
    ['guest never Delete /items', { subject: who('guest'), quantifier: 'never', verb: 'delete', object: '/items' }, 'guest never DELETE /items'],
  ] as const)('%s (canonical: %s)', (text, statement, canonical) => {
    expect(parsed(text)).toEqual(statement);
    expect(makeStatement({ ...statement, subject: structuredClone(statement.subject) as Subject }).text).toBe(canonical);
  });

  it('"everyone else" is anyone except the personas of the statement before it', () => {
    expect(parsed("everyone else never updates owner's Todo", who('owner', 'iamAdmin')))
      .toEqual({ subject: { anyone: true, except: ['owner', 'iamAdmin'] }, quantifier: 'never', verb: 'update', object: 'Todo', records: { of: 'owner' } });
  });
});

describe('sentence errors: one line, with the fix', () => {
  const VERBS = 'use read, get, list, create, update, delete, write, subscribe to, receive or call (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or call for a REST path)';
  const errors: [string, string, string][] = [
    ['', 'the statement is empty', 'write a sentence such as "guest never reads Post"'],
    ['never reads Post', 'the statement starts with "never", not a persona', 'say who first: anyone never reads Post'],
    ['only may read Post', 'the statement starts with "may", not a persona', 'start with a persona (guest), several (guest and apiKey), anyone or everyone else'],
    ['guest never reeds Post', 'unknown verb "reeds"', `${VERBS} (did you mean reads?)`],
    ['guest never eat Post', 'unknown verb "eat"', VERBS],
    ['guest never', '"guest never" stops before the verb', 'continue with read, get, list, create, update, delete, write, subscribe to, receive or call (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or call for a REST path)'],
    ['guest never reads', '"guest never reads" names no model, field or custom operation', 'end with a model (Post), a field (Post.title), a custom operation (likePost), a storage path (media/*) or a REST path (/items)'],
    ["stranger never lists owner's", `"stranger never lists owner's" names no model, field or custom operation`, 'end with a model (Post), a field (Post.title), a custom operation (likePost), a storage path (media/*) or a REST path (/items)'],
    ['only guest never reads Post', '"only" cannot be combined with a negation', 'write "only X may <verb> <object>", or "X never <verb> <object>"'],
    ['guest and never reads Post', '"and" is not followed by a persona', 'name a persona after "and", e.g. guest or groupMember:Admin'],
    ['guest, never reads Post', 'a comma is not followed by a persona', 'name a persona after a comma, e.g. guest or groupMember:Admin'],
    ['anyone except never deletes Post', '"except" is not followed by a persona', 'name a persona after "except", e.g. guest or groupMember:Admin'],
    ['stranger never receives Post from', '"from" is not followed by a persona', 'name a persona after "from", e.g. guest or groupMember:Admin'],
    ['everyone else never deletes Post', '"everyone else" needs a statement before it that names personas', "name them instead: anyone except owner never updates owner's Todo"],
    ['only anyone may delete Post', '"only anyone" says nothing', 'name the personas: only groupMember:Admin may delete Post'],
    ['guest never reads Post now', 'unexpected "now" after "guest never reads Post"', 'end the sentence after the object; only "events" (subscribe to, receive) and "from <persona>" (receive) may follow it'],
    ['guest never reads Post events', '"events" follows only subscribe to and receive', 'drop "events"'],
    ['guest never reads Post from owner', '"from owner" applies only to receive', 'drop "from owner", or write "receive Post from owner"'],
    ['guest never deletes Post.title', 'delete acts on whole records or operations, not on the field Post.title', 'write Post instead of Post.title'],
    ['guest never calls echo.message', 'call acts on whole records or operations, not on the field echo.message', 'write echo instead of echo.message'],
    ["guest never creates owner's Post", `"owner's" does not apply to create`, 'drop it: records are named for read, get, list, update, delete, write'],
    ['guest never receives shared Post', '"shared" does not apply to receive', 'drop it: records are named for read, get, list, update, delete, write'],
    ['guest never reads their Post', '"their" is not followed by "own"', "write their own (the persona's own records)"],
    ['guest and guest never read Post', 'persona "guest" is named twice', 'name each persona once'],
    ['guest never reads Post-1', '"Post-1" is not a model, a Model.field or a custom operation', 'write e.g. Post, Post.title or likePost'],
    ['the stranger reads media/*', '"the" starts only "the owner identity"', 'name a persona, or write "the owner identity" for storage paths with {entity_id}'],
    ['the owner identity reads Post', '"Post" is not a storage path', 'the owner identity is for {entity_id} storage paths, e.g. private/{entity_id}/*'],
    ['guest never creates media/*', 'create does not apply to files', 'use read, get, list, write, delete with a storage path'],
    ['guest never reads shared media/*', '"shared" does not apply to files', "use their own or others' (an identity's own folder under an {entity_id} path), or nothing"],
    ['the owner identity reads their own private/{entity_id}/*', 'the owner identity already means "in its own folder"', 'drop "their own"'],
    ['guest never POST Post', 'POST applies only to REST paths', 'write the path as backend.ts declares it (POST /items), or use a model verb: read, get, list, create, update, delete or write'],
    ['guest never reads /items', 'read does not apply to REST paths', 'use GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, or call (every verb)'],
    ['guest never lists /items/*', 'list does not apply to REST paths', 'use GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, or call (every verb)'],
    ['guest never GET /items/*/x', '"/items/*/x" is not a REST path', 'write the resource path as backend.ts declares it (/items, /items/{proxy+}), /admin/* for a path and everything below it, or myRestApi:/items to name the API'],
    ['guest never GET /items?x=1', '"/items?x=1" is not a REST path', 'write the resource path as backend.ts declares it (/items, /items/{proxy+}), /admin/* for a path and everything below it, or myRestApi:/items to name the API'],
    ['guest never GET //items', '"//items" is not a REST path', 'write the resource path as backend.ts declares it (/items, /items/{proxy+}), /admin/* for a path and everything below it, or myRestApi:/items to name the API'],
    ["stranger never DELETE owner's /items", `"owner's" does not apply to REST paths`, 'drop it: a REST path has no records'],
    ['the owner identity GET /items', 'the owner identity applies to storage paths', 'name personas for REST paths: guest may GET /items'],
    ['members of never GET /items', '"members of" is not followed by a group', 'name the group as defineAuth declares it: members of Admins'],
    ['guest never DELETE /items from owner', '"from owner" applies only to receive', 'drop "from owner"'],
  ];
  it.each(errors)('%j', (text, message, fix) => {
    let error: unknown;
    try {
      parseSentence(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatementError);
    expect({ message: (error as StatementError).message, fix: (error as StatementError).fix }).toEqual({ message, fix });
  });
});

describe('canonical sentences', () => {
  const sometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });
  const name = fc.constantFrom('guest', 'apiKey', 'owner', 'stranger', 'groupMember:Admin', 'iamAdmin');
  const names = fc.uniqueArray(name, { minLength: 1, maxLength: 3 });
  const subject: fc.Arbitrary<Subject> = fc.oneof(names.map((personas) => ({ personas })), fc.uniqueArray(name, { maxLength: 2 }).map((except) => ({ anyone: true as const, except })));
  const draft: fc.Arbitrary<Draft> = fc.record({
    subject,
    quantifier: fc.constantFrom('may', 'never', 'only'),
    verb: fc.constantFrom('read', 'get', 'list', 'create', 'update', 'delete', 'write', 'subscribe', 'receive', 'call', 'post', 'PATCH', 'OPTIONS'),
    object: fc.constantFrom('Post', 'Employee.ssn', 'Todo', 'echo', '/items', 'myRestApi:/admin/*', '/*'),
    records: sometimes(fc.constantFrom({ of: 'owner' }, 'shared', 'unowned', 'own', 'other')),
    from: sometimes(name),
  }).map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as unknown as Draft);

  it('read back, the canonical sentence of any valid statement is the same statement', () => {
    let valid = 0;
    fc.assert(fc.property(draft, (d) => {
      let s: Statement;
      try {
        s = makeStatement(d);
      } catch (e) {
        if (e instanceof StatementError) return;
        throw e;
      }
      valid++;
      expect(s.text).toBe(sentenceOf(s));
      expect(model(parseSentence(s.text))).toEqual(model(s));
    }), { numRuns: 400 });
    expect(valid).toBeGreaterThan(100);
  });
});
