/** The run's lines for stubbed handlers (harness/runner/run.ts stubbedLines): one per reason, not one per handler. */
import { describe, expect, it } from 'vitest';
import { stubbedLines } from '../../harness/runner/stubbed-lines.js';

describe('stubbed handlers, as the run prints them', () => {
  it('handlers stubbed for the same reason share one line naming them all; a reason of its own keeps the one-handler line', () => {
    const missing = "the handler module does not load: Cannot find module 'aws-amplify/data'";
    const lines = stubbedLines(new Map([
      ['create-note', missing],
      ['mailer', 'it failed offline: SES unavailable'],
      ['delete-note', missing],
    ]));
    expect(lines).toEqual([
      `  2 handlers stubbed (placeholders of their types answered; the auth step before each was tested): ${missing}: create-note, delete-note`,
      '  handler mailer stubbed (a placeholder of its type answered; the auth step before it was tested): it failed offline: SES unavailable',
    ]);
  });

  it('none stubbed, no line', () => {
    expect(stubbedLines(new Map())).toEqual([]);
    expect(stubbedLines(undefined)).toEqual([]);
  });
});
