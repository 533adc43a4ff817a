/** "Did you mean …?" for misspelt names: the closest option within a small edit distance. */
import { renamedPersona } from '../matrix/cast.js';

export function closest(word: string, options: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance, a swap of two neighbouring letters counting as one edit (`Psot` → `Post`). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** `use one of a, b, c (did you mean b?)` */
export function oneOf(word: string, options: string[]): string {
  const renamed = renamedPersona(word);
  if (renamed && options.includes(renamed)) return `it is now called ${renamed} (the member of the group dynamic-group fixtures name)`;
  const hint = closest(word, options);
  return `use one of ${options.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`;
}
