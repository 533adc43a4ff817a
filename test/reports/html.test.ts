/**
 * index.html in real headless Chromium (the Debian `chromium` package, driven by playwright-core):
 * it loads from file:// with no console error and no network request, mismatches come first, filters
 * change what is shown, a click (or Enter) shows the evidence, and hostile strings stay text.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalsOf, type RunReport } from '../../reports/results.js';
import { writeReports } from '../../reports/write.js';
import { CHROMIUM_ARGS } from '../../reports/audit.js';
import { cli, ROOT } from '../cli/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'reports/out/test');
const HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

let context: BrowserContext;
let page: Page;
let report: RunReport;
let flipped: string;
const consoleErrors: string[] = [];
const requests: string[] = [];
let pageUrl = '';

/** A real todo run with one cell made to fail (its expectation flipped) and a hostile string in another. */
async function reportWithMismatch(dir: string): Promise<RunReport> {
  const run = await cli(['run', '--schema', 'examples/todo', '--out', dir]);
  expect(run.code, run.stderr).toBe(0);
  const r = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunReport;
  const victim = r.cells.find((c) => c.id === 'Todo|update|stranger|owned')!;
  expect(victim).toMatchObject({ expected: 'deny', observed: 'deny', pass: true });
  Object.assign(victim, { expected: 'allow', pass: false, detail: 'expected allow, observed deny' });
  const other = r.cells.find((c) => c.id === 'Todo|get|apiKey|owned')!;
  other.reason = `${other.reason} ${HOSTILE}`;
  (other.evidence!.response.body as Record<string, unknown>).note = HOSTILE;
  return { ...r, totals: totalsOf(r.cells, r.untested.length) };
}

/** What the page shows: the visible heatmap boxes and rows. */
function shown(p: Page) {
  return p.evaluate(() => {
    const visible = (e: Element) => (e as HTMLElement).offsetParent !== null;
    const boxes = [...document.querySelectorAll('#heatmaps button.v')].filter(visible);
    return {
      boxes: boxes.length,
      mismatchBoxes: boxes.filter((b) => b.classList.contains('mm')).length,
      rows: [...new Set([...document.querySelectorAll('#heatmaps tbody tr')].filter(visible).map((tr) => tr.querySelector('th')!.textContent))],
      labels: boxes.map((b) => b.getAttribute('aria-label') ?? ''),
      status: document.getElementById('shown')!.textContent,
    };
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) to test index.html`);
  const dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-html-'));
  report = await reportWithMismatch(path.join(dir, 'run'));
  flipped = 'Todo|update|stranger|owned';
  writeReports(report, path.join(dir, 'out'));
  pageUrl = `file://${path.join(dir, 'out', 'index.html')}`;
  context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'authmatrix-chromium-')), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 },
  });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pageUrl);
  await page.waitForSelector('html[data-ready="true"]');
}, 120_000);

afterAll(async () => {
  await context?.close();
});

describe('index.html in headless Chromium', () => {
  it('loads from file:// with no console error, no network request and no script from the data', async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([pageUrl]);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    const s = await shown(page);
    expect(s.status).toBe(`${report.cells.length} of ${report.cells.length} cells shown`);
    expect(s.boxes).toBeGreaterThan(20);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'index.png'), fullPage: true });
    expect(statSync(path.join(SHOTS, 'index.png')).size).toBeGreaterThan(10_000);
  });

  it('lists mismatches first and marks their box', async () => {
    const order = await page.evaluate(() => [...document.querySelectorAll('main > section, main > div')].map((e) => e.id).filter(Boolean));
    expect(order.slice(0, 2)).toEqual(['mismatches', 'heatmaps']);
    expect(await page.locator('#mismatch-rows tr').allTextContents()).toEqual([expect.stringContaining(flipped)]);
    expect(await page.locator('#mismatch-count').textContent()).toBe('1');
    const s = await shown(page);
    expect(s.mismatchBoxes).toBe(1);
    expect(s.labels.find((l) => l.includes('mismatch'))).toMatch(/^stranger · Todo\.update, owned record: deny, 1 mismatch \(\d+ cells\)$/);
  });

  it('filters by persona, model and verdict, and shows mismatches only', async () => {
    const all = await shown(page);
    await page.selectOption('#f-persona', 'apiKey');
    const apiKey = await shown(page);
    expect(apiKey.rows).toEqual(['apiKey']);
    expect(apiKey.boxes).toBeLessThan(all.boxes);
    expect(apiKey.status).toMatch(/^\d+ of \d+ cells shown$/);
    await page.selectOption('#f-verdict', 'allow');
    const allowed = await shown(page);
    expect(allowed.boxes).toBeGreaterThan(0);
    expect(allowed.boxes).toBeLessThan(apiKey.boxes);
    await page.click('#f-clear');
    expect((await shown(page)).boxes).toBe(all.boxes);

    await page.selectOption('#f-model', 'Todo');
    const todo = await shown(page);
    expect(todo.boxes).toBeLessThan(all.boxes);
    expect(todo.labels.every((l) => l.includes(' · Todo.'))).toBe(true);
    expect(all.labels.filter((l) => l.includes(' · Todo.'))).toEqual(todo.labels);
    await page.check('#f-mismatch');
    const mm = await shown(page);
    expect(mm).toMatchObject({ boxes: 1, mismatchBoxes: 1, rows: ['stranger'], status: '1 of ' + report.cells.length + ' cells shown' });
    await page.selectOption('#f-persona', 'owner');
    expect((await shown(page)).boxes).toBe(0);
    expect(await page.locator('#nothing').isVisible()).toBe(true);
    expect(await page.locator('#mismatch-rows tr:visible').count()).toBe(0);
    await page.click('#f-clear');
    expect((await shown(page)).boxes).toBe(all.boxes);
  });

  it('shows the reason, the rule and the request/response evidence on a click', async () => {
    await page.click('#mismatch-rows button');
    const panel = page.locator('#panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const text = (await panel.textContent())!;
    const cell = report.cells.find((c) => c.id === flipped)!;
    expect(text).toContain('MISMATCH');
    expect(text).toContain('expectedallow');
    expect(text).toContain('observeddeny');
    expect(text).toContain(`rule${cell.rule ?? '(none)'}`);
    expect(text).toContain(cell.reason);
    expect(await page.locator('#ev-request').textContent()).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/graphql\n/);
    expect(await page.locator('#ev-response').textContent()).toMatch(/^HTTP \d{3}/);
    expect(await page.locator('#ev-response').textContent()).toContain(cell.requestId!);
    await page.screenshot({ path: path.join(SHOTS, 'index-evidence.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.closest('#mismatch-rows') !== null)).toBe(true);
  });

  it('opens a box from the keyboard and keeps hostile strings as text', async () => {
    const box = page.locator('#heatmaps button.v[aria-label^="apiKey · Todo.get, owned record"]');
    await box.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#panel').isVisible()).toBe(true);
    expect(await page.locator('#panel').textContent()).toContain(HOSTILE);
    // In the response body it is JSON, quotes escaped.
    expect(await page.locator('#ev-response').textContent()).toContain(JSON.stringify(HOSTILE));
    expect(await page.locator('#panel img, #panel script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.click('#panel-close');
    expect(consoleErrors).toEqual([]);
  });
});
