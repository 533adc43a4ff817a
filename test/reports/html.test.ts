/**
 * index.html in real headless Chromium (the Debian `chromium` package, driven by playwright-core), on a
 * real todo run with failures put in, and on a 5,000-cell failing run: it loads from file:// with no
 * console error and no network request; findings, failures by cause and the run's own problems come
 * first; each model shows its rules in words and its field access above its heatmap; a box hides no
 * failure; long lists fold away and page; filters, the table of contents and "who can" work; a click
 * (or Enter) shows the evidence; an interrupted run says how far it got; hostile strings stay text.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findings } from '../../harness/lint/lint.js';
import { CHROMIUM_ARGS } from '../../reports/audit.js';
import { totalsOf, type RunReport } from '../../reports/results.js';
import { writeReports } from '../../reports/write.js';
import { ROOT, sharedRun } from '../cli/cli.js';
import { CHROMIUM, chromiumOrFail } from './chromium.js';
import { syntheticRun } from './synthetic.js';

const SHOTS = path.join(ROOT, 'reports/out/test');
const HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
const FLIPPED = 'Todo|update|stranger|owned';
const HIDDEN = 'Todo|create|stranger|spoof:owner';
const BROKEN = 'Todo|get|owner|owned';
const FIXTURE_ERROR = 'fixture Todo|owned was not created: owner could not create it: HTTP 200';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let report: RunReport;
let dir: string;
const consoleErrors: string[] = [];
const requests: string[] = [];
let pageUrl = '';

/**
 * A real todo run with failures of each kind put in: an update that should have been refused came back
 * allowed, an owner spoof the API accepted (inside the box of the stranger's plain create, which
 * matched), a fixture that "could not be created", and a hostile string in a reason and a response.
 */
async function todoWithFailures(): Promise<RunReport> {
  const run = await sharedRun(['run', '--schema', 'examples/todo']);
  expect(run.code, run.stderr).toBe(0);
  const r = JSON.parse(readFileSync(path.join(run.out, 'results.json'), 'utf8')) as RunReport;
  const byId = (id: string) => r.cells.find((c) => c.id === id)!;
  expect(byId(FLIPPED)).toMatchObject({ expected: 'deny', observed: 'deny', pass: true });
  Object.assign(byId(FLIPPED), { expected: 'allow', pass: false, detail: 'expected allow, observed deny' });
  expect(byId(HIDDEN)).toMatchObject({ expected: 'invalid', pass: true });
  expect(byId('Todo|create|stranger')).toMatchObject({ pass: true });
  Object.assign(byId(HIDDEN), { observed: 'allow', pass: false, detail: 'expected invalid, observed allow', summary: 'data' });
  Object.assign(byId(BROKEN), { observed: 'error', pass: false, summary: FIXTURE_ERROR, detail: 'expected allow, observed error' });
  const other = byId('Todo|get|apiKey|owned');
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

async function open(p: Page, file: string): Promise<void> {
  await p.goto(`file://${file}`);
  await p.waitForSelector('html[data-ready="true"]');
}

beforeAll(async () => {
  chromiumOrFail();
  dir = mkdtempSync(path.join(tmpdir(), 'authmatrix-html-'));
  report = await todoWithFailures();
  writeReports(report, path.join(dir, 'out'));
  pageUrl = `file://${path.join(dir, 'out', 'index.html')}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pageUrl);
  await page.waitForSelector('html[data-ready="true"]');
}, 120_000);

afterAll(async () => {
  await browser?.close();
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

  it('puts the findings first, then the failures by cause and the run’s own problems, then the heatmaps', async () => {
    const order = await page.evaluate(() => [...document.querySelectorAll('main > section, main > div')].map((e) => e.id).filter(Boolean));
    expect(order.slice(0, 4)).toEqual(['findings', 'failures', 'problems', 'heatmaps']);
    const lint = findings(report.model);
    expect(lint.length).toBeGreaterThan(0);
    const rows = await page.locator('#findings table.findings tbody tr').allInnerTexts();
    expect(rows).toHaveLength(lint.length);
    lint.forEach((f, i) => {
      for (const part of [f.severity, f.title, f.explanation, f.fix]) expect(rows[i]).toContain(part);
    });
  });

  it('groups the auth failures by cause, with a count and one example each', async () => {
    const groups = await page.locator('#failures table.causes > tbody > tr:not(.group-cells)').allInnerTexts();
    expect(groups).toHaveLength(2);
    const flipped = report.cells.find((c) => c.id === FLIPPED)!;
    const update = groups.find((g) => g.includes(FLIPPED))!;
    expect(update).toMatch(/^1\t/);
    expect(update).toContain(`rule ${flipped.rule}`);
    expect(update).toMatch(/update · expected\s*✓\s*allow, observed\s*✗\s*deny/);
    expect(groups.find((g) => g.includes(HIDDEN))).toMatch(/create \(field, spoof\) · expected\s*⊘\s*invalid, observed\s*✓\s*allow/);
    // The run's own problem is not among them.
    expect(groups.join('\n')).not.toContain(BROKEN);
  });

  it('lists cells without an auth outcome apart, as a problem of the run and not of the app’s rules', async () => {
    const section = page.locator('#problems');
    expect(await section.locator('h2').textContent()).toBe('Problems of the run, not of the app’s rules (1 cell, 1 cause)');
    expect(await section.locator('.intro').textContent()).toContain('not findings about the app’s rules');
    const row = await section.locator('table.causes > tbody > tr').first().innerText();
    expect(row).toContain('a record the cell needed could not be created');
    expect(row).toContain(FIXTURE_ERROR);
    expect(row).toContain(BROKEN);
    expect(await page.locator('header .totals').innerText()).toMatch(/2 auth mismatches\s+1 without an auth outcome/);
  });

  it('shows each model’s rules in words with their ids above its heatmap', async () => {
    const section = page.locator('#heatmaps section.subject[data-subject="Todo"]');
    const rules = await section.locator('ul.rules > li').allInnerTexts();
    expect(rules).toEqual([
      expect.stringMatching(/^#1 owner via ownerField `owner`, claim `sub::username` Todo#1$/),
      '#2 public access with the API key [read] Todo#2',
    ]);
    const [list, heatmap] = await Promise.all([section.locator('ul.rules').boundingBox(), section.locator('table.heatmap').boundingBox()]);
    expect(list!.y + list!.height).toBeLessThanOrEqual(heatmap!.y);
  });

  it('marks a box whose own cell matched but which holds a failed cell, naming it', async () => {
    const box = page.locator('#heatmaps button.v[aria-label^="stranger · Todo.create:"]');
    expect(await box.getAttribute('class')).toBe('v v-allow mm sub-mm');
    expect(await box.locator('.sub').textContent()).toBe('✓');
    expect(await box.getAttribute('aria-label')).toBe(`stranger · Todo.create: allow; 1 of 2 cells in this box mismatched (${HIDDEN}: expected invalid, observed allow)`);
    // A box whose own cell failed says so plainly.
    expect(await page.locator('#heatmaps button.v[aria-label^="stranger · Todo.update, owned record:"]').getAttribute('class')).toBe('v v-deny mm');
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
    expect(mm).toMatchObject({ boxes: 3, mismatchBoxes: 3, rows: ['owner', 'stranger'], status: '3 of ' + report.cells.length + ' cells shown' });
    await page.selectOption('#f-persona', 'apiKey');
    expect((await shown(page)).boxes).toBe(0);
    expect(await page.locator('#nothing').isVisible()).toBe(true);
    await page.click('#f-clear');
    expect((await shown(page)).boxes).toBe(all.boxes);
  });

  it('shows the reason, the rule and the request/response evidence when an example is clicked', async () => {
    await page.click(`#failures button.cell-link:text-is("${FLIPPED}")`);
    const panel = page.locator('#panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const text = (await panel.textContent())!;
    const cell = report.cells.find((c) => c.id === FLIPPED)!;
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
    expect(await page.evaluate(() => document.activeElement?.closest('#failures') !== null)).toBe(true);
  });

  it('answers "who can": which personas may do an operation, by which rule, on which records', async () => {
    await page.selectOption('#w-resource', { label: 'Todo' });
    await page.selectOption('#w-part', { label: 'the record' });
    await page.selectOption('#w-operation', { label: 'get' });
    const answer = page.locator('#who-answer');
    expect(await answer.locator('h3').textContent()).toBe('Todo · the record · get');
    const branches = await answer.locator('ul.tree > li').allInnerTexts();
    const byRule = (id: string) => branches.find((b) => b.includes(`allow — ${id}`));
    expect(byRule('Todo#2')).toMatch(/public access with the API key \[read\]\napiKey \(every record\)/);
    expect(byRule('Todo#1')).toContain('owner (owner’s record)'.replace('’', "'"));
    const refused = branches.filter((b) => b.includes('deny —'));
    expect(refused.join('\n')).toMatch(/Todo#1[^\n]*\n(.*\n)*stranger \(every record\) — denied: rule Todo#1/);
    expect(refused.join('\n')).toContain('anonymous (every record) — denied: no credentials');
    // A failed cell is marked in the answer and opens its evidence.
    await page.selectOption('#w-operation', { label: 'update' });
    const mark = answer.locator('button.cell-link', { hasText: '≠ observed deny' });
    expect(await mark.count()).toBe(1);
    await mark.click();
    await expect.poll(() => page.locator('#panel-title').textContent()).toBe('stranger · Todo.update · owned');
    await page.keyboard.press('Escape');
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

  it('says an interrupted run was interrupted and how many cells ran', async () => {
    const cut: RunReport = { ...report, interrupted: { signal: 'SIGINT', cellsRun: report.cells.length, cellsPlanned: report.cells.length + 40 } };
    const out = path.join(dir, 'interrupted');
    writeReports(cut, out);
    const p = await context.newPage();
    await open(p, path.join(out, 'index.html'));
    expect(await p.locator('h1').textContent()).toBe('authmatrix INTERRUPTED');
    expect(await p.locator('header .banner').textContent()).toBe(`Interrupted by SIGINT after ${report.cells.length} of ${report.cells.length + 40} cells. This report holds only the cells that ran; the other 40 were not run and count neither as passed nor as failed.`);
    await p.close();
  });
});

describe('index.html of a 5,000-cell failing run', () => {
  let big: RunReport;
  let p: Page;

  beforeAll(async () => {
    big = syntheticRun({ cells: 5000 });
    writeReports(big, path.join(dir, 'big'));
    // CSP bypassed only to lay out every section at once (content-visibility), so the height is real.
    const measuring = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    p = await measuring.newPage();
    await open(p, path.join(dir, 'big', 'index.html'));
  }, 120_000);

  it('stays navigable: findings and causes fold away, the heatmaps come early, the page is bounded', async () => {
    expect(big.cells).toHaveLength(5000);
    expect(big.totals.mismatches).toBeGreaterThan(700);
    const lint = findings(big.model);
    expect(await p.locator('#findings > table.findings tbody tr').count()).toBe(5);
    expect(await p.locator('#findings details.more table.findings tbody tr').count()).toBe(lint.length - 5);
    expect(await p.locator('#failures > table.causes > tbody > tr:not(.group-cells)').count()).toBe(6);
    expect(await p.locator('#failures details.more').isVisible()).toBe(true);
    await p.addStyleTag({ content: 'section.subject { content-visibility: visible !important; }' });
    const { height, firstHeatmap } = await p.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      firstHeatmap: document.querySelector('#heatmaps table.heatmap')!.getBoundingClientRect().top + scrollY,
    }));
    // Measured at 12,600 px (the list of every mismatch made it 35,000 px, the first heatmap at 30,000).
    expect(height).toBeLessThan(18_000);
    expect(firstHeatmap).toBeLessThan(4_000);
  });

  it('lists a group’s cells when opened, fifty at a time', async () => {
    const details = p.locator('#failures details[data-group="0"]');
    const total = Number(/all (\d+) cells/.exec((await details.locator('summary').textContent())!)![1]);
    expect(total).toBeGreaterThan(100);
    await details.locator('summary').click();
    const items = details.locator('ul.cell-list > li');
    await expect.poll(() => items.count()).toBe(51);
    expect(await items.last().textContent()).toBe(`show 50 more (${total - 50} left)`);
    await items.last().locator('button').click();
    await expect.poll(() => items.count()).toBe(101);
    // The filters narrow the list too.
    await p.selectOption('#f-persona', 'anonymous');
    const left = await items.allTextContents();
    expect(left.at(-1)).toMatch(/^\d+ hidden by the filters$/);
    expect(left.slice(0, -1).every((t) => t.includes('|anonymous|') || t.startsWith('show'))).toBe(true);
    await p.click('#f-clear');
  });

  it('has a table of contents with every model, failing ones marked, that jumps to them', async () => {
    const links = await p.locator('#toc a').allTextContents();
    const models = [...new Set(big.cells.map((c) => c.model).filter(Boolean))];
    expect(models.length).toBeGreaterThan(10);
    for (const m of models) expect(links).toContain(m);
    expect(await p.locator('#toc a[href="#m-Item0"] + .bad').textContent()).toMatch(/^≠\d+$/);
    const last = models.at(-1)!;
    await p.click(`#toc a[href="#m-${last}"]`);
    await expect.poll(() => p.evaluate((id) => Math.round(document.getElementById(id)!.getBoundingClientRect().top), `m-${last}`)).toBeLessThan(50);
  });

  it('shows who may read, create and update each field with its own rules, without a click', async () => {
    const row = await p.locator('#m-Item1 table.field-access tr', { hasText: 'salary' }).innerText();
    const [field, rules, read, create, update] = row.split('\t');
    expect(field).toBe('salary');
    expect(rules).toContain('#1 owner via ownerField `owner`, claim `sub::username` [read]');
    expect(rules).toContain('#2 members of group Admin');
    expect(read).toContain('owner (owner\'s record)');
    expect(read).toContain('groupMember:Admin (every record)');
    expect(read).not.toContain('stranger');
    expect(create).toContain('groupMember:Admin');
    expect(update).toContain('groupMember:Admin (every record)');
    // Item7's salary leaks to readers its rules refuse: the table says so.
    expect(await p.locator('#m-Item7 table.field-access tr', { hasText: 'salary' }).innerText()).toMatch(/≠ also allowed by the endpoint: [\w:, ]+/);
  });
});
