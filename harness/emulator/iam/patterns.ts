/**
 * Patterns in IAM policies: literal text, the `*` and `?` wildcards and `${key}` policy variables, parsed
 * once and matched without regular expressions (time linear in pattern × input, whatever a request sends).
 *
 * Where a wildcard may cross a colon depends on the element (docs/iam.md, "Wildcards"):
 * - actions and string conditions: anywhere;
 * - `Resource`: inside the first five ARN components only within the component, unless the `*` is the
 *   last character of its component; anywhere in the sixth (the resource part, which may hold colons);
 * - ARN conditions (`ArnLike`): each of the first five components on its own.
 */

export type WildcardScope = 'anywhere' | 'resource' | 'arnCondition';

export type Token =
  | { t: 'text'; text: string }
  | { t: 'star'; crossesColon: boolean }
  | { t: 'one'; crossesColon: boolean }
  | { t: 'var'; key: string; fallback: string | undefined };

/** A pattern after its variables were resolved: nothing but text and wildcards. */
export type Resolved = Exclude<Token, { t: 'var' }>[];

export interface Pattern {
  source: string;
  tokens: Token[];
  hasVariables: boolean;
}

export interface ParseOptions {
  wildcards: boolean;
  /** Policy variables exist only in `Version: 2012-10-17` documents; elsewhere `${…}` is plain text. */
  variables: boolean;
  scope: WildcardScope;
}

// `${key}` or `${key, 'default'}`; `''` inside the default is one quote.
const VARIABLE = /^\$\{\s*([^\s,'{}]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?\}/;
const ESCAPES: Record<string, string> = { '${*}': '*', '${?}': '?', '${$}': '$' };

export function parsePattern(source: string, opts: ParseOptions): Pattern {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text) tokens.push({ t: 'text', text });
    text = '';
  };
  // Wildcard scope is decided by the colons of the pattern as written, counted before substitution.
  let colons = 0;
  const crosses = (i: number, isStar: boolean): boolean => {
    if (opts.scope === 'anywhere' || colons >= 5) return true;
    if (opts.scope === 'arnCondition') return false;
    const next = source[i + 1];
    return isStar && (next === undefined || next === ':');
  };
  let hasVariables = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '$' && opts.variables && source[i + 1] === '{') {
      const escape = ESCAPES[source.slice(i, i + 4)];
      if (escape) {
        text += escape;
        i += 3;
        continue;
      }
      const m = VARIABLE.exec(source.slice(i));
      if (m) {
        flush();
        tokens.push({ t: 'var', key: m[1]!.toLowerCase(), fallback: m[2]?.replace(/''/g, "'") });
        hasVariables = true;
        i += m[0].length - 1;
        continue;
      }
    }
    if (opts.wildcards && (c === '*' || c === '?')) {
      flush();
      tokens.push({ t: c === '*' ? 'star' : 'one', crossesColon: crosses(i, c === '*') });
      continue;
    }
    if (c === ':') colons++;
    text += c;
  }
  flush();
  return { source, tokens, hasVariables };
}

/** A pattern that cannot hold variables (actions). */
export function parseFixed(source: string): Resolved {
  return parsePattern(source, { wildcards: true, variables: false, scope: 'anywhere' }).tokens as Resolved;
}

/**
 * Substitutes the variables from the request context (single values only: a multivalued key cannot be a
 * variable). `undefined` when one has no value and no default: the statement then does not apply.
 */
export function resolve(pattern: Pattern, lookup: (key: string) => string | undefined): Resolved | undefined {
  if (!pattern.hasVariables) return pattern.tokens as Resolved;
  const out: Resolved = [];
  for (const tok of pattern.tokens) {
    if (tok.t !== 'var') {
      out.push(tok);
      continue;
    }
    const value = lookup(tok.key) ?? tok.fallback;
    if (value === undefined) return undefined;
    // A substituted value is literal text: a `*` in a user's identity id is not a wildcard.
    out.push({ t: 'text', text: value });
  }
  return out;
}

/** Whether `value` matches the whole pattern. One pass per token over the input positions. */
export function matches(tokens: Resolved, value: string, ignoreCase = false): boolean {
  if (ignoreCase) {
    value = value.toLowerCase();
    tokens = tokens.map((t) => (t.t === 'text' ? { t: 'text', text: t.text.toLowerCase() } : t));
  }
  if (tokens.length === 1 && tokens[0]!.t === 'star' && tokens[0]!.crossesColon) return true;
  if (tokens.every((t) => t.t === 'text')) return tokens.map((t) => (t as { text: string }).text).join('') === value;
  const n = value.length;
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (const tok of tokens) {
    const next = new Uint8Array(n + 1);
    let any = false;
    if (tok.t === 'text') {
      const len = tok.text.length;
      for (let i = 0; i + len <= n; i++) {
        if (reach[i] && value.startsWith(tok.text, i)) {
          next[i + len] = 1;
          any = true;
        }
      }
    } else if (tok.t === 'one') {
      for (let i = 0; i < n; i++) {
        if (reach[i] && (tok.crossesColon || value[i] !== ':')) {
          next[i + 1] = 1;
          any = true;
        }
      }
    } else {
      let open = false;
      for (let j = 0; j <= n; j++) {
        if (j > 0 && !tok.crossesColon && value[j - 1] === ':') open = false;
        if (reach[j]) open = true;
        if (open) {
          next[j] = 1;
          any = true;
        }
      }
    }
    if (!any) return false;
    reach = next;
  }
  return reach[n] === 1;
}
