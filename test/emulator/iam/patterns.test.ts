/** The wildcard matcher agrees with a regular expression built from the same tokens, on random inputs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matches, parsePattern, resolve, type Resolved } from '../../../harness/emulator/iam/patterns.js';

function regex(tokens: Resolved): RegExp {
  const body = tokens
    .map((t) => (t.t === 'text' ? t.text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : t.t === 'star' ? (t.crossesColon ? '[^]*' : '[^:]*') : t.crossesColon ? '[^]' : '[^:]'))
    .join('');
  return new RegExp(`^${body}$`);
}

const token = fc.oneof(
  fc.record({ t: fc.constant('text' as const), text: fc.stringMatching(/^[ab:/]{1,3}$/) }),
  fc.record({ t: fc.constant('star' as const), crossesColon: fc.boolean() }),
  fc.record({ t: fc.constant('one' as const), crossesColon: fc.boolean() }),
);

describe('matches', () => {
  it('agrees with the equivalent regular expression', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), fc.stringMatching(/^[ab:/]{0,10}$/), fc.boolean(), (tokens, value, ignoreCase) => {
        const v = ignoreCase ? value.toUpperCase() : value;
        expect(matches(tokens, v, ignoreCase)).toBe(regex(tokens).test(ignoreCase ? value : v));
      }),
      { numRuns: 2000 },
    );
  });

  it('stays linear on patterns that make backtracking matchers explode', () => {
    const tokens = parsePattern('*a*a*a*a*a*a*a*a*b', { wildcards: true, variables: false, scope: 'anywhere' }).tokens as Resolved;
    expect(matches(tokens, 'a'.repeat(20_000))).toBe(false);
  });

  it('parses variables, defaults with doubled quotes, and escapes', () => {
    const p = parsePattern("x/${aws:userid, 'it''s'}/${*}${?}${$}${aws:username", { wildcards: true, variables: true, scope: 'anywhere' });
    expect(resolve(p, () => undefined)).toEqual([{ t: 'text', text: 'x/' }, { t: 'text', text: "it's" }, { t: 'text', text: '/*?$${aws:username' }]);
    expect(resolve(p, (k) => (k === 'aws:userid' ? 'AIDA' : undefined))?.[1]).toEqual({ t: 'text', text: 'AIDA' });
  });
});
