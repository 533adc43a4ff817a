#!/usr/bin/env node
// Before/after check for refactorings: the per-cell verdicts of a run's results.json, without timings, ids
// and evidence. `node test/tools/verdicts.mjs a/results.json b/results.json` prints the differences and exits 1
// when there are any; with one file it prints that run's verdicts as JSON lines.
import { readFileSync } from 'node:fs';

function verdicts(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const lines = new Map();
  const add = (id, v) => lines.set(id, JSON.stringify(v));
  for (const c of r.cells) add(`cell ${c.id}`, [c.expected, c.observed, c.pass, c.rule, c.reason]);
  for (const u of r.untested ?? []) add(`untested ${u.id}`, [u.expected, u.reason]);
  for (const k of r.contracts ?? []) add(`contract ${k.contract}: ${k.statement}`, [k.broken, k.cells]);
  add('totals', r.totals);
  add('gate', (r.gate?.failures ?? []).map((f) => (typeof f === 'string' ? f : f.message ?? f)));
  return lines;
}

const [a, b] = process.argv.slice(2);
if (!a) {
  process.stderr.write('usage: verdicts.mjs results.json [other/results.json]\n');
  process.exit(2);
}
const before = verdicts(a);
if (!b) {
  for (const [id, v] of before) process.stdout.write(`${id}\t${v}\n`);
  process.exit(0);
}
const after = verdicts(b);
let differences = 0;
for (const id of new Set([...before.keys(), ...after.keys()])) {
  if (before.get(id) === after.get(id)) continue;
  differences++;
  process.stdout.write(`${id}\n  before: ${before.get(id) ?? '(absent)'}\n  after:  ${after.get(id) ?? '(absent)'}\n`);
}
process.stdout.write(`${before.size} verdicts compared, ${differences} differ\n`);
process.exit(differences ? 1 : 0);
