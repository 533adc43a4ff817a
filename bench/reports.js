/**
 * Reports for a 10,000-cell run: rendering every file (results.json, junit.xml, summary.md, index.html,
 * coverage.json; target ≤ 2 s), and in headless Chromium the time index.html takes to apply a filter
 * (measured with performance.now() inside the page, layout included; target ≤ 100 ms). The run is
 * synthesized from the expected matrix of a generated schema, with request/response evidence the size
 * of a real run's and one mismatch in a hundred. Then a 5,000-cell failing run (the report tests'
 * synthetic one, failures of every kind): index.html's height with every section laid out, where its
 * first heatmap starts, and the audit PDF's page count.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAuthModel } from '../dist/harness/schema/load.js';
import { defaultCast } from '../dist/harness/matrix/cast.js';
import { expectedMatrix } from '../dist/harness/matrix/expected.js';
import { portableModel, schemaHash, totalsOf } from '../dist/reports/results.js';
import { renderReports, writeReports } from '../dist/reports/write.js';
import { CHROMIUM_ARGS, findChromium, writeAudit } from '../dist/reports/audit.js';
import { generatedSdl } from './schemas.js';

const CELLS = 10_000;
const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-reports-'));
const round = (x) => Math.round(x * 10) / 10;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function syntheticReport() {
  const file = path.join(dir, 'schema.graphql');
  writeFileSync(file, generatedSdl(90));
  writeFileSync(path.join(dir, 'authmatrix.gen1.json'), JSON.stringify({ authModes: { default: 'userPool', additional: ['apiKey', 'iam'] }, transform: { enableIamAccess: true } }));
  const auth = await loadAuthModel(file);
  const cast = defaultCast(auth);
  const cells = expectedMatrix(auth, cast).slice(0, CELLS).map((c, i) => {
    const fail = i % 100 === 37;
    const observed = fail ? (c.expected === 'allow' ? 'deny' : 'allow') : c.expected;
    const requestId = `0000${i}`.slice(-5) + '-aaaa-4bbb-8ccc-dddddddddddd';
    return {
      id: c.id, kind: c.kind, persona: c.persona,
      ...(c.model ? { model: c.model } : {}), ...(c.customOperation ? { customOperation: c.customOperation } : {}),
      operation: c.operation, ...(c.field ? { field: c.field } : {}), ...(c.fixture ? { fixture: c.fixture } : {}),
      ...(c.ownership ? { ownership: c.ownership } : {}), ...(c.variant ? { variant: c.variant } : {}), ...(c.actor ? { actor: c.actor } : {}),
      expected: c.expected, observed, pass: !fail, rule: c.rule, reason: c.reason,
      detail: fail ? `expected ${c.expected}, observed ${observed}` : '', summary: observed === 'deny' ? 'Unauthorized' : 'data',
      latencyMs: 1 + (i % 17), requestId,
      evidence: c.kind === 'delivery' ? undefined : {
        request: {
          url: 'http://127.0.0.1:20002/graphql',
          headers: { authorization: '[JWT redacted, 981 chars]', 'x-amz-user-agent': 'authmatrix/0.1 api/1', 'content-type': 'application/json; charset=UTF-8' },
          body: { query: `query ($id: ID!) {\n  get${c.model ?? 'Thing'}(id: $id) {\n    id\n    title\n    body\n    count\n    done\n    createdAt\n    updatedAt\n    owner\n  }\n}\n`, variables: { id: requestId } },
        },
        response: { status: 200, requestId, body: observed === 'deny' ? { data: null, errors: [{ errorType: 'Unauthorized', message: `Not Authorized to access ${c.operation} on type ${c.model}` }] } : { data: { item: { id: requestId, title: 'sample', body: 'sample', count: 1, done: true, createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z', owner: 'owner' } } } },
      },
    };
  });
  return {
    format: 'authmatrix-results', version: 1, tool: { name: 'authmatrix', version: 'bench' },
    schema: { path: 'bench/schema.graphql', hash: schemaHash(auth), source: 'gen1' }, model: portableModel(auth),
    target: { kind: 'emulated', endpoint: 'embedded emulator' }, startedAt: '2026-11-22T00:00:00.000Z', finishedAt: '2026-11-22T00:00:30.000Z',
    personas: cast.map((p) => ({ name: p.name, kind: p.kind, description: p.description, provisioning: 'synthetic' })),
    totals: totalsOf(cells, 0), cells, untested: [], contracts: [], fixtures: {},
  };
}

async function browserFilters(indexHtml) {
  const chromium = findChromium();
  if (!chromium) return { skipped: 'Chromium is not installed (apt-get install chromium)' };
  const { chromium: pw } = await import('playwright-core');
  const context = await pw.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'authmatrix-bench-chromium-')), { executablePath: chromium, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`file://${indexHtml}`);
    await page.waitForSelector('html[data-ready="true"]');
    const loadMs = performance.now() - t0;
    // Each step changes one control the way a user does, then forces layout, timed inside the page.
    const steps = [
      ['persona', '#f-persona', 'owner'], ['model', '#f-model', 'Model7'], ['verdict', '#f-verdict', 'deny'],
      ['mismatches', '#f-mismatch', true], ['clear', '#f-clear', null],
    ];
    const times = {};
    for (let round = 0; round < 5; round++) {
      for (const [name, selector, value] of steps) {
        const ms = await page.evaluate(([sel, v]) => {
          const el = document.querySelector(sel);
          const t = performance.now();
          if (v === null) el.click();
          else {
            if (v === true) el.checked = !el.checked;
            else el.value = el.value === v ? '' : v;
            el.dispatchEvent(new Event('change'));
          }
          void document.body.offsetHeight;
          return performance.now() - t;
        }, [selector, value]);
        (times[name] ??= []).push(ms);
      }
    }
    const filterMs = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(median(v))]));
    const boxes = await page.evaluate(() => window.authmatrix.groups);
    return { loadMs: round(loadMs), heatmapBoxes: boxes, filterMedianMs: filterMs, filterMaxMs: round(Math.max(...Object.values(times).flat())), targetMs: 100 };
  } finally {
    await context.close();
  }
}

/** The failing run of the report tests (test/reports/synthetic.ts), loaded through jiti: one generator for both. */
async function failingRun() {
  const { createJiti } = await import('jiti');
  const { syntheticRun } = await createJiti(import.meta.url).import('../test/reports/synthetic.ts');
  return syntheticRun({ cells: 5000 });
}

async function failingPage(report) {
  const chromium = findChromium();
  if (!chromium) return { skipped: 'Chromium is not installed (apt-get install chromium)' };
  const out = path.join(dir, 'failing');
  const files = writeReports(report, out);
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS });
  try {
    // CSP bypassed only to lay out every section at once (content-visibility), so the height is real.
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true })).newPage();
    await page.goto(`file://${files.find((f) => f.endsWith('index.html'))}`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.addStyleTag({ content: 'section.subject { content-visibility: visible !important; }' });
    const page1 = await page.evaluate(() => ({ heightPx: document.documentElement.scrollHeight, firstHeatmapPx: Math.round(document.querySelector('#heatmaps table.heatmap').getBoundingClientRect().top + scrollY) }));
    const t0 = performance.now();
    await writeAudit(report, out, JSON.stringify(report), { chromium });
    const auditMs = performance.now() - t0;
    const { extractText, getDocumentProxy } = await import('unpdf');
    const { totalPages } = await extractText(await getDocumentProxy(new Uint8Array(readFileSync(path.join(out, 'audit.pdf')))), { mergePages: false });
    return { ...page1, auditPdfPages: totalPages, auditMs: round(auditMs) };
  } finally {
    await browser.close();
  }
}

try {
  const report = await syntheticReport();
  const renders = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    renderReports(report);
    renders.push(performance.now() - t0);
  }
  const t1 = performance.now();
  const files = writeReports(report, path.join(dir, 'out'));
  const writeMs = performance.now() - t1;
  const sizes = Object.fromEntries(files.map((f) => [path.basename(f), statSync(f).size]));
  const browser = existsSync(files.find((f) => f.endsWith('index.html'))) ? await browserFilters(files.find((f) => f.endsWith('index.html'))) : {};
  const failing = await failingRun();
  console.log(JSON.stringify({
    bench: 'reports-10000-cells',
    cells: report.cells.length,
    mismatches: report.totals.mismatches,
    renderAllFirstMs: round(renders[0]),
    renderAllMedianMs: round(median(renders)),
    writeAllMs: round(writeMs),
    targetMs: 2000,
    bytes: sizes,
    browser,
    failing5000: { cells: failing.cells.length, mismatches: failing.totals.mismatches, ...(await failingPage(failing)) },
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
