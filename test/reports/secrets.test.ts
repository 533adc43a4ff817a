/** Secrets that slipped into a results file unredacted are redacted again by every report. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAudit } from '../../reports/audit.js';
import { writeReports } from '../../reports/write.js';
import { cell, noteCells, report } from './fixtures.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvd25lciJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const API_KEY = 'da2-abcdefghijklmnopqrstuvwxyz';
const SIGNATURE = 'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY123/20261122/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const SESSION = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN';

describe('secrets in evidence', () => {
  it('are never written to any report, while redacted values stay readable', async () => {
    const leaky = cell({ id: 'Note|get|owner|owned', persona: 'owner', operation: 'get', fixture: 'owned', expected: 'allow', observed: 'allow', rule: 'Note#1' });
    leaky.evidence = {
      request: {
        url: 'http://127.0.0.1:4000/graphql',
        headers: { Authorization: JWT, 'x-api-key': API_KEY, 'x-amz-security-token': SESSION, 'x-amz-user-agent': 'authmatrix/0.1' },
        body: { query: 'query { getNote(id: "1") { id } }', variables: { token: JWT } },
      },
      response: { status: 200, body: { data: { echo: { key: API_KEY, signed: SIGNATURE } } } },
    };
    const redacted = cell({ id: 'Note|get|apiKey|owned', persona: 'apiKey', operation: 'get', fixture: 'owned', expected: 'allow', observed: 'allow', rule: 'Note#2' });
    redacted.evidence = { request: { url: 'http://127.0.0.1:4000/graphql', headers: { authorization: '[JWT redacted, 981 chars]', 'x-api-key': 'da2-[redacted]' }, body: {} }, response: { status: 200, body: {} } };
    const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-secrets-'));
    const r = report([...noteCells(), leaky, redacted]);
    writeReports(r, dir);
    await writeAudit(r, dir, '{}', { chromium: null });
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['audit.html', 'coverage.json', 'index.html', 'junit.xml', 'results.json', 'summary.md']);
    for (const f of files) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      for (const secret of [JWT, API_KEY, SESSION, 'Signature=0123456789abcdef']) expect(text, `${secret} in ${f}`).not.toContain(secret);
    }
    const results = readFileSync(path.join(dir, 'results.json'), 'utf8');
    expect(results).toContain(`"Authorization":"[JWT redacted, ${JWT.length} chars]"`);
    expect(results).toContain(`"x-amz-security-token":"[redacted, ${SESSION.length} chars]"`);
    expect(results).toContain('"authorization":"[JWT redacted, 981 chars]"');
    expect(results).toContain('Signature=[redacted]');
  });
});
