/**
 * Gen 1 project files are read as the Amplify CLI reads them (hjson): NamS135176/grandPortals commits a cli.json with
 * a trailing comma, which the CLI deploys and JSON.parse refused ("invalid JSON: Expected double-quoted property name").
 */
import { describe, expect, it } from 'vitest';
import { parseCliJson } from '../../harness/schema/cli-json.js';

describe('parseCliJson', () => {
  it.each([
    ['a trailing comma in an object', '{ "a": false, }', { a: false }],
    ['a trailing comma in an array, across lines and a comment', '[1, 2, // two\n]', [1, 2]],
    ['line, hash and block comments', '{ // x\n "a": 1, # y\n /* z */ "b": 2 }', { a: 1, b: 2 }],
    ['comment and comma characters inside strings kept', '{ "u": "https://x/#a,}", "v": "/* no */" }', { u: 'https://x/#a,}', v: '/* no */' }],
    ['an escaped quote inside a string', '{ "q": "say \\"hi\\", }" }', { q: 'say "hi", }' }],
    ['a byte order mark', '\ufeff{ "a": 1 }', { a: 1 }],
  ])('%s', (_, text, value) => {
    expect(parseCliJson(text)).toEqual(value);
  });

  it('refuses what is not JSON once comments and trailing commas are set aside (a missing comma between entries)', () => {
    expect(() => parseCliJson('{ "a": 1 "b": 2 }')).toThrow();
  });
});
