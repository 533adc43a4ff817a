/** index.html as text: self-contained, locked down by its Content-Security-Policy, data that cannot break out. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coverageOf } from '../../reports/coverage.js';
import { renderIndexHtml } from '../../reports/html/index.js';
import { cell, noteCells, report } from './fixtures.js';

const HOSTILE = '</script><!-- <script>alert(1)</script> \u2028';

describe('index.html', () => {
  const r = report([...noteCells(), cell({ id: 'Note|update|stranger|owned', persona: 'stranger', operation: 'update', expected: 'deny', observed: 'allow', reason: HOSTILE })], {
    schema: { path: 'notes/<b>schema</b>.graphql', hash: 'sha256:00', source: 'gen1' },
    contracts: [{ contract: 'Notes <i>', file: 'c.yaml', line: 3, statement: 'a stranger never <u>writes</u>', broken: 'dynamic', explanation: 'broken & why', cells: ['Note|update|stranger|owned'], violations: [{ cell: 'Note|update|stranger|owned', expected: 'deny', observed: 'allow', rule: null, reason: HOSTILE }] }],
  });
  const html = renderIndexHtml(r, coverageOf(r));

  it('needs nothing from the network and allows nothing but its own inline script and style', () => {
    // Links are to places in the page only (the table of contents).
    expect(html).not.toMatch(/\bsrc=|\bhref="(?!#)/);
    expect(html).toContain('<a href="#findings">Findings</a>');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const script = /<script>([\s\S]*?)<\/script>\n<\/body>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const sha = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toBe(`default-src 'none'; style-src ${sha(style)}; script-src ${sha(script)}; img-src data:; base-uri 'none'; form-action 'none'`);
  });

  it('embeds the results as JSON that no string can end early, and escapes what it prints itself', () => {
    const data = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toContain('<');
    expect(data).not.toContain('\u2028');
    expect(JSON.parse(data).cells.at(-1).reason).toBe(HOSTILE);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('<title>authmatrix: notes/&lt;b&gt;schema&lt;/b&gt;.graphql</title>');
    expect(html).toContain('<td>Notes &lt;i&gt;</td><td>a stranger never &lt;u&gt;writes&lt;/u&gt;<br><span class="none">c.yaml:3</span></td><td>broken &amp; why</td>');
    for (const raw of ['<b>schema', 'Notes <i>', '<u>writes']) expect(html).not.toContain(raw);
  });
});
