/** Small text helpers for findings' sentences. */
export const tick = (s: string): string => `\`${s}\``;

export { capitalize } from '../schema/sdl/names.js';

/** `a`, `a and b`, `a, b and c`. */
export function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
