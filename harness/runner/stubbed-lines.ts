/**
 * What the run prints about the handlers the emulator stubbed: one line per reason, since an app without its
 * dependencies installed has many stubbed for the same missing package (silentlie/adsats_amplify_gen_2: 23 lines
 * for two packages).
 */
export function stubbedLines(stubbed: ReadonlyMap<string, string> | undefined): string[] {
  const byReason = new Map<string, string[]>();
  for (const [name, why] of stubbed ?? []) byReason.set(why, [...(byReason.get(why) ?? []), name]);
  return [...byReason].map(([why, names]) => names.length === 1
    ? `  handler ${names[0]} stubbed (a placeholder of its type answered; the auth step before it was tested): ${why}`
    : `  ${names.length} handlers stubbed (placeholders of their types answered; the auth step before each was tested): ${why}: ${names.join(', ')}`);
}
