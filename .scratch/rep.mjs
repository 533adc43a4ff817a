const w = await import('/work/main/dist/reports/write.js');
const { scrubReport } = await import('/work/main/dist/reports/scrub.js');
const { renderIndexHtml } = await import('/work/main/dist/reports/html/index.js');
const { renderJunit } = await import('/work/main/dist/reports/junit.js');
const { renderSummaryMd } = await import('/work/main/dist/reports/summary-md.js');
const { coverageOf } = await import('/work/main/dist/reports/coverage.js');
const fs = await import('node:fs');
const r = JSON.parse(fs.readFileSync('/tmp/prof1/out/results.json', 'utf8'));
for (let i = 0; i < 3; i++) {
  const t = {}; let s = performance.now(); const m = (k) => { const n = performance.now(); t[k] = +(n - s).toFixed(1); s = n; };
  const sc = scrubReport(r); m('scrub');
  const cov = coverageOf(sc); m('coverage');
  JSON.stringify(sc); m('results.json');
  renderJunit(sc); m('junit');
  renderSummaryMd(sc, cov); m('summary');
  renderIndexHtml(sc, cov); m('html');
  w.writeRunReports(r, '/tmp/rep-out'); m('writeRunReports(all)');
  console.log(JSON.stringify(t));
}
