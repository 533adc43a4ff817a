/** Static evaluation against the expected matrix: the examples hold, the broken fixture breaks and blames the right cells and rules, vague statements are refused. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkContracts, type ContractVerdict } from '../../harness/contracts/evaluate.js';
import { loadContracts } from '../../harness/contracts/load.js';
import { parseSentence } from '../../harness/contracts/sentence.js';
import type { Statement } from '../../harness/contracts/statement.js';
import { InputError } from '../../harness/schema/errors.js';
import { ROOT } from '../cli/cli.js';
import { app, type Example } from './apps.js';

async function check(name: Example, ...sentences: string[]): Promise<ContractVerdict[]> {
  let previous: Statement | undefined;
  const statements = sentences.map((s, i) => (previous = { ...parseSentence(s, previous?.subject), line: i + 1 }));
  return checkContracts([{ name: 'test', file: 't.contract.yaml', statements }], await app(name));
}

async function refusal(name: Example, sentence: string): Promise<string> {
  try {
    await check(name, sentence);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error(`expected "${sentence}" to be refused`);
}

describe('the examples hold', () => {
  it.each([
    ['blog', 'examples/blog/specs/contracts', 26],
    ['todo', 'examples/todo/specs/contracts', 10],
    ['photos', 'examples/photos/specs/contracts', 9],
    ['rest', 'examples/rest/specs/contracts', 23],
  ] as const)('%s', async (name, dir, statements) => {
    const contracts = await loadContracts([path.join(ROOT, dir)]);
    const outcomes = checkContracts(contracts, await app(name));
    expect(outcomes).toHaveLength(statements);
    for (const o of outcomes) {
      expect({ statement: o.statement, broken: o.broken, violations: o.violations }).toEqual({ statement: o.statement, broken: false, violations: [] });
      expect(o.cells.length).toBeGreaterThan(0);
      expect(o.explanation).toBe(`holds on the expected matrix (${o.cells.length} cell${o.cells.length === 1 ? '' : 's'})`);
    }
  });
});

describe('a broken contract names the cells and the rules to blame', () => {
  it('test/fixtures/contracts/broken.contract.yaml', async () => {
    const contracts = await loadContracts([path.join(ROOT, 'test/fixtures/contracts/broken.contract.yaml')]);
    const [may, never, only] = checkContracts(contracts, await app('blog'));
    const file = path.relative(process.cwd(), path.join(ROOT, 'test/fixtures/contracts/broken.contract.yaml'));
    const apiKeyDenied = 'denied: no rule for provider apiKey grants delete on Post';
    expect(may).toEqual({
      contract: 'Broken on purpose', file, line: 4, statement: 'apiKey deletes Post', broken: 'static',
      cells: ['Post|delete|apiKey|owned', 'Post|delete|apiKey|shared', 'Post|delete|apiKey|unowned'],
      violations: ['owned', 'shared', 'unowned'].map((r) => ({ cell: `Post|delete|apiKey|${r}`, expected: 'deny', rule: null, reason: apiKeyDenied, why: 'deny' })),
      explanation: 'refused to apiKey in 3 cells',
    });
    expect(never).toMatchObject({ line: 5, statement: 'stranger never updates Post', broken: 'static', explanation: 'forbidden, but granted to stranger in 2 cells' });
    expect(never!.violations.map((v) => [v.cell, v.expected, v.rule, v.why])).toEqual([
      ['Post|update|stranger|shared', 'allow', 'Post#2', 'allow'],
      ['Post|update|stranger|shared|takeover:editors', 'allow', 'Post#2', 'allow'],
    ]);
    expect(never!.violations[0]!.reason).toMatch(/^allowed by rule Post#2: any owner listed in ownerField `editors`/);
    expect(only).toMatchObject({ line: 6, statement: 'only groupMember:Admin may delete Post', broken: 'static', explanation: 'also granted to iamAdmin and owner in 5 cells' });
    expect(only!.violations.map((v) => [v.cell, v.rule])).toEqual([
      ['Post|delete|iamAdmin|owned', null], ['Post|delete|iamAdmin|shared', null], ['Post|delete|iamAdmin|unowned', null],
      ['Post|delete|owner|owned', 'Post#1'], ['Post|delete|owner|shared', 'Post#1'],
    ]);
    expect(only!.violations[0]!.reason).toMatch(/generic IAM/);
  });

  it('only: each persona named must be granted it at least once', async () => {
    const [o] = await check('blog', 'only groupMember:Admin, iamAdmin and apiKey may delete unowned Post');
    expect(o).toMatchObject({ broken: 'static', explanation: 'apiKey is granted it in none of its 1 cell' });
    expect(o!.violations.map((v) => v.cell)).toEqual(['Post|delete|apiKey|unowned']);
    expect(o!.cells).toHaveLength(19);
  });
});

describe('semantics', () => {
  it('may: every record of every request the statement selects, so one refused record breaks it', async () => {
    const [mine, any] = await check('blog', "owner may read owner's Employee.ssn", 'owner may read Employee.ssn');
    expect(mine!.broken).toBe(false);
    expect(mine!.cells).toEqual(['Employee|get|owner|owned', 'Employee|get|owner|owned|ssn', 'Employee|list|owner']);
    expect(any!.violations.map((v) => [v.cell, v.why])).toEqual([
      ['Employee|get|owner|unowned', 'withholds ssn (partial)'],
      ['Employee|get|owner|unowned|ssn', 'withholds ssn (partial)'],
      ['Employee|list|owner', 'withholds ssn on unowned (partial)'],
    ]);
    const [list] = await check('blog', 'stranger may list Post');
    expect(list!.violations.map((v) => [v.cell, v.expected, v.why])).toEqual([['Post|list|stranger', 'filtered', 'does not see owned; does not see unowned']]);
  });

  it('never reads: gets, lists (with filters and custom-header paths), relation reads and subscription deliveries', async () => {
    const [comment, project] = await check('blog', 'guest never reads Comment', 'groupMember:HR never reads Project');
    expect(comment!.cells).toEqual(['Comment|get|guest|owned', 'Comment|get|guest|unowned', 'Comment|list|guest', 'Comment|list|guest|filter:owner', 'Post|get|guest|owned|comments']);
    // HR lists no project and gets none, but receives the event of the project it creates for its own group.
    expect(project!.violations.map((v) => [v.cell, v.why])).toEqual([['Project|onCreate|groupMember:HR|by:groupMember:HR', 'delivers the event']]);
    const [lists] = await check('blog', 'groupMember:HR never lists Project');
    expect(lists!.broken).toBe(false);
    const cell = (await app('blog')).cells.find((c) => c.id === 'Project|list|groupMember:HR')!;
    expect([cell.expected, cell.decision.visibleIds]).toEqual(['filtered', []]);
  });

  it('receive from: only the events that persona makes', async () => {
    const [o] = await check('todo', 'stranger never receives Todo from owner');
    expect(o!.broken).toBe(false);
    const cells = (await app('todo')).cells;
    expect(o!.cells.map((id) => cells.find((c) => c.id === id)!.actor)).toEqual(new Array(o!.cells.length).fill('owner'));
    expect(o!.cells.length).toBeGreaterThanOrEqual(3);
  });
});

describe('statements that select nothing are refused, with what exists', () => {
  const blog = app('blog');
  const personas = async () => [...new Set((await blog).cells.map((c) => c.persona))].join(', ');
  const objects = async () => { const m = (await blog).model; return [...m.models.map((x) => x.name), ...m.customOperations.map((o) => o.name)].join(', '); };
  const fields = async (model: string) => (await blog).model.models.find((m) => m.name === model)!.fields.map((f) => f.name).join(', ');
  const cases: [string, () => Promise<string>][] = [
    ['gust never reads Post', async () => `unknown persona "gust". Fix: use one of ${await personas()} (did you mean guest?)`],
    ['owner never receives Post from gust', async () => `unknown persona "gust". Fix: use one of ${await personas()} (did you mean guest?)`],
    ['anyone except gust never reads Post', async () => `unknown persona "gust". Fix: use one of ${await personas()} (did you mean guest?)`],
    // The member of the invented dynamic group was groupMember:Team; the old name says what it is called now.
    ['groupMember:Team never reads Post', async () => 'unknown persona "groupMember:Team". Fix: it is now called dynamicGroupMember (the member of the group dynamic-group fixtures name)'],
    ['guest never reads Psot', async () => `unknown model or custom operation "Psot". Fix: use one of ${await objects()} (did you mean Post?)`],
    ['guest never reads Post.titel', async () => 'Post has no field "titel". Fix: use one of id, title, content, editors, comments, owner, createdAt, updatedAt (did you mean title?)'],
    ['guest never reads Employee.snn', async () => `Employee has no field "snn". Fix: use one of ${await fields('Employee')} (did you mean ssn?)`],
    ['guest never reads Comment.text', async () => `Comment has no field "text". Fix: use one of ${await fields('Comment')}`],
    ['guest never calls Post', async () => 'call needs a custom operation, Post is a model. Fix: use one of echo, likePost, onLikePost, or a model verb such as read'],
    ['guest never reads echo', async () => 'echo is a custom query: only call applies. Fix: write "call echo"'],
    ['guest never lists Post.comments', async () => 'Post.comments is a relation: only read and get apply. Fix: write "read Post.comments", or name the related model (Comment)'],
    ['guest never reads shared Comment', async () => "Comment has no shared records (Comment's records: owned, unowned). Fix: name another record, or none"],
    ["guest never reads owner's Project", async () => "Project has no owned record (Project's records: shared, shared:viewers, unowned). Fix: name shared, unowned or no records"],
    ["guest never reads owner's Ticket", async () => "owner does not own a Ticket: its owned record is oidcUser's. Fix: write oidcUser's Ticket"],
    ['owner never updates Post.title', async () => 'selects no cells for owner. Fix: no cell writes Post.title on its own (only fields with their own rules, owner fields and group fields have field cells); write about Post'],
    ["iamUser never reads owner's Post.comments", async () => 'selects no cells for iamUser. Fix: relation reads are cells only for personas who may get the Post they start from; write about Post or Comment instead'],
  ];
  it.each(cases)('%s', async (sentence, line) => {
    expect(await refusal('blog', sentence)).toBe(`t.contract.yaml:1: "${sentence}": ${await line()}`);
  });

  it('anyone except every persona', async () => {
    expect(await refusal('todo', 'anyone except anonymous, apiKey, guest, iamUser, iamAdmin, owner and stranger never reads Todo'))
      .toBe('t.contract.yaml:1: "anyone except anonymous, apiKey, guest, iamUser, iamAdmin, owner and stranger never reads Todo": "anyone except" leaves no persona. Fix: leave at least one persona out of except');
  });
});

describe('storage paths', () => {
  it('the owner identity: every persona in its own folder; with only, nobody in a folder not theirs', async () => {
    const [o] = await check('photos', 'only the owner identity reads private/{entity_id}/*');
    const cells = (await app('photos')).cells;
    const selected = o!.cells.map((id) => cells.find((c) => c.id === id)!);
    expect(o!.broken).toBe(false);
    expect(new Set(selected.map((c) => c.ownership))).toEqual(new Set(['own', 'other']));
    expect(selected.every((c) => c.kind === 'storage' && c.path === 'private/{entity_id}/*' && ['get', 'list'].includes(c.operation))).toBe(true);
    expect(selected.filter((c) => c.ownership === 'other').every((c) => c.expected === 'deny')).toBe(true);
  });

  it('a statement the rules contradict is broken and names the cells', async () => {
    const [write, read] = await check('photos', 'guest may write media/*', 'guest never reads media/*');
    expect(write).toMatchObject({ broken: 'static', explanation: 'refused to guest in 1 cell' });
    expect(write!.violations.map((v) => [v.cell, v.expected])).toEqual([['photos:media/*|write|guest', 'deny']]);
    expect(read).toMatchObject({ broken: 'static', explanation: expect.stringMatching(/^forbidden, but granted to guest in \d+ cells$/) });
  });

  it.each([
    ['guest never reads media/nope/*', 'no storage rule is declared on "media/nope/*". Fix: use one of '],
    ['guest never reads attic:media/*', 'unknown bucket "attic". Fix: use one of photos, exports'],
    ['the owner identity reads media/*', 'media/* has no {entity_id}: nobody owns a folder there. Fix: name personas, without their own or others\''],
    ["stranger never reads others' media/*", 'media/* has no {entity_id}: nobody owns a folder there'],
    ['gust reads media/*', 'unknown persona "gust". Fix: use one of anonymous, guest, iamUser, iamGroupMember:Admin, iamGroupMember:Editors, iamAdmin, owner, stranger, groupMember:Admin, groupMember:Editors, function:thumbnails (did you mean guest?)'],
  ])('%s', async (sentence, line) => {
    expect(await refusal('photos', sentence)).toContain(`t.contract.yaml:1: "${sentence}": ${line}`);
  });
});

describe('REST paths', () => {
  const cellsOf = async (o: ContractVerdict) => {
    const cells = (await app('rest')).cells;
    return o.cells.map((id) => cells.find((c) => c.id === id)!);
  };

  it('may: each request gets through with at least one of the persona\'s plain presentations', async () => {
    // The owner's signed request passes the IAM method; its ID and access tokens are refused there.
    const [o] = await check('rest', 'owner may GET /items');
    expect(o).toMatchObject({ broken: false, violations: [] });
    expect((await cellsOf(o!)).map((c) => [c.variant, c.expected])).toEqual([['signed', 'allow'], ['idToken', 'deny'], ['accessToken', 'deny']]);
  });

  it('may: a request no presentation gets through breaks it, named with the gateway\'s reasons', async () => {
    const [o] = await check('rest', 'members of Admins may GET /items');
    expect(o).toMatchObject({ statement: 'members of Admins may GET /items', broken: 'static', explanation: 'groupMember:Admins is granted it in none of its 3 cells for myRestApi:GET /items' });
    expect(o!.violations.map((v) => [v.cell, v.expected, v.why])).toEqual(['signed', 'idToken', 'accessToken'].map((p) => [`rest|myRestApi|GET /items|groupMember:Admins|${p}`, 'deny', 'deny']));
    expect(o!.violations[0]!.reason).toMatch(/^denied: .*Admins.*execute-api:Invoke/);
  });

  it('never: every path, the global and overriding headers and cached authorizer answers included', async () => {
    const [o] = await check('rest', 'owner never GET /cognito-auth-path');
    expect(o).toMatchObject({ broken: 'static', explanation: 'forbidden, but granted to owner in 3 cells' });
    expect(o!.violations.map((v) => v.cell)).toEqual(['idToken', 'idToken:global', 'idToken:override'].map((v) => `rest|myRestApi|GET /cognito-auth-path|owner|${v}`));
    const [cached] = await check('rest', 'githubWebhook never POST /webhooks/stripe');
    expect(cached!.cells).toEqual(['rest|myRestApi|POST /webhooks/stripe|githubWebhook|token:cached after POST /webhooks/github']);
  });

  it('/path/* is the path and everything below it; call is every verb but the CORS preflight', async () => {
    const [below, call, preflight] = await check('rest', 'anonymous never DELETE /items/*', 'anonymous never calls /items/*', 'anonymous never OPTIONS /items/*');
    expect(new Set((await cellsOf(below!)).map((c) => c.path))).toEqual(new Set(['/items', '/items/{proxy+}']));
    expect(new Set((await cellsOf(call!)).map((c) => c.operation))).toEqual(new Set(['GET', 'POST', 'PUT', 'DELETE']));
    expect(call!.broken).toBe(false);
    expect(preflight).toMatchObject({ broken: 'static', explanation: 'forbidden, but granted to anonymous in 2 cells' });
  });

  it('only: the personas named, each request at least once; nobody else by any path', async () => {
    const [holds, broken] = await check('rest', 'only members of Admins and iamAdmin may DELETE /admin', 'only iamAdmin may DELETE /admin');
    expect(holds!.broken).toBe(false);
    expect(broken).toMatchObject({ broken: 'static', explanation: 'also granted to groupMember:Admins in 1 cell' });
    expect(broken!.violations.map((v) => [v.cell, v.rule])).toEqual([['rest|myRestApi|DELETE /admin|groupMember:Admins|signed', 'myRestApi DELETE /admin']]);
  });

  it.each([
    ['guest never GET /itms', 'no resource is declared at "/itms". Fix: use one of /, /admin, /catalog, /cognito-auth-path, /health, /items, /items/{proxy+}, /partner, /partner/orders, /profile, /users, /users/{userId}, /webhooks, /webhooks/github, /webhooks/stripe, /inventory, /orders, /partners/catalog, /status (did you mean /items?); or end with /* for a path and everything below it'],
    ['guest never GET /items/abc', 'no resource is declared at "/items/abc". Fix: use one of '],
    ['guest never GET shopApi:/items', 'unknown REST API "shopApi". Fix: use one of myRestApi'],
    ['guest never PATCH /items', 'no method of /items answers PATCH. Fix: /items declares DELETE, GET, OPTIONS, POST, PUT; API Gateway refuses any other verb to everyone (403 Missing Authentication Token), so there is nothing to test'],
    ['guest never PATCH /items/{proxy+}', 'selects no cells for guest. Fix: guest has no REST cell on /items/{proxy+} for PATCH: it calls no REST API (functions and the data API\'s key do not), or the method is ANY, which is tested with GET and DELETE'],
    ['gust never GET /items', 'unknown persona "gust". Fix: use one of '],
  ])('%s', async (sentence, line) => {
    expect(await refusal('rest', sentence)).toContain(`t.contract.yaml:1: "${sentence}": ${line}`);
  });

  it('an app without a REST API refuses REST statements', async () => {
    expect(await refusal('blog', 'guest never GET /items')).toBe('t.contract.yaml:1: "guest never GET /items": the app defines no REST API. Fix: drop the statement, or define the API in amplify/backend.ts');
  });
});
