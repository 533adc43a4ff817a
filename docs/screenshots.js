/**
 * Regenerates the screenshots of index.html that the README shows (docs/report-*.png): the report of a
 * real run of examples/blog, and that of a failing run (the report tests' synthetic 5,000-cell run,
 * test/reports/synthetic.ts, with failures of every kind put in). Needs a build (`npm run build`) and
 * Debian's `chromium`. Run from the repository: `npm run screenshots`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../dist/reports/audit.js';
import { writeReports } from '../dist/reports/write.js';

const docs = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(docs);
const work = mkdtempSync(path.join(tmpdir(), 'authmatrix-screenshots-'));
const executablePath = findChromium();
if (!executablePath) throw new Error('Chromium is not installed (apt-get install chromium, or set AUTHMATRIX_CHROMIUM)');

function blogRun() {
  const out = path.join(work, 'blog');
  execFileSync(process.execPath, [path.join(root, 'bin/authmatrix.js'), 'run', '--schema', 'examples/blog', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return path.join(out, 'index.html');
}

async function failingRun() {
  const { syntheticRun } = await createJiti(import.meta.url).import('../test/reports/synthetic.ts');
  const out = path.join(work, 'failing');
  writeReports(syntheticRun({ cells: 5000 }), out);
  return path.join(out, 'index.html');
}

const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
try {
  // CSP bypassed only to lay out every section at once (content-visibility), so nothing moves during a shot.
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: true })).newPage();
  const open = async (file) => {
    await page.goto(`file://${file}`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.addStyleTag({ content: 'section.subject { content-visibility: visible !important; }' });
  };
  const shot = async (name, target) => {
    const file = path.join(docs, name);
    await (target ? page.locator(target).screenshot({ path: file }) : page.screenshot({ path: file }));
    process.stdout.write(`${path.relative(root, file)}\n`);
  };

  await open(blogRun());
  await shot('report-blog.png');
  await shot('report-blog-model.png', '#m-Employee');
  await page.selectOption('#w-resource', { label: 'Employee' });
  await page.selectOption('#w-part', { label: 'field ssn' });
  await page.selectOption('#w-operation', { label: 'read' });
  await shot('report-blog-who-can.png', '#who-can');

  await open(await failingRun());
  await page.evaluate(() => document.querySelector('#failures').scrollIntoView());
  await shot('report-failing.png');
  await shot('report-failing-model.png', '#m-Item7');
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
