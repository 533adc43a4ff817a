/**
 * The JSON files of a Gen 1 project (`cli.json`, `cli-inputs.json`, `backend-config.json`, …) as the Amplify CLI
 * reads them: through hjson (amplify-cli-core `JSONUtilities.parse`), which takes comments (`//`, block comments,
 * `#`) and trailing commas that `JSON.parse` refuses. A project whose `cli.json` has `"flag": false,}` deploys, so it
 * must load here too (NamS135176/grandPortals). Other hjson liberties (unquoted keys and strings) are not taken.
 */
export function parseCliJson(text: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '"') {
      const end = stringEnd(source, i);
      out += source.slice(i, end + 1);
      i = end;
    } else if (commentEnd(source, i) !== undefined) {
      i = commentEnd(source, i)!;
      out += ' ';
    } else if (ch === ',' && '}]'.includes(source[significantFrom(source, i + 1)] ?? '')) {
      continue;
    } else out += ch;
  }
  return JSON.parse(out);
}

function stringEnd(s: string, start: number): number {
  let j = start + 1;
  while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
  return j;
}

/** Where a comment starting at `i` ends (its last character), or undefined when none starts there. */
function commentEnd(s: string, i: number): number | undefined {
  if (s[i] === '#' || (s[i] === '/' && s[i + 1] === '/')) {
    const nl = s.indexOf('\n', i);
    return nl < 0 ? s.length - 1 : nl - 1;
  }
  if (s[i] === '/' && s[i + 1] === '*') {
    const end = s.indexOf('*/', i + 2);
    return end < 0 ? s.length - 1 : end + 1;
  }
  return undefined;
}

/** The index of the next character that is neither whitespace nor part of a comment. */
function significantFrom(s: string, i: number): number {
  while (i < s.length) {
    if (/\s/.test(s[i]!)) i++;
    else if (commentEnd(s, i) !== undefined) i = commentEnd(s, i)! + 1;
    else break;
  }
  return i;
}
