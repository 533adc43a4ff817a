/** Contract files: YAML (sentences and the structured form), the TypeScript builder, discovery and every loading error. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anyone, contract, only, persona } from '../../harness/contracts/builder.js';
import { defaultContractPaths, loadContracts } from '../../harness/contracts/load.js';
import { parseSentence } from '../../harness/contracts/sentence.js';
import type { Contract, Statement } from '../../harness/contracts/statement.js';
import { parseContractYaml } from '../../harness/contracts/yaml.js';
import { InputError } from '../../harness/schema/errors.js';
import { ROOT } from '../cli/cli.js';

const model = (s: Statement) => {
  const { text: _text, line: _line, ...rest } = s;
  return rest;
};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'authmatrix-contracts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function loadError(paths: string[]): Promise<string> {
  try {
    await loadContracts(paths);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('expected loadContracts to fail');
}

function yamlError(text: string): string {
  try {
    parseContractYaml(text, 'c.contract.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).format();
  }
  throw new Error('expected the YAML to be refused');
}

describe('the builder and YAML give the same statements', () => {
  it("the issue's four statements", () => {
    const built = contract('Employee privacy', [
      persona('guest').never('read', 'Employee.ssn'),
      only('groupMember:Admin').may('delete', 'Post'),
      persona('stranger').cannot('list', 'Todo', { of: 'owner' }),
      persona('apiKey').may('read', 'Post'),
    ]);
    const yaml = parseContractYaml([
      'name: Employee privacy',
      'statements:',
      '  - guest never reads Employee.ssn',
      '  - only groupMember:Admin deletes Post',
      "  - stranger cannot list owner's Todo",
      '  - apiKey reads Post',
    ].join('\n'), 'c.contract.yaml');
    expect(built.statements.map(model)).toEqual(yaml.statements.map(model));
    expect(built.statements.map((s) => s.text)).toEqual(['guest never reads Employee.ssn', 'only groupMember:Admin may delete Post', "stranger never lists owner's Todo", 'apiKey may read Post']);
  });

  it('every option of the builder, its sentence and its structured form', () => {
    const cases: [Statement, string, string][] = [
      [persona('guest', 'apiKey').never('write', 'Post'), 'guest and apiKey never write Post', '{ persona: [guest, apiKey], never: write, object: Post }'],
      [anyone().never('delete', 'Post'), 'anyone never deletes Post', '{ anyone: true, never: delete, object: Post }'],
      [anyone().except('owner', 'iamAdmin').never('update', 'Todo', { of: 'owner' }), "everyone except owner and iamAdmin never updates owner's Todo", '{ anyone: true, except: [owner, iamAdmin], cannot: update, object: Todo, of: owner }'],
      [persona('stranger').may('update', 'Post', { records: 'shared' }), 'stranger can update shared Post', '{ persona: stranger, may: update, object: Post, records: shared }'],
      [persona('owner').may('update', 'Todo', { records: 'own' }), 'owner may update their own Todo', '{ persona: owner, may: update, object: Todo, records: own }'],
      [persona('stranger').never('update', 'Todo', { records: 'others' }), "stranger never updates others' Todo", '{ persona: stranger, never: update, object: Todo, records: others }'],
      [persona('stranger').never('delete', 'Post', { records: 'unowned' }), 'stranger cannot delete unowned Post', '{ persona: stranger, never: delete, object: Post, records: unowned }'],
      [persona('stranger').never('receive', 'Todo', { from: 'owner' }), 'stranger never receives Todo events from owner', '{ persona: stranger, never: receive, object: Todo, from: owner }'],
      [persona('groupMember:Team').may('subscribe', 'Project'), 'groupMember:Team subscribes to Project', '{ persona: groupMember:Team, may: subscribe, object: Project }'],
      [only('groupMember:HR', 'iamAdmin').may('update', 'Employee.salary'), 'only groupMember:HR and iamAdmin may update Employee.salary', '{ only: [groupMember:HR, iamAdmin], may: update, object: Employee.salary }'],
      [persona('apiKey').may('call', 'echo'), 'apiKey calls echo', '{ persona: apiKey, may: call, object: echo }'],
      [persona('groupMember:Admins').never('DELETE', '/items/*'), 'members of Admins never DELETE /items/*', '{ persona: groupMember:Admins, never: DELETE, object: /items/* }'],
      [only('groupMember:Admins', 'iamAdmin').may('delete', 'myRestApi:/admin'), 'only members of Admins and iamAdmin may delete myRestApi:/admin', '{ only: [groupMember:Admins, iamAdmin], may: delete, object: "myRestApi:/admin" }'],
      [anyone().may('call', '/health'), 'anyone may call /health', '{ anyone: true, may: call, object: /health }'],
    ];
    for (const [built, sentence, map] of cases) {
      const yaml = parseContractYaml(`name: x\nstatements:\n  - ${sentence}\n  - ${map}\n`, 'c.contract.yaml');
      expect(yaml.statements.map(model)).toEqual([model(built), model(built)]);
      expect(model(parseSentence(built.text))).toEqual(model(built));
    }
  });

  it('examples/blog: privacy.contract.ts loads through jiti with `authmatrix/contracts` aliased, with the line of each statement', async () => {
    const [ts] = await loadContracts([path.join(ROOT, 'examples/blog/specs/contracts/privacy.contract.ts')]);
    const yaml = parseContractYaml([
      'name: Employee privacy',
      'description: Social security numbers and salaries stay with the employee and HR.',
      'statements:',
      '  - anonymous, apiKey, guest and iamUser never read Employee',
      "  - owner may read owner's Employee.ssn",
      '  - owner never reads unowned Employee.ssn',
      '  - stranger and groupMember:Admin never read Employee.ssn',
      '  - only groupMember:HR and iamAdmin may read Employee.salary',
      '  - only groupMember:HR and iamAdmin may update Employee.salary',
      '  - anyone except groupMember:HR and iamAdmin never receives Employee.salary',
    ].join('\n'), 'privacy.contract.yaml');
    expect(ts!.name).toBe(yaml.name);
    expect(ts!.description).toBe(yaml.description);
    expect(ts!.statements.map(model)).toEqual(yaml.statements.map(model));
    expect(ts!.statements.map((s) => s.text)).toEqual(yaml.statements.map((s) => s.text));
    expect(ts!.statements.map((s) => s.line)).toEqual([9, 12, 13, 14, 17, 18, 19]);
    expect(ts!.file).toBe(path.relative(process.cwd(), path.join(ROOT, 'examples/blog/specs/contracts/privacy.contract.ts')));
  });
});

describe('YAML', () => {
  it('keeps each sentence as written, with its line; "everyone else" refers to the statement before', () => {
    const c = parseContractYaml([
      'name: Todo',
      'description: >',
      '  Folded text.',
      'statements:',
      '  # a comment',
      '  - owner may update owner\'s Todo',
      '',
      '  - everyone else never updates owner\'s Todo.',
    ].join('\n'), 'todo.contract.yaml');
    expect(c).toMatchObject({ name: 'Todo', description: 'Folded text.\n', file: 'todo.contract.yaml' });
    expect(c.statements.map((s) => [s.line, s.text])).toEqual([[6, "owner may update owner's Todo"], [8, "everyone else never updates owner's Todo."]]);
    expect(c.statements[1]!.subject).toEqual({ anyone: true, except: ['owner'] });
  });

  const errors: [string, string, string][] = [
    ['a YAML syntax error', 'name: [x\nstatements:\n  - a\n', 'c.contract.yaml:2:1: the YAML does not parse: Flow sequence in block collection must be sufficiently indented and end with a ]. Fix: correct the YAML; quote a sentence that contains ": " or starts with a quote'],
    ['not a map', '- guest never reads Post\n', 'c.contract.yaml: the contract must be a map with name and statements. Fix: write name: <what it protects> and statements: with one sentence per item (- guest never reads Post)'],
    ['an unknown key', 'name: x\nstatement:\n  - guest never reads Post\n', 'c.contract.yaml:2: unknown key "statement". Fix: use name, description, statements'],
    ['no name', 'statements:\n  - guest never reads Post\n', 'c.contract.yaml: the contract has no name. Fix: add name: <what it protects>, e.g. name: Employee privacy'],
    ['a description that is not text', 'name: x\ndescription: [a]\nstatements:\n  - guest never reads Post\n', 'c.contract.yaml:2: description must be text. Fix: write description: <one paragraph>'],
    ['no statements', 'name: x\nstatements: []\n', 'c.contract.yaml:2: the contract has no statements. Fix: add statements: with one sentence per item (- guest never reads Post)'],
    ['statements missing', 'name: x\n', 'c.contract.yaml: the contract has no statements. Fix: add statements: with one sentence per item (- guest never reads Post)'],
    ['a number for a statement', 'name: x\nstatements:\n  - 42\n', 'c.contract.yaml:3: a statement must be a sentence or a map. Fix: write - guest never reads Post'],
    ['a sentence that does not parse', 'name: x\nstatements:\n  - guest never reads Post\n  - guest never reeds Post\n', 'c.contract.yaml:4: "guest never reeds Post": unknown verb "reeds". Fix: use read, get, list, create, update, delete, write, subscribe to, receive or call (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or call for a REST path) (did you mean reads?)'],
    ['a sentence with ": "', 'name: x\nstatements:\n  - guest: never reads Post\n', 'c.contract.yaml:3: "guest: never reads Post" reads as a YAML map because of ": ". Fix: remove the colon, or quote the sentence'],
    ['a structured statement with an unknown key', 'name: x\nstatements:\n  - { persona: guest, never: read, object: Post, field: ssn }\n', 'c.contract.yaml:3: unknown key "field" in a statement. Fix: use persona, only, anyone, except, may, never, cannot, object, of, records, from'],
    ['two subjects', 'name: x\nstatements:\n  - { persona: guest, anyone: true, never: read, object: Post }\n', 'c.contract.yaml:3: a statement needs exactly one of persona, only, anyone. Fix: { persona: guest, never: read, object: Post }'],
    ['no quantifier', 'name: x\nstatements:\n  - { persona: guest, object: Post }\n', 'c.contract.yaml:3: a statement needs exactly one of may, never, cannot. Fix: { persona: guest, never: read, object: Post }'],
    ['except without anyone', 'name: x\nstatements:\n  - { persona: guest, except: [owner], never: read, object: Post }\n', 'c.contract.yaml:3: except goes with anyone. Fix: { anyone: true, except: [owner], never: update, object: Todo }'],
    ['only with never', 'name: x\nstatements:\n  - { only: guest, never: read, object: Post }\n', 'c.contract.yaml:3: "only" goes with may. Fix: { only: groupMember:Admin, may: delete, object: Post }'],
    ['no object', 'name: x\nstatements:\n  - { persona: guest, never: read }\n', 'c.contract.yaml:3: the statement has no object. Fix: add object: Post (a model, Model.field or a custom operation)'],
    ['an unknown verb', 'name: x\nstatements:\n  - { persona: guest, never: eat, object: Post }\n', 'c.contract.yaml:3: unknown verb "eat". Fix: use read, get, list, create, update, delete, write, subscribe to, receive or call (GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS or call for a REST path)'],
    ['a persona that is not a name', 'name: x\nstatements:\n  - { persona: [guest, 3], never: read, object: Post }\n', 'c.contract.yaml:3: persona must be a persona name or a list of them. Fix: persona: [guest, apiKey]'],
    ['anyone that is not true', 'name: x\nstatements:\n  - { anyone: yes, never: read, object: Post }\n', 'c.contract.yaml:3: anyone must be true. Fix: { anyone: true, never: delete, object: Post }'],
    ['unknown records', 'name: x\nstatements:\n  - { persona: guest, never: read, object: Post, records: mine }\n', 'c.contract.yaml:3: unknown records "mine". Fix: use shared, unowned, own or others'],
    ['of and records together', 'name: x\nstatements:\n  - { persona: guest, never: read, object: Post, records: shared, of: owner }\n', "c.contract.yaml:3: both \"of\" and \"records\" are given. Fix: use one: { of: 'owner' } or { records: 'shared' }"],
  ];
  it.each(errors)('refuses %s in one line', (_what, text, line) => {
    const message = yamlError(text);
    expect(message).toBe(line);
    expect(message).not.toContain('\n');
  });
});

describe('loading', () => {
  it('a directory: every contract file in it, recursively, sorted; other files are ignored', async () => {
    const dir = path.join(tmp, 'discover');
    write('discover/b.contract.yaml', 'name: B\nstatements:\n  - guest never reads Post\n');
    write('discover/nested/a.contract.ts', "import { contract, persona } from 'authmatrix/contracts';\nexport default [contract('A1', [persona('guest').never('read', 'Post')]), contract('A2', [persona('apiKey').may('read', 'Post')])];\n");
    write('discover/notes.yaml', 'not: a contract\n');
    write('discover/helper.ts', 'export const x = 1;\n');
    const contracts = await loadContracts([dir]);
    expect(contracts.map((c: Contract) => [c.name, path.basename(c.file), c.statements.map((s) => s.text)])).toEqual([
      ['B', 'b.contract.yaml', ['guest never reads Post']],
      ['A1', 'a.contract.ts', ['guest never reads Post']],
      ['A2', 'a.contract.ts', ['apiKey may read Post']],
    ]);
    expect(await loadContracts([])).toEqual([]);
  });

  it('the default places: specs/contracts under the app root and the working directory, when they exist, once each', () => {
    const blog = path.join(ROOT, 'examples/blog');
    expect(defaultContractPaths(blog, ROOT)).toEqual([path.join(blog, 'specs/contracts')]);
    expect(defaultContractPaths(blog, blog)).toEqual([path.join(blog, 'specs/contracts')]);
    expect(defaultContractPaths(tmp, tmp)).toEqual([]);
  });

  it('names the file, the line and the fix when a TypeScript statement is invalid', async () => {
    const file = write('bad/field.contract.ts', [
      "import { contract, persona } from 'authmatrix/contracts';",
      '',
      "export default contract('Bad', [",
      "  persona('guest').never('read', 'Post'),",
      "  persona('guest').never('delete', 'Post.title'),",
      ']);',
    ].join('\n'));
    expect(await loadError([file])).toBe(`${path.relative(process.cwd(), file)}:5: delete acts on whole records or operations, not on the field Post.title. Fix: write Post instead of Post.title`);
  });

  const bad: [string, string, string][] = [
    ['an unknown builder option', "import { contract, persona } from 'authmatrix/contracts';\nexport default contract('Bad', [\n  persona('guest').never('read', 'Post', { owner: true } as never),\n]);\n", ':3: unknown option "owner". Fix: use of, records or from'],
    ['a contract without statements', "import { contract } from 'authmatrix/contracts';\nexport default contract('Empty', []);\n", `:2: contract "Empty" has no statements. Fix: contract('Empty', [persona('guest').never('read', 'Post')])`],
    ['a default export that is not a contract', 'export default { name: "x" };\n', ": the default export is not a contract. Fix: export default contract('<name>', [...]) from 'authmatrix/contracts' (or an array of them)"],
    ['a file that throws', "throw new Error('boom');\n", ': the contract does not load: boom. Fix: fix the TypeScript so the file evaluates'],
  ];
  it.each(bad)('refuses %s in one line', async (what, text, tail) => {
    const file = write(`bad/${what.replace(/\W+/g, '-')}.contract.ts`, text);
    expect(await loadError([file])).toBe(`${path.relative(process.cwd(), file)}${tail}`);
  });

  it('refuses a path that does not exist, and a file that is not a contract', async () => {
    expect(await loadError(['specs/contracts/nope'])).toBe('specs/contracts/nope: contracts path not found. Fix: pass a contract file or a directory of them (name contract files <name>.contract.yaml or <name>.contract.ts)');
    const notes = write('notes.yaml', 'name: x\n');
    expect(await loadError([notes])).toBe(`${notes}: not a contract file. Fix: name contract files <name>.contract.yaml or <name>.contract.ts`);
  });
});
